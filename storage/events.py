"""Inbound events and channel users on SQLAlchemy (SQLite for one process, PostgreSQL for several).

Claiming is per user: PostgreSQL serialises the claimers of one user with a
transaction-scoped advisory lock, SQLite with its write lock (``BEGIN
IMMEDIATE``). Under that lock a worker takes the user's oldest unfinished event
only when no other lease on the user is live, so one user's events are never
handled by two workers at once, whichever process they run in.
"""

from __future__ import annotations

import zlib
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, and_, exists, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.ingest.events import NewEvent, StoredEvent
from storage.sql_store import _insert
from storage.tables import channel_users, inbound_events

UNFINISHED = ("pending", "handled")


class SqlEventLog:
    """:class:`bot.ingest.events.EventLog` plus the channel-user flags (LINE follow / unfollow)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def add(self, events: list[NewEvent], now: datetime) -> None:
        if not events:
            return
        rows = [
            {
                "channel": event.channel, "event_id": event.event_id, "user_id": event.user_id,
                "occurred_at": event.occurred_at, "body": event.body, "status": "pending",
                "attempts": 0, "received_at": now,
            }
            for event in events
        ]
        async with self._engine.begin() as connection:
            await connection.execute(
                _insert(connection, inbound_events).on_conflict_do_nothing(index_elements=["channel", "event_id"]), rows
            )

    async def claim(self, channel: str, user_id: str, now: datetime, lease: timedelta) -> StoredEvent | None:
        async with self._engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                key = zlib.crc32(f"{channel}:{user_id}".encode())
                await connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
            mine = and_(
                inbound_events.c.channel == channel,
                inbound_events.c.user_id == user_id,
                inbound_events.c.status.in_(UNFINISHED),
            )
            held = select(inbound_events.c.id).where(mine, inbound_events.c.leased_until > now).limit(1)
            if (await connection.execute(held)).first() is not None:
                return None
            oldest = select(inbound_events).where(mine).order_by(
                inbound_events.c.occurred_at, inbound_events.c.id
            ).limit(1)
            row = (await connection.execute(oldest)).first()
            if row is None:
                return None
            await connection.execute(
                update(inbound_events).where(inbound_events.c.id == row.id).values(leased_until=now + lease)
            )
            return _stored(row)

    async def mark_handled(self, event_id: int, replies: str) -> None:
        await self._update(event_id, status="handled", replies=replies)

    async def finish(self, event_id: int, now: datetime, error: str | None = None) -> None:
        await self._update(
            event_id, status="failed" if error else "done", error=error, finished_at=now, leased_until=None
        )

    async def retry_later(self, event_id: int, until: datetime, error: str) -> None:
        await self._update(event_id, attempts=inbound_events.c.attempts + 1, leased_until=until, error=error)

    async def users_with_work(self, now: datetime) -> list[tuple[str, str]]:
        live = select(inbound_events.c.id).where(
            inbound_events.c.channel == _outer.c.channel,
            inbound_events.c.user_id == _outer.c.user_id,
            inbound_events.c.status.in_(UNFINISHED),
            inbound_events.c.leased_until > now,
        )
        query = (
            select(_outer.c.channel, _outer.c.user_id)
            .where(_outer.c.status.in_(UNFINISHED), ~exists(live))
            .group_by(_outer.c.channel, _outer.c.user_id)
            .order_by(func.min(_outer.c.id))
        )
        async with self._engine.connect() as connection:
            return [(row.channel, row.user_id) for row in await connection.execute(query)]

    async def list_events(self, channel: str) -> list[StoredEvent]:
        """Every stored event of a channel in arrival order (for operators and tests)."""
        query = select(inbound_events).where(inbound_events.c.channel == channel).order_by(inbound_events.c.id)
        async with self._engine.connect() as connection:
            return [_stored(row) for row in await connection.execute(query)]

    async def set_active(self, channel: str, user_id: str, active: bool, now: datetime) -> None:
        """Remember whether the user follows the bot (LINE unfollow = blocked)."""
        async with self._engine.begin() as connection:
            await connection.execute(
                _insert(connection, channel_users)
                .values(channel=channel, user_id=user_id, active=active, updated_at=now)
                .on_conflict_do_update(
                    index_elements=["channel", "user_id"], set_={"active": active, "updated_at": now}
                )
            )

    async def is_active(self, channel: str, user_id: str) -> bool | None:
        """None when the user never followed or unfollowed."""
        query = select(channel_users.c.active).where(
            channel_users.c.channel == channel, channel_users.c.user_id == user_id
        )
        async with self._engine.connect() as connection:
            return (await connection.execute(query)).scalar_one_or_none()

    async def _update(self, event_id: int, **values: object) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(update(inbound_events).where(inbound_events.c.id == event_id).values(**values))


_outer = inbound_events.alias("outer_events")


def _stored(row: Row[Any]) -> StoredEvent:
    return StoredEvent(
        id=row.id, channel=row.channel, event_id=row.event_id, user_id=row.user_id,
        occurred_at=row.occurred_at, body=row.body, status=row.status, replies=row.replies,
        attempts=row.attempts,
    )
