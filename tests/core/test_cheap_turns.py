"""Button presses and answers at form steps do no FAQ work; only what may be a question is looked up."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.content.loader import Content
from bot.core.engine import Engine
from bot.core.messages import Inbound, UserKey
from bot.core.ports import FaqHit, FaqLookup, FaqMatch
from bot.faq.live import build_index
from storage.sql_store import SqlStore
from tests.helpers import SCRIPTED, FakeClock, visible_text
from tests.proposals import play_happy_path

USER = UserKey(channel="line", user_id="U-cheap")


class CountingLookup:
    """The real FAQ index, recording every text it is asked to match."""

    def __init__(self, index: FaqLookup) -> None:
        self._index = index
        self.looked_up: list[str] = []

    def lookup(self, text: str) -> FaqMatch:
        self.looked_up.append(text)
        return self._index.lookup(text)

    def get(self, entry_id: str) -> FaqHit | None:
        return self._index.get(entry_id)


async def test_a_whole_draft_of_buttons_and_form_answers_looks_nothing_up(content: Content, store: SqlStore) -> None:
    faq = CountingLookup(build_index(content, None))
    engine = Engine(content, store, faq, FakeClock(datetime(2026, 11, 25, 1, 0, tzinfo=UTC)), limit=SCRIPTED)

    sent, replies = await play_happy_path(engine, USER)

    assert any(inbound.payload for inbound in sent) and any(inbound.text for inbound in sent)
    assert "KY-2026-" in visible_text(replies)  # submitted
    assert faq.looked_up == []

    await engine.handle(Inbound(user=USER, text="共創とは何ですか？"))
    assert faq.looked_up == ["共創とは何ですか？"]
