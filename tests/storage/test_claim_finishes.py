"""A claim marks the events just finished done and may take their users' next events, in one transaction
(on PostgreSQL in one statement: the claim transaction's work is one round trip)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import event

from bot.ingest.events import NewEvent
from storage.events import SqlEventLog
from storage.migrate import upgrade
from storage.sql_store import create_engine_for

LEASE = timedelta(minutes=2)


async def test_a_finished_event_lets_its_users_next_one_be_claimed_in_the_same_statement(database_url: str) -> None:
    await upgrade(database_url)
    engine = create_engine_for(database_url)
    events = SqlEventLog(engine)
    now = datetime.now(UTC)
    await events.add(
        [NewEvent(channel="line", event_id=f"{user}-{n}", user_id=user, occurred_at=n, body="{}") for n in range(2) for user in "AB"],
        now,
    )
    statements: list[str] = []

    def executed(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    try:
        first = await events.claim(now, LEASE, 10)
        assert [one.event_id for one in first] == ["A-0", "B-0"], "one event per user at a time"
        assert await events.claim(now, LEASE, 10) == [], "both users are held"

        event.listen(engine.sync_engine, "before_cursor_execute", executed)
        second = await events.claim(now, LEASE, 10, finished=[first[0].id])
        event.remove(engine.sync_engine, "before_cursor_execute", executed)
        assert [one.event_id for one in second] == ["A-1"], "A's next event, not B's (B-0 still runs)"
        claiming = [statement for statement in statements if not statement.startswith(("BEGIN", "PRAGMA"))]
        assert len(claiming) == (1 if engine.dialect.name == "postgresql" else 2), claiming

        third = await events.claim(now, LEASE, 10, finished=[second[0].id, first[1].id])
        assert [one.event_id for one in third] == ["B-1"]
        records = {record.event_id: record.status for record in await events.list_events("line")}
        assert records == {"A-0": "done", "A-1": "done", "B-0": "done", "B-1": "pending"}
    finally:
        await engine.dispose()
