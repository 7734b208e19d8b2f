"""Inbound events and channel users on SQLAlchemy (SQLite for one process, PostgreSQL for several).

Claiming takes, in one statement (after marking the events just finished
done, in the same transaction), the oldest pending event of every user that
nobody holds: an event is claimable when no pending event of its user is
older and none is leased. On PostgreSQL the claimed rows are locked with
``FOR UPDATE SKIP LOCKED`` and the lease is a condition on the row itself, so
two workers claiming at once never take the same event nor two events of one
user (the loser's recheck sees the lease); SQLite runs one writer at a time.
A user's next event becomes claimable only when the one before is finished,
so one user's events are handled one after the other, in order, whichever
process they run in.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import BindParameter, ColumnClause, Integer, Row, all_, and_, any_, bindparam, exists, literal_column, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.ingest.batching import GroupCommit
from bot.ingest.events import NewEvent, StoredEvent
from storage.gate import gate_of
from storage.sql_store import recoverable
from storage.statements import dialect_insert
from storage.tables import channel_users, inbound_events

PENDING, DONE, FAILED = "pending", "done", "failed"


@dataclass(frozen=True)
class EventRecord:
    """A stored event as operators and tests see it."""

    event_id: str
    user_id: str
    body: str
    status: str
    attempts: int
    error: str | None


class SqlEventLog:
    """:class:`bot.ingest.events.EventLog` plus the channel-user flags (LINE follow / unfollow)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine  # storing events: their commits reach the disk before the platform gets its 200
        self._handling = recoverable(engine)  # claiming and finishing: done again from the stored events if lost
        self._gate = gate_of(engine)  # storing events goes first
        self._flags = GroupCommit(self._write_flags)

    async def add(self, events: list[NewEvent], now: datetime) -> None:
        if not events:
            return
        rows = [
            {
                "channel": event.channel, "event_id": event.event_id, "user_id": event.user_id,
                "occurred_at": event.occurred_at, "body": event.body, "status": PENDING,
                "attempts": 0, "claims": 0, "sent": 0, "received_at": now,
            }
            for event in events
        ]
        async with self._gate.hold(first=True), self._engine.begin() as connection:
            await connection.execute(_ADD[connection.dialect.name], rows)

    async def claim(self, now: datetime, lease: timedelta, limit: int, finished: Sequence[int] = ()) -> list[StoredEvent]:
        if limit <= 0 and not finished:
            return []  # no transaction (and no turn of SQLite's connection) for nothing
        async with self._gate.hold(), self._handling.begin() as connection:
            postgres = connection.dialect.name == "postgresql"
            if finished and (limit <= 0 or not postgres):
                await connection.execute(_FINISH, {"ids": list(finished), "now": now})
                finished = ()
            if limit <= 0:
                return []
            claimed = await connection.execute(
                _CLAIM_AND_FINISH if postgres else _CLAIM,
                {"now": now, "until": now + lease, "limit": limit, "finished": list(finished)},
            )
            return sorted((_stored(row) for row in claimed), key=lambda event: event.id)

    async def finish_many(self, event_ids: Sequence[int], now: datetime) -> None:
        if event_ids:
            async with self._gate.hold(), self._handling.begin() as connection:
                await connection.execute(_FINISH, {"ids": list(event_ids), "now": now})

    async def give_up(self, event_id: int, now: datetime, error: str) -> None:
        await self._update(inbound_events.c.id == event_id, status=FAILED, error=error, finished_at=now, leased_until=None)

    async def retry_later(self, event_id: int, until: datetime, error: str, sent: int) -> None:
        await self._update(
            inbound_events.c.id == event_id, attempts=inbound_events.c.attempts + 1, leased_until=until, error=error, sent=sent
        )

    async def list_events(self, channel: str) -> list[EventRecord]:
        """Every stored event of a channel in arrival order (for operators and tests)."""
        query = select(inbound_events).where(inbound_events.c.channel == channel).order_by(inbound_events.c.id)
        async with self._engine.connect() as connection:
            return [
                EventRecord(row.event_id, row.user_id, row.body, row.status, row.attempts, row.error)
                for row in await connection.execute(query)
            ]

    async def message_text(self, channel: str, user_id: str, message_id: str) -> str | None:
        """The text of the user's message ``message_id`` as its stored event has it (None: no such text)."""
        found = await self._message_event(channel, user_id, message_id)
        return None if found is None else found[1]["message"].get("text")

    async def forget_message_text(self, channel: str, user_id: str, message_id: str) -> None:
        """Remove the text from the message's stored event (the user withdrew it: LINE's 送信取消)."""
        found = await self._message_event(channel, user_id, message_id)
        if found is None or "text" not in found[1]["message"]:
            return
        row_id, body = found
        body["message"] = {key: value for key, value in body["message"].items() if key != "text"} | {"unsent": True}
        async with self._engine.begin() as connection:  # durable at once, as the text's storing was
            await connection.execute(update(inbound_events).where(inbound_events.c.id == row_id).values(body=json.dumps(body)))

    async def read_token(self, channel: str, user_id: str, until_ms: int) -> str | None:
        """The ``markAsReadToken`` of the user's newest message LINE timed at or before ``until_ms``.

        The user's events are handled in that order, so when a message handled at ``until_ms`` was shown,
        every earlier one was handled too.
        """
        query = (
            select(inbound_events.c.body)
            .where(
                inbound_events.c.channel == channel, inbound_events.c.user_id == user_id,
                inbound_events.c.occurred_at <= until_ms,
                inbound_events.c.body.contains('"markAsReadToken"'),
            )
            .order_by(inbound_events.c.occurred_at.desc(), inbound_events.c.id.desc())
            .limit(1)
        )
        async with self._engine.connect() as connection:
            body = (await connection.execute(query)).scalar_one_or_none()
        token = json.loads(body).get("message", {}).get("markAsReadToken") if body is not None else None
        return token if isinstance(token, str) else None

    async def _message_event(self, channel: str, user_id: str, message_id: str) -> tuple[int, dict[str, Any]] | None:
        # The body is the event's JSON as stored (json.dumps): the id is found as it is written there.
        needle = json.dumps({"id": message_id})[1:-1]
        query = select(inbound_events.c.id, inbound_events.c.body).where(
            inbound_events.c.channel == channel, inbound_events.c.user_id == user_id,
            inbound_events.c.body.contains(needle, autoescape=True),
        )
        async with self._engine.connect() as connection:
            for row in await connection.execute(query):
                body = json.loads(row.body)
                message = body.get("message")
                if body.get("type") == "message" and isinstance(message, dict) and message.get("id") == message_id:
                    return int(row.id), body
        return None

    async def set_active(self, channel: str, user_id: str, active: bool, now: datetime) -> None:
        """Remember whether the user follows the bot (LINE unfollow = blocked); part of handling a stored event.

        The flags set at the same moment (a broadcast's new friends) are written in one transaction.
        """
        await self._flags.add([{"channel": channel, "user_id": user_id, "active": active, "updated_at": now}])

    async def _write_flags(self, rows: list[dict[str, Any]]) -> None:
        latest = {(row["channel"], row["user_id"]): row for row in rows}  # one row per user: the flag set last
        async with self._gate.hold(), self._handling.begin() as connection:
            upsert = dialect_insert(connection, channel_users)
            await connection.execute(
                upsert.on_conflict_do_update(
                    index_elements=["channel", "user_id"],
                    set_={"active": upsert.excluded.active, "updated_at": upsert.excluded.updated_at},
                ),
                list(latest.values()),
            )

    async def is_active(self, channel: str, user_id: str) -> bool | None:
        """None when the user never followed or unfollowed."""
        query = select(channel_users.c.active).where(
            channel_users.c.channel == channel, channel_users.c.user_id == user_id
        )
        async with self._engine.connect() as connection:
            return (await connection.execute(query)).scalar_one_or_none()

    async def _update(self, which: Any, **values: object) -> None:
        async with self._gate.hold(), self._handling.begin() as connection:
            await connection.execute(update(inbound_events).where(which).values(**values))


