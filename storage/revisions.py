"""The user's side of the drafts after the handoff, read and written in the user's turn (``SqlTurn``):
わたしの提案, and resubmitting a draft staff returned for revision (差し戻し)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core.messages import UserKey
from bot.core.my_proposals import SubmittedDraft
from storage.tables import drafts


async def drafts_of(connection: AsyncConnection, user: UserKey) -> list[SubmittedDraft]:
    """The user's submitted drafts on this channel, newest first."""
    query = (
        select(drafts.c.reference, drafts.c.status, drafts.c.version, drafts.c.submitted_at, drafts.c.data)
        .where(drafts.c.channel == user.channel, drafts.c.user_id == user.user_id)
        .order_by(drafts.c.submitted_at.desc(), drafts.c.id.desc())
    )
    return [
        SubmittedDraft(
            reference=row.reference, status=row.status, version=row.version, submitted_at=row.submitted_at,
            data={name: str(value) for name, value in row.data.items() if value is not None and name != "schema_version"},
        )
        for row in await connection.execute(query)
    ]
