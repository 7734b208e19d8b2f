"""`kyoso purge` forgets what is older than the retention period, keeps submitted drafts, and is idempotent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select, update

from bot.core.messages import UserKey
from storage.retention import preview, purge
from storage.sql_store import SqlStore, create_engine_for
from storage.tables import conversations, inbound_events
from tests.proposals import make_submission, submit

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
OLD = NOW - timedelta(days=120)


async def test_old_conversations_and_finished_events_go_drafts_stay(store: SqlStore, database_url: str) -> None:
    idle, recent = UserKey(channel="line", user_id="U-idle"), UserKey(channel="line", user_id="U-recent")
    reference = await submit(store, make_submission(user=idle))
    async with store.turn(recent) as turn:
        turn.state.values["org_name"] = "最近の団体"
    engine = create_engine_for(database_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(update(conversations).where(conversations.c.user_id == "U-idle").values(updated_at=OLD))
            await connection.execute(insert(inbound_events), [
                _event("old-done", "done", finished_at=OLD), _event("new-done", "done", finished_at=NOW),
                _event("old-pending", "pending", finished_at=None),
            ])

        foreseen = await preview(engine, NOW - timedelta(days=90))
        first = await purge(engine, NOW - timedelta(days=90))
        second = await purge(engine, NOW - timedelta(days=90))

        async with engine.connect() as connection:
            users = set((await connection.execute(select(conversations.c.user_id))).scalars())
            events = set((await connection.execute(select(inbound_events.c.event_id))).scalars())
    finally:
        await engine.dispose()
    assert (foreseen.conversations, foreseen.events, foreseen.oldest_activity) == (1, 1, OLD)
    assert (first.conversations, first.events) == (1, 1)
    assert (second.conversations, second.events) == (0, 0)
    assert users == {"U-recent"} and events == {"new-done", "old-pending"}
    assert (await store.get_draft(reference)) is not None


def _event(event_id: str, status: str, finished_at: datetime | None) -> dict[str, object]:
    return {
        "channel": "line", "event_id": event_id, "user_id": "U-idle", "occurred_at": 0, "body": "{}",
        "status": status, "attempts": 0, "received_at": OLD, "finished_at": finished_at,
    }
