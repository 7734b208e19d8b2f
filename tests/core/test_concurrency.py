"""Concurrent messages of one user, through two engines on one database (two workers)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from bot.content.loader import Content
from bot.core.engine import Engine
from bot.core.messages import Inbound, UserKey
from bot.faq.live import build_index
from storage.migrate import upgrade
from storage.sql_store import SqlStore, create_engine_for
from tests.helpers import SCRIPTED, FakeClock, visible_text

USER = UserKey(channel="test", user_id="busy-user")


async def test_concurrent_turns_of_one_user_lose_nothing(content: Content, database_url: str) -> None:
    await upgrade(database_url)
    stores = [SqlStore(create_engine_for(database_url)) for _ in range(2)]
    clock = FakeClock(datetime(2026, 11, 25, 1, 0, tzinfo=UTC))
    engines = [Engine(content, store, build_index(content, None), clock, limit=SCRIPTED) for store in stores]
    try:
        await engines[0].handle(Inbound(user=USER, text="こんにちは"))
        questions = ["共創とは何ですか" + "？" * (number + 1) for number in range(8)]  # eight distinct lines, one entry

        replies = await asyncio.gather(
            *(engines[number % 2].handle(Inbound(user=USER, text=question)) for number, question in enumerate(questions))
        )

        assert all("立場の異なる協働相手" in visible_text(reply) for reply in replies)
        async with stores[0].turn(USER) as turn:
            logged = [asked.question for asked in turn.state.faq_log]
        assert sorted(logged) == sorted(questions)
        assert [count.count for count in await stores[0].question_counts(["answered"])] == [1] * 8
    finally:
        for store in stores:
            await store.close()
