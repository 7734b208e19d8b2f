"""SQLite statements run on the event loop's thread; what may wait (another process's write lock) does not stop the loop."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from bot.core.messages import UserKey
from bot.core.state import ConversationState
from storage.migrate import upgrade
from storage.sql_store import SqlStore, create_engine_for, recoverable

ALICE = UserKey(channel="line", user_id="U-alice")


async def test_a_turn_waits_for_another_processs_write_lock_while_the_loop_goes_on(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'kyoso.db'}"
    await upgrade(url)
    engine = create_engine_for(url)
    store = SqlStore(engine)
    other = sqlite3.connect(tmp_path / "kyoso.db", isolation_level=None)  # e.g. `kyoso purge` in another process
    try:
        other.execute("BEGIN IMMEDIATE")

        async def turn() -> None:
            async with store.turn(ALICE) as conversation:
                conversation.state = ConversationState(step="welcome.start")

        waiting = asyncio.create_task(turn())
        ticks = 0
        for _ in range(10):  # the loop keeps running while the turn waits for the lock
            await asyncio.sleep(0.02)
            ticks += 1
        assert ticks == 10 and not waiting.done()
        other.execute("COMMIT")
        await asyncio.wait_for(waiting, 10)
        async with store.turn(ALICE) as conversation:
            assert conversation.state.step == "welcome.start"
    finally:
        other.close()
        await engine.dispose()


async def test_only_recoverable_transactions_skip_the_wait_for_the_disk(tmp_path: Path) -> None:
    """Storing events (before a webhook's 200) commits with ``synchronous=FULL``; turns, claims, finishes with NORMAL.

    Alternating, as webhooks and turns do: the level set for one transaction is never left for the next.
    """
    url = f"sqlite+aiosqlite:///{tmp_path / 'kyoso.db'}"
    await upgrade(url)
    engine = create_engine_for(url)
    seen = []
    try:
        for recover in (False, True, True, False, True, False, False):
            async with (recoverable(engine) if recover else engine).begin() as connection:
                seen.append((recover, (await connection.exec_driver_sql("PRAGMA synchronous")).scalar_one()))
    finally:
        await engine.dispose()
    assert seen == [(recover, 1 if recover else 2) for recover, _ in seen]  # 1 NORMAL, 2 FULL
