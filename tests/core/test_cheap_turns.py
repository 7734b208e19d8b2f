"""A whole draft costs few FAQ reads: none for its button presses, none for its long answers, one for each short line."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.content.loader import Content
from bot.core.engine import Engine
from bot.core.messages import UserKey
from bot.core.ports import FaqHit, FaqLookup, FaqMatch, Reading
from bot.core.understanding import LONGEST_REQUEST
from bot.faq.matcher import FaqIndex
from storage.sql_store import SqlStore
from tests.helpers import SCRIPTED, FakeClock, visible_text
from tests.proposals import play_happy_path

USER = UserKey(channel="line", user_id="U-cheap")
PROBLEM = "高齢者の見守りの担い手が足りず、市の職員だけでは回りきれない。"
LONG_PROBLEM = PROBLEM + "地域の自治会も高齢化しており、夜間や休日の見守りは特に手薄になっている。"


class CountingReads:
    """The real FAQ index, recording every line it is asked to read (each read is one embedding at most)."""

    def __init__(self, index: FaqLookup) -> None:
        self._index = index
        self.read_lines: list[str] = []

    def read(self, text: str) -> Reading:
        self.read_lines.append(text)
        return self._index.read(text)  # type: ignore[attr-defined, no-any-return]

    def lookup(self, text: str) -> FaqMatch:
        return self.read(text).faq

    def get(self, entry_id: str) -> FaqHit | None:
        return self._index.get(entry_id)


async def test_a_draft_reads_only_its_short_typed_lines_once_each(content: Content, store: SqlStore, faq_index: FaqIndex) -> None:
    faq = CountingReads(faq_index)
    engine = Engine(content, store, faq, FakeClock(datetime(2026, 11, 25, 1, 0, tzinfo=UTC)), limit=SCRIPTED)

    sent, replies = await play_happy_path(engine, USER, replace={PROBLEM: LONG_PROBLEM})

    assert "KY-2026-" in visible_text(replies)  # submitted
    typed = [inbound.text for inbound in sent if inbound.text]
    assert LONG_PROBLEM in typed and len(LONG_PROBLEM) > LONGEST_REQUEST
    # Buttons: never read. A long answer to a free-text question: it is just the answer. Every other line: once.
    assert faq.read_lines == [text for text in typed if text != LONG_PROBLEM]
