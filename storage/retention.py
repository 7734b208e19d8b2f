"""`kyoso purge`: forget conversations, platform events and transfer codes older than the retention period.

Submitted drafts, their consent records and documents are not touched: staff need them. Safe to run
from cron: it deletes only what is older than the cut-off, so a second run finds nothing.
The staff console shows the same selection beforehand (:func:`preview`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, delete, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.documents import purge_orphans
from storage.tables import answered_turns, conversations, inbound_events, web_chat_lines
from storage.transfer import purge_codes


@dataclass(frozen=True)
class Purged:
    conversations: int
    events: int


@dataclass(frozen=True)
class PurgePreview:
    """What a purge with this cut-off would forget; counts only, no content."""

    cutoff: datetime
    conversations: int
    events: int
    oldest_activity: datetime | None  # the idle conversation untouched longest


def _idle(cutoff: datetime) -> ColumnElement[bool]:
    return conversations.c.updated_at < cutoff


def _finished(cutoff: datetime) -> ColumnElement[bool]:
    return and_(inbound_events.c.status == "done", inbound_events.c.finished_at < cutoff)


async def purge(engine: AsyncEngine, cutoff: datetime) -> Purged:
    """Delete conversations untouched since ``cutoff`` and finished events that ended before it."""
    async with engine.begin() as connection:
        idle = await connection.execute(delete(conversations).where(_idle(cutoff)))
        finished = await connection.execute(delete(inbound_events).where(_finished(cutoff)))
        # Kept only so that a retry after a crash does not run a turn twice: long done by now.
        await connection.execute(delete(answered_turns).where(answered_turns.c.answered_at < cutoff))
        # What the web chat shows again after a reload: lines from before the cut-off are not shown any more.
        await connection.execute(delete(web_chat_lines).where(web_chat_lines.c.created_at < cutoff))
        await purge_orphans(connection)  # the files of the drafts in progress of the conversations forgotten above
        await purge_codes(connection, cutoff)  # 「別の端末で続ける」's codes and wrong tries
    return Purged(conversations=idle.rowcount, events=finished.rowcount)


async def preview(engine: AsyncEngine, cutoff: datetime) -> PurgePreview:
    async with engine.connect() as connection:
        idle = (await connection.execute(
            select(func.count(), func.min(conversations.c.updated_at)).where(_idle(cutoff))
        )).one()
        events = (await connection.execute(select(func.count()).select_from(inbound_events).where(_finished(cutoff)))).scalar_one()
    return PurgePreview(cutoff=cutoff, conversations=idle[0], events=events, oldest_activity=idle[1])
