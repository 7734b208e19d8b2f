"""Staff replies to proposers: queued by the console, pushed over the proposer's channel, retried, or pulled."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta

from bot.core.messages import Choice, UserKey
from bot.handoff.replies import PullMessenger, ReplyDispatcher
from storage.queue import OUTBOX_RETRY
from storage.sql_store import SqlStore, create_engine_for
from storage.staff import SqlStaff
from tests.helpers import FakeClock
from tests.proposals import make_submission, submit


class FakeLinePush:
    """Stands in for the LINE channel's messenger: fails once, then records each push."""

    channel = "line"

    def __init__(self) -> None:
        self.calls = 0
        self.pushed: list[tuple[str, str, str]] = []

    async def send(self, user_id: str, text: str, key: str, choices: Sequence[Choice] = ()) -> None:
        self.calls += 1
        if self.calls == 1:
            raise ConnectionError("LINE is busy")
        self.pushed.append((user_id, text, key))


async def test_a_reply_is_pushed_once_over_the_proposers_channel(  # type: ignore[no-untyped-def]
    store: SqlStore, database_url: str, clock: FakeClock
) -> None:
    engine = create_engine_for(database_url)
    staff = SqlStaff(engine, replace(OUTBOX_RETRY, first_delay=timedelta(seconds=5)))
    line = FakeLinePush()
    dispatcher = ReplyDispatcher(staff.replies, [line, PullMessenger("web")], clock)
    try:
        reference = await submit(store, make_submission(user=UserKey(channel="line", user_id="U-alice")))
        await staff.add_reply(reference, "sato", "担当課と調整を始めました。", clock.now())

        await dispatcher.run_once()
        [reply] = (await staff.activity(reference)).replies
        assert (reply.status, reply.last_error) == ("pending", "ConnectionError: LINE is busy")

        clock.advance(1)
        await dispatcher.run_once()
        await dispatcher.run_once()
        [reply] = (await staff.activity(reference)).replies
        assert reply.status == "sent"
        [(user_id, text, key)] = line.pushed
        assert (user_id, text) == ("U-alice", "担当課と調整を始めました。") and len(key) == 36
    finally:
        await engine.dispose()


async def test_a_web_chat_proposer_pulls_the_reply(store: SqlStore, database_url: str, clock: FakeClock) -> None:
    engine = create_engine_for(database_url)
    staff = SqlStaff(engine, OUTBOX_RETRY)
    try:
        reference = await submit(store, make_submission(user=UserKey(channel="web", user_id="w-1")))
        await staff.add_reply(reference, "sato", "ありがとうございます。", clock.now())
        assert await staff.replies_for("web", "w-1") == []

        await ReplyDispatcher(staff.replies, [PullMessenger("web")], clock).run_once()

        [reply] = await staff.replies_for("web", "w-1")
        assert reply.text == "ありがとうございます。"
        assert await staff.replies_for("web", "w-1", after_id=reply.id) == []
        assert await staff.replies_for("web", "someone-else") == []
    finally:
        await engine.dispose()
