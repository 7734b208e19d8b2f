"""Migration 0006: events a stopped worker left half done keep their replies (in answered_turns) and are taken up again."""

from __future__ import annotations

from alembic import command
from sqlalchemy import select, text
from sqlalchemy.engine import Connection

from storage.migrate import alembic_config, upgrade
from storage.sql_store import create_engine_for
from storage.tables import answered_turns, inbound_events

REPLIES = '[{"kind": "text", "text": "ご用件を選んでください", "choices": []}]'
LEASED = "'2026-11-25 10:00:00'"  # a time literal both databases read


def _to_0005(connection: Connection) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "0005_sessions")


async def test_handled_and_answered_events_keep_their_replies_and_are_retried_as_interrupted(database_url: str) -> None:
    engine = create_engine_for(database_url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_to_0005)
            for event_id, status, replies, leased in [
                ("E-handled", "handled", REPLIES, LEASED),  # replies stored, not delivered
                ("E-answered", "pending", None, LEASED),  # the turn ran, its event not marked
                ("E-new", "pending", None, "NULL"),  # never claimed
            ]:
                await connection.execute(
                    text(
                        "INSERT INTO inbound_events (channel, event_id, user_id, occurred_at, body, status, replies,"
                        f" attempts, leased_until, received_at) VALUES ('line', :event_id, 'U1', 1, '{{}}', :status,"
                        f" :replies, 0, {leased}, {LEASED})"
                    ),
                    {"event_id": event_id, "status": status, "replies": replies},
                )
            await connection.execute(text(
                "INSERT INTO answered_turns (channel, user_id, turn_key, replies, answered_at)"
                f" VALUES ('line', 'U1', 'E-answered/0', :replies, {LEASED})"
            ), {"replies": REPLIES})
        await upgrade(database_url)
        async with engine.connect() as connection:
            events = (await connection.execute(
                select(inbound_events.c.event_id, inbound_events.c.status, inbound_events.c.claims, inbound_events.c.sent)
                .order_by(inbound_events.c.id)
            )).all()
            kept = dict((await connection.execute(select(answered_turns.c.turn_key, answered_turns.c.replies))).all())
    finally:
        await engine.dispose()
    assert [tuple(row) for row in events] == [
        ("E-handled", "pending", 1, 0), ("E-answered", "pending", 1, 0), ("E-new", "pending", 0, 0),
    ]
    assert kept == {"E-handled": REPLIES, "E-answered": REPLIES}
