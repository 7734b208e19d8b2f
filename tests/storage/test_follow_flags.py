"""The follow flags of a broadcast's new friends, set at the same moment, are written in one transaction each burst."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import event

from storage.events import SqlEventLog
from storage.migrate import upgrade
from storage.sql_store import create_engine_for


async def test_flags_set_at_once_share_a_commit_and_each_is_stored_when_its_call_returns(database_url: str) -> None:
    await upgrade(database_url)
    engine = create_engine_for(database_url)
    events = SqlEventLog(engine)
    commits = 0

    def committed(*_: object) -> None:
        nonlocal commits
        commits += 1

    now = datetime.now(UTC)
    try:
        await events.set_active("line", "U0", True, now)
        event.listen(engine.sync_engine, "commit", committed)
        await asyncio.gather(*(events.set_active("line", f"U{n}", n % 3 != 0, now) for n in range(30)))
        assert commits <= 3, "one transaction per burst, not one per follower"
        for n in range(30):
            assert await events.is_active("line", f"U{n}") is (n % 3 != 0)
        assert await events.is_active("line", "U99") is None
    finally:
        await engine.dispose()
