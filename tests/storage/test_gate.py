"""SQLite's one connection: a webhook storing its events goes before the turns that were waiting already."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from bot.core.messages import UserKey
from bot.ingest.events import NewEvent
from storage.events import SqlEventLog
from storage.migrate import upgrade
from storage.sql_store import SqlStore, create_engine_for


async def test_storing_events_goes_before_waiting_turns(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'kyoso.db'}"
    await upgrade(url)
    engine = create_engine_for(url)
    store, events = SqlStore(engine), SqlEventLog(engine)
    order: list[str] = []
    release = asyncio.Event()

    async def turn(user: str, wait: bool = False) -> None:
        async with store.turn(UserKey(channel="line", user_id=user)):
            order.append(user)
            if wait:
                await release.wait()

    async def store_event() -> None:
        event = NewEvent(channel="line", event_id="e1", user_id="U-new", occurred_at=1, body="{}")
        await events.add([event], datetime.now(UTC))
        order.append("stored")

    try:
        holding = asyncio.create_task(turn("U-first", wait=True))
        await asyncio.sleep(0.05)
        waiting = [asyncio.create_task(turn(f"U-{n}")) for n in range(3)]
        await asyncio.sleep(0.05)
        storing = asyncio.create_task(store_event())
        await asyncio.sleep(0.05)
        release.set()
        await asyncio.wait_for(asyncio.gather(holding, *waiting, storing), 10)
        assert order == ["U-first", "stored", "U-0", "U-1", "U-2"]
        assert [record.event_id for record in await events.list_events("line")] == ["e1"]
    finally:
        await engine.dispose()
