"""A retrying outbox over any table with the delivery columns.

Those columns are ``status`` (pending / sent / failed), ``attempts``,
``next_attempt_at``, ``leased_until``, ``last_error`` and ``delivered_at``
(the handoff deliveries and the replies to proposers both have them).

A worker claims due rows by leasing them: PostgreSQL lets several workers
claim side by side (``FOR UPDATE SKIP LOCKED``), SQLite serialises them with
its write lock. A worker that dies mid-delivery leaves a lease that runs out,
and another worker takes the row again: delivery is at least once, so every
sink gets a stable key to recognise a repeat.

A claim hands out plain records (a frozen dataclass per outbox, its fields named as the table's
columns), not SQLAlchemy rows: what delivers them does not depend on the storage.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from sqlalchemy import Row, Table, or_, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.retry import RetryPolicy

PENDING = "pending"
SENT = "sent"
FAILED = "failed"


OUTBOX_RETRY = RetryPolicy(max_attempts=8, first_delay=timedelta(seconds=30), max_delay=timedelta(hours=1))
"""The outboxes' defaults (the settings choose the attempts, the first delay and the lease)."""


if TYPE_CHECKING:
    from _typeshed import DataclassInstance

Item = TypeVar("Item", bound="DataclassInstance")  # an outbox's record


@dataclass(frozen=True)
class Claimed(Generic[Item]):
    """A leased row as its outbox's record, its id, and the number of this attempt (1 for the first)."""

    item: Item
    id: int
    attempt: int


class OutboxQueue(Generic[Item]):
    def __init__(self, engine: AsyncEngine, table: Table, policy: RetryPolicy, item: type[Item]) -> None:
        self._engine = engine
        self._table = table
        self.policy = policy
        self._item = item
        self._columns = [field.name for field in fields(item)]
        missing = set(self._columns) - set(table.c.keys())
        if missing:
            raise ValueError(f"{item.__name__} names columns {table.name} does not have: {sorted(missing)}")

    def _read(self, row: Row[Any]) -> Item:
        return self._item(**{name: getattr(row, name) for name in self._columns})

    async def claim(self, now: datetime, limit: int = 20) -> list[Claimed[Item]]:
        """Lease up to ``limit`` due rows, oldest first, counting the attempt."""
        table = self._table
        due = (
            select(table)
            .where(
                table.c.status == PENDING,
                table.c.next_attempt_at <= now,
                or_(table.c.leased_until.is_(None), table.c.leased_until <= now),
            )
            .order_by(table.c.next_attempt_at, table.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        async with self._engine.begin() as connection:
            rows = (await connection.execute(due)).all()
            if rows:
                await connection.execute(
                    update(table)
                    .where(table.c.id.in_([row.id for row in rows]))
                    .values(leased_until=now + self.policy.lease, attempts=table.c.attempts + 1)
                )
        return [Claimed(self._read(row), row.id, row.attempts + 1) for row in rows]

    async def succeeded(self, claimed: Claimed[Item], now: datetime) -> None:
        await self._set(claimed, status=SENT, delivered_at=now, leased_until=None, last_error=None)

    async def failed(self, claimed: Claimed[Item], error: str, now: datetime) -> None:
        """Try again after the backoff delay, or give up for good after the last attempt."""
        if self.policy.gives_up(claimed.attempt):
            await self._set(claimed, status=FAILED, leased_until=None, last_error=error)
        else:
            retry_at = now + self.policy.delay(claimed.attempt)
            await self._set(claimed, next_attempt_at=retry_at, leased_until=None, last_error=error)

    async def retry_now(self, row_id: int, now: datetime) -> None:
        """A person asked to try a failed row again: it starts a fresh series of attempts."""
        async with self._engine.begin() as connection:
            await connection.execute(
                update(self._table)
                .where(self._table.c.id == row_id, self._table.c.status == FAILED)
                .values(status=PENDING, attempts=0, next_attempt_at=now, leased_until=None)
            )

    async def _set(self, claimed: Claimed[Item], **values: Any) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(
                update(self._table)
                .where(self._table.c.id == claimed.id, self._table.c.status == PENDING)
                .values(**values)
            )
