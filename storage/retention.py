"""`kyoso purge`: forget conversations and platform events older than the retention period.

Submitted drafts and their consent records are not touched: staff need them. Safe to run
from cron: it deletes only what is older than the cut-off, so a second run finds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.tables import answered_turns, conversations, inbound_events


@dataclass(frozen=True)
class Purged:
    conversations: int
    events: int


async def purge(engine: AsyncEngine, cutoff: datetime) -> Purged:
    """Delete conversations untouched since ``cutoff`` and finished events that ended before it."""
    async with engine.begin() as connection:
        idle = await connection.execute(delete(conversations).where(conversations.c.updated_at < cutoff))
        finished = await connection.execute(
            delete(inbound_events).where(inbound_events.c.status == "done", inbound_events.c.finished_at < cutoff)
        )
        # Kept only so that a retry after a crash does not run a turn twice: long done by now.
        await connection.execute(delete(answered_turns).where(answered_turns.c.answered_at < cutoff))
    return Purged(conversations=idle.rowcount, events=finished.rowcount)
