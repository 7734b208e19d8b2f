"""Under a burst the ingest claims and finishes events a few at a time, and still handles each once, in each user's order."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import event

from bot.clock import SystemClock
from bot.ingest.events import NewEvent, StoredEvent
from bot.ingest.worker import Ingest, IngestPolicy
from storage.events import SqlEventLog
from storage.migrate import upgrade
from storage.sql_store import create_engine_for


async def test_a_burst_is_claimed_in_batches_each_event_once_in_order(database_url: str) -> None:
    await upgrade(database_url)
    engine = create_engine_for(database_url)
    events = SqlEventLog(engine)
    users, per_user = 40, 3
    await events.add(
        [
            NewEvent(channel="line", event_id=f"e{user}-{n}", user_id=f"U{user}", occurred_at=n, body="{}")
            for n in range(per_user) for user in range(users)
        ],
        datetime.now(UTC),
    )
    handled: list[tuple[str, str]] = []
    commits = 0

    def committed(*_: object) -> None:
        nonlocal commits
        commits += 1

    async def process(stored: StoredEvent) -> None:
        await asyncio.sleep(0.005)  # a turn takes a moment: the others end meanwhile
        handled.append((stored.user_id, stored.event_id))

    ingest = Ingest(events, process, SystemClock(ZoneInfo("Asia/Tokyo")), IngestPolicy(concurrency=8, claim_batch=4, sweep_every=60))
    event.listen(engine.sync_engine, "commit", committed)
    try:
        await ingest.start()
        await asyncio.wait_for(ingest.idle(), 30)
        await ingest.stop()
        assert sorted(event_id for _, event_id in handled) == sorted(f"e{u}-{n}" for u in range(users) for n in range(per_user))
        for user in range(users):
            assert [event_id for who, event_id in handled if who == f"U{user}"] == [f"e{user}-{n}" for n in range(per_user)]
        assert {record.status for record in await events.list_events("line")} == {"done"}
        # Every kick (each event's end) that finds too few free slots, or nothing to do, costs no transaction:
        # a claim per event would be 120 and more.
        assert commits <= users * per_user / 4 + 4
    finally:
        await engine.dispose()