_other = inbound_events.alias("other_events")
_IS_PENDING: ColumnClause[str] = literal_column("'pending'")  # written out, not a parameter: so the partial indexes on pending events apply
_CLAIMED = (
    inbound_events.c.id, inbound_events.c.channel, inbound_events.c.event_id, inbound_events.c.user_id,
    inbound_events.c.occurred_at, inbound_events.c.body, inbound_events.c.attempts, inbound_events.c.claims,
    inbound_events.c.sent,
)


def _claim_statement(postgres: bool) -> Any:
    """Lease the oldest claimable events: each its user's oldest pending event, while no pending event of the user is leased.

    On PostgreSQL the statement also marks the ``finished`` events done (a writable CTE: one round trip for
    the claim transaction's work). Its subqueries see the rows as they were before the statement, so the
    finished events, still pending there, are told not to stand in their users' way.
    """
    events = inbound_events
    now: BindParameter[Any] = bindparam("now")  # typed by what it is compared with (a lease's time)
    in_the_way = exists().where(
        _other.c.channel == events.c.channel,
        _other.c.user_id == events.c.user_id,
        _other.c.status == _IS_PENDING,
        _other.c.id != events.c.id,
        or_(
            _other.c.occurred_at < events.c.occurred_at,
            and_(_other.c.occurred_at == events.c.occurred_at, _other.c.id < events.c.id),
            _other.c.leased_until > now,
        ),
    )
    heads = select(events.c.id).where(
        events.c.status == _IS_PENDING, or_(events.c.leased_until.is_(None), events.c.leased_until <= now)
    )
    if postgres:
        finished = bindparam("finished", type_=postgresql.ARRAY(Integer))  # one parameter: one statement for any count
        in_the_way = in_the_way.where(_other.c.id != all_(finished))
        heads = heads.where(events.c.id != all_(finished))
    heads = heads.where(~in_the_way).order_by(events.c.id).limit(bindparam("limit", type_=Integer))
    if postgres:
        heads = heads.with_for_update(skip_locked=True, of=events)
    claim = update(events).where(events.c.id.in_(heads.scalar_subquery()))
    if postgres:
        finish = _MARK_DONE.where(inbound_events.c.id == any_(finished)).cte("finished")
        claim = claim.add_cte(finish)
    return claim.values(leased_until=bindparam("until"), claims=events.c.claims + 1).returning(*_CLAIMED)


# Built once: compiled once, and found in SQLAlchemy's statement cache without rebuilding the expression.
_MARK_DONE = update(inbound_events).values(status=DONE, finished_at=bindparam("now"), leased_until=None)
_FINISH = _MARK_DONE.where(inbound_events.c.id.in_(bindparam("ids", expanding=True)))
_CLAIM, _CLAIM_AND_FINISH = _claim_statement(postgres=False), _claim_statement(postgres=True)
_ADD = {
    dialect: insert_for(inbound_events).on_conflict_do_nothing(index_elements=["channel", "event_id"])
    for dialect, insert_for in (("postgresql", postgresql.insert), ("sqlite", sqlite.insert))
}


def _stored(row: Row[Any]) -> StoredEvent:
    # RETURNING gives the row as updated: ``claims`` counts this claim, the event knows the ones before it.
    return StoredEvent(
        id=row.id, channel=row.channel, event_id=row.event_id, user_id=row.user_id, occurred_at=row.occurred_at,
        body=row.body, attempts=row.attempts, claims=row.claims - 1, sent=row.sent,
    )
