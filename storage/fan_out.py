"""Queue one pending delivery per sink for each new row of a source table, once across workers.

The proposer's answers and the revised versions of a draft both reach every sink this way: the
waiting rows are locked (skip locked, so two workers take different rows), marked, and a delivery
per (row, sink) is inserted, ignoring one that exists already.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Column, Table, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.queue import PENDING
from storage.statements import dialect_insert


async def fan_out(
    engine: AsyncEngine, source: Table, marked_at: Column[datetime], deliveries: Table, key: str,
    sinks: Sequence[str], now: datetime, limit: int,
) -> int:
    """Mark up to `limit` rows of `source` whose `marked_at` is empty and queue their deliveries; the number marked."""
    if not sinks:
        return 0
    waiting = marked_at.is_(None)
    async with engine.begin() as connection:
        ids = list((await connection.execute(
            select(source.c.id).where(waiting).order_by(source.c.id).limit(limit).with_for_update(skip_locked=True)
        )).scalars())
        if not ids:
            return 0
        marked = list((await connection.execute(
            update(source).where(source.c.id.in_(ids), waiting).values({marked_at.name: now}).returning(source.c.id)
        )).scalars())
        if marked:
            await connection.execute(
                dialect_insert(connection, deliveries).on_conflict_do_nothing(index_elements=[key, "sink"]),
                [{key: row_id, "sink": sink, "status": PENDING, "attempts": 0, "next_attempt_at": now}
                 for row_id in marked for sink in sinks],
            )
    return len(marked)
