"""Replays every conversation in tests/transcripts/ against SQLite and PostgreSQL.

A transcript is data: what the user sends or presses, what the bot must say
(``expect`` / ``expect_not`` are substrings of everything the bot answered,
``choices`` the exact buttons under its last message, ``silent`` that it said
nothing at all, ``max_lines`` how long it may be) and, at the end, what must be stored.
``now`` sets the clock the conversation starts at (the city's time).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from bot.content.loader import Content
from bot.core import payloads
from bot.core.engine import Engine
from bot.core.messages import Inbound, Outbound, UserKey
from bot.faq.matcher import FaqIndex
from storage.migrate import upgrade
from storage.sql_store import SqlStore, create_engine_for
from tests.helpers import SCRIPTED, FakeClock, visible_text

TRANSCRIPTS = sorted((Path(__file__).parent / "transcripts").glob("*.yaml"))
USER = UserKey(channel="test", user_id="proposer-1")


class Session:
    """An engine on the test database that can be 'restarted' (a new process) mid-transcript."""

    def __init__(self, content: Content, faq: FaqIndex, database_url: str, clock: FakeClock) -> None:
        self.content, self.faq, self.database_url, self.clock = content, faq, database_url, clock
        self.store: SqlStore | None = None
        self.engine: Engine | None = None
        self.replies: list[Outbound] = []

    async def start(self) -> None:
        await upgrade(self.database_url)
        self.store = SqlStore(create_engine_for(self.database_url))
        self.engine = Engine(self.content, self.store, self.faq, self.clock, reply_channels={USER.channel}, limit=SCRIPTED)

    async def restart(self) -> None:
        await self.close()
        await self.start()

    async def close(self) -> None:
        if self.store is not None:
            await self.store.close()

    async def send(self, inbound: Inbound) -> None:
        assert self.engine is not None
        self.replies = await self.engine.handle(inbound)

    def payload_of(self, label: str) -> str:
        offered = self.replies[-1].choices if self.replies else []
        for choice in offered:
            if choice.label == label:
                return choice.payload
        raise AssertionError(f"no button '{label}' was offered; offered: {[c.label for c in offered]}")


@pytest.mark.parametrize("path", TRANSCRIPTS, ids=lambda path: path.stem)
async def test_transcript(path: Path, content: Content, faq_index: FaqIndex, database_url: str) -> None:
    script = yaml.safe_load(path.read_text(encoding="utf-8"))
    start = datetime.fromisoformat(script["now"]) if "now" in script else datetime(2026, 11, 25, 10, 0)
    clock = FakeClock(start.replace(tzinfo=ZoneInfo("Asia/Tokyo")))
    session = Session(content, faq_index, database_url, clock)
    await session.start()
    try:
        for number, turn in enumerate(script["turns"], start=1):
            await _play(session, turn, f"{path.name} turn {number}")
        if "stored" in script:
            assert session.store is not None
            await _check_stored(session.store, script["stored"])
    finally:
        await session.close()


async def _play(session: Session, turn: dict[str, Any], where: str) -> None:
    if turn.get("restart_engine"):
        await session.restart()
    if "advance_hours" in turn:
        session.clock.advance(turn["advance_hours"])
    inbound = _inbound(session, turn)
    if inbound is None:
        return
    await session.send(inbound)
    said = visible_text(session.replies)
    if turn.get("silent"):
        assert said == "", f"{where}: expected no answer, got:\n{said}"
    for expected in turn.get("expect", []):
        assert str(expected) in said, f"{where}: expected {expected!r} in:\n{said}"
    for unexpected in turn.get("expect_not", []):
        assert str(unexpected) not in said, f"{where}: did not expect {unexpected!r} in:\n{said}"
    if "max_lines" in turn:
        assert len(said.splitlines()) <= turn["max_lines"], f"{where}: longer than {turn['max_lines']} lines:\n{said}"
    if "choices" in turn:
        labels = [choice.label for choice in session.replies[-1].choices]
        assert labels == [str(label) for label in turn["choices"]], f"{where}: buttons were {labels}"


def _inbound(session: Session, turn: dict[str, Any]) -> Inbound | None:
    if turn.get("start"):
        return Inbound(user=USER, payload=payloads.COMMAND + "resume")
    if "send" in turn:
        return Inbound(user=USER, text=str(turn["send"]))
    if "send_repeated" in turn:
        return Inbound(user=USER, text=turn["send_repeated"]["text"] * turn["send_repeated"]["times"])
    if "press" in turn:
        return Inbound(user=USER, payload=session.payload_of(str(turn["press"])))
    return None


async def _check_stored(store: SqlStore, expected: dict[str, Any]) -> None:
    stored = await store.get_draft(expected["reference"])
    assert stored is not None, f"no draft {expected['reference']} was stored"
    assert stored.user == USER
    draft = stored.draft.model_dump()
    for name, value in expected.get("draft", {}).items():
        assert draft[name] == value, f"stored {name} is {draft[name]!r}, expected {value!r}"
    if "faq_log" in expected:
        assert [asked.question for asked in stored.faq_log] == expected["faq_log"]
    if "consent_version" in expected:
        assert stored.consent.notice_version == expected["consent_version"]
    assert [d.reference for d in await store.list_drafts()] == [expected["reference"]]
