"""Usage events on SQLAlchemy: written in the user's turn, read back (with drafts and consultations) for the insights page.

Nothing here names a user: the staff figures are counts by channel and time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.core.usage import UsageEvent
from storage.tables import consultations, drafts, usage_events

_ADD = insert(usage_events)


async def record_usage(connection: AsyncConnection, channel: str, events: Sequence[UsageEvent]) -> None:
    """Part of the turn's transaction: the events are kept exactly when the turn is."""
    await connection.execute(_ADD, [
        {"channel": channel, "kind": event.kind, "subject": event.subject, "outcome": event.outcome, "at": event.at}
        for event in events
    ])


@dataclass(frozen=True)
class Used:
    """What happened in a span of time, row by row (the caller counts)."""

    events: list[tuple[str, UsageEvent]]  # (channel, event)
    submitted: list[tuple[str, datetime]]  # (channel, submitted_at) of each draft
    consulted: list[tuple[str, datetime, datetime | None]]  # (channel, opened_at, taken_at) of each consultation


class SqlUsage:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def between(self, since: datetime, before: datetime) -> Used:
        """Everything from ``since`` up to (not including) ``before``."""
        events = select(usage_events).where(usage_events.c.at >= since, usage_events.c.at < before).order_by(usage_events.c.id)
        submitted = select(drafts.c.channel, drafts.c.submitted_at).where(
            drafts.c.submitted_at >= since, drafts.c.submitted_at < before
        )
        consulted = select(consultations.c.channel, consultations.c.opened_at, consultations.c.taken_at).where(
            consultations.c.opened_at >= since, consultations.c.opened_at < before
        )
        async with self._engine.connect() as connection:
            return Used(
                events=[
                    (row.channel, UsageEvent(row.kind, row.at, row.subject, row.outcome))
                    for row in await connection.execute(events)
                ],
                submitted=[(row.channel, row.submitted_at) for row in await connection.execute(submitted)],
                consulted=[(row.channel, row.opened_at, row.taken_at) for row in await connection.execute(consulted)],
            )
