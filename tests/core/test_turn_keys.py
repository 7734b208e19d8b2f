"""An input with a key is one turn, however often it is handled (a redelivery, a retry after a crash)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.content.loader import Content
from bot.core.engine import Engine
from bot.core.messages import Inbound, UserKey
from bot.faq.live import build_index
from storage.sql_store import SqlStore
from tests.helpers import FakeClock, visible_text

USER = UserKey(channel="line", user_id="U-keyed")
QUESTION = "共創とは何ですか？"


async def test_a_keyed_input_handled_twice_is_one_turn_with_one_answer(content: Content, store: SqlStore) -> None:
    engine = Engine(content, store, build_index(content, None), FakeClock(datetime(2026, 11, 25, 1, 0, tzinfo=UTC)))
    await engine.handle(Inbound(user=USER, text="こんにちは", key="greeting"))

    first = await engine.handle(Inbound(user=USER, text=QUESTION, key="event-1/0"))
    again = await engine.handle(Inbound(user=USER, text=QUESTION, key="event-1/0"))

    assert again == first and "立場の異なる協働相手" in visible_text(first)
    assert [count.count for count in await store.question_counts(["answered"])] == [1]
    async with store.turn(USER) as turn:
        assert [asked.question for asked in turn.state.faq_log] == [QUESTION]


async def test_a_turn_that_failed_leaves_its_key_unanswered(content: Content, store: SqlStore) -> None:
    async with store.turn(USER, "event-2/0") as turn:
        assert turn.answered is None
    try:
        async with store.turn(USER, "event-3/0") as turn:
            turn.replies = []
            raise RuntimeError("the process died")
    except RuntimeError:
        pass
    async with store.turn(USER, "event-2/0") as turn:
        assert turn.answered == []
    async with store.turn(USER, "event-3/0") as turn:
        assert turn.answered is None
