"""The handoff outbox: one row per submitted draft, fanned out to one delivery row per sink.

``SqlTurn.submit`` writes the outbox row in the submission's transaction; the
dispatcher (``bot/handoff``) turns it into deliveries for the sinks configured
at that moment and works through them with :class:`storage.queue.OutboxQueue`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.retry import RetryPolicy
from storage.fan_out import fan_out
from storage.queue import PENDING, OutboxQueue
from storage.staff import queue_notice
from storage.statements import dialect_insert
from storage.tables import draft_versions, drafts, handoff_deliveries, handoff_outbox, version_deliveries


@dataclass(frozen=True)
class DeliveryStatus:
    """How far one sink got with one draft (shown to staff)."""

    id: int
    sink: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    delivered_at: datetime | None


@dataclass(frozen=True)
class NewVersion:
    """A resubmitted version of a draft (after a 差し戻し), as the staff sinks are told of it."""

    reference: str
    version: int
    data: dict[str, Any]
    changes: dict[str, dict[str, Any]]


@dataclass(frozen=True)
class DraftDelivery:
    """A new draft due at one staff sink."""

    draft_id: int
    sink: str


@dataclass(frozen=True)
class VersionDelivery:
    """A resubmitted version due at one staff sink."""

    version_id: int
    sink: str


class SqlHandoff:
    def __init__(self, engine: AsyncEngine, policy: RetryPolicy) -> None:
        self._engine = engine
        self.deliveries = OutboxQueue(engine, handoff_deliveries, policy, DraftDelivery)
        self.version_deliveries = OutboxQueue(engine, version_deliveries, policy, VersionDelivery)

    async def fan_out_versions(self, sinks: Sequence[str], now: datetime, limit: int = 100) -> int:
        """A pending delivery per sink for each new version not fanned out yet (several workers: each once)."""
        return await fan_out(
            self._engine, draft_versions, draft_versions.c.fanned_out_at, version_deliveries, "version_id", sinks, now, limit
        )

    async def new_version(self, version_id: int) -> NewVersion:
        query = (
            select(drafts.c.reference, draft_versions.c.version, draft_versions.c.data, draft_versions.c.changes)
            .join(drafts, drafts.c.id == draft_versions.c.draft_id).where(draft_versions.c.id == version_id)
        )
        async with self._engine.connect() as connection:
            row = (await connection.execute(query)).one()
        return NewVersion(reference=row.reference, version=row.version, data=dict(row.data), changes=dict(row.changes))

    async def fan_out(self, sinks: Sequence[str], now: datetime, limit: int = 100) -> int:
        """Make a pending delivery per sink for drafts not fanned out yet; return how many drafts.

        With no sink configured the drafts stay in the outbox for a later start that has one.
        """
        if not sinks:
            return 0
        waiting = (
            select(handoff_outbox.c.id, handoff_outbox.c.draft_id)
            .where(handoff_outbox.c.fanned_out_at.is_(None))
            .order_by(handoff_outbox.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        async with self._engine.begin() as connection:
            rows = (await connection.execute(waiting)).all()
            for row in rows:
                await connection.execute(
                    dialect_insert(connection, handoff_deliveries).on_conflict_do_nothing(index_elements=["draft_id", "sink"]),
                    [
                        {"draft_id": row.draft_id, "sink": sink, "status": PENDING, "attempts": 0,
                         "next_attempt_at": now}
                        for sink in sinks
                    ],
                )
            if rows:
                await connection.execute(
                    update(handoff_outbox)
                    .where(handoff_outbox.c.id.in_([row.id for row in rows]))
                    .values(fanned_out_at=now)
                )
        return len(rows)

    async def queue_receipts(
        self, make: Callable[[str, Mapping[str, Any]], tuple[str, str] | None], now: datetime, limit: int = 100,
    ) -> int:
        """Decide the 受付控え of each draft not looked at yet: ``make`` gives (address, text) or None; the mail is
        queued in the replies' outbox in the same transaction that marks the draft (each draft once)."""
        waiting = handoff_outbox.c.receipt_at.is_(None)
        query = (
            select(handoff_outbox.c.id, drafts.c.id.label("draft_id"), drafts.c.reference, drafts.c.data)
            .join(drafts, drafts.c.id == handoff_outbox.c.draft_id)
            .where(waiting).order_by(handoff_outbox.c.id).limit(limit)
            .with_for_update(skip_locked=True, of=handoff_outbox)
        )
        queued = 0
        async with self._engine.begin() as connection:
            rows = (await connection.execute(query)).all()
            for row in rows:
                made = make(row.reference, row.data)
                if made is not None:
                    address, text = made
                    await queue_notice(connection, row.draft_id, "receipt", text, now, to=("email", address))
                    queued += 1
            if rows:
                await connection.execute(
                    update(handoff_outbox).where(handoff_outbox.c.id.in_([row.id for row in rows]), waiting)
                    .values(receipt_at=now)
                )
        return queued

    async def reference_of(self, draft_id: int) -> str:
        async with self._engine.connect() as connection:
            query = select(drafts.c.reference).where(drafts.c.id == draft_id)
            return str((await connection.execute(query)).scalar_one())

    async def statuses(self, reference: str) -> list[DeliveryStatus]:
        """Every sink's delivery of one draft, in sink order."""
        query = (
            select(handoff_deliveries)
            .join(drafts, drafts.c.id == handoff_deliveries.c.draft_id)
            .where(drafts.c.reference == reference)
            .order_by(handoff_deliveries.c.sink)
        )
        async with self._engine.connect() as connection:
            return [
                DeliveryStatus(
                    id=row.id, sink=row.sink, status=row.status, attempts=row.attempts,
                    next_attempt_at=row.next_attempt_at, last_error=row.last_error, delivered_at=row.delivered_at,
                )
                for row in await connection.execute(query)
            ]
