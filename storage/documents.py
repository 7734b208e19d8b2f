"""Documents (企画書) in the database: kept with the user's draft in progress, linked to it when it is submitted.

A document of a draft in progress belongs to the conversation (channel, user) and has no draft yet;
最初から and データ削除 forget it, and so does ``kyoso purge`` with its idle conversation; it moves with
the draft to another channel (「別の端末で続ける」). Once the draft is submitted, the document stays with
the draft for staff (deleted with it) and is served only through the staff console
(``bot/staff/documents.py``) and the staff mail.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, delete, exists, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.core.documents import NewDocument
from bot.core.draft import DocumentNote
from bot.core.messages import UserKey
from storage.tables import conversations, documents, drafts


@dataclass(frozen=True)
class StoredFile:
    """A document's bytes, for the staff download and the staff mail."""

    note: DocumentNote
    data: bytes


def _pending(user: UserKey) -> ColumnElement[bool]:
    return and_(documents.c.channel == user.channel, documents.c.user_id == user.user_id, documents.c.draft_id.is_(None))


async def keep(connection: AsyncConnection, user: UserKey, document: NewDocument) -> int:
    inserted = await connection.execute(
        insert(documents)
        .values(
            channel=user.channel, user_id=user.user_id, name=document.name, kind=document.kind,
            size=len(document.data), data=document.data, received_at=document.received_at,
        )
        .returning(documents.c.id)
    )
    return int(inserted.scalar_one())


async def discard_pending(connection: AsyncConnection, user: UserKey) -> None:
    """The files of the user's draft in progress (最初から, データ削除)."""
    await connection.execute(delete(documents).where(_pending(user)))


async def move_pending(connection: AsyncConnection, source: UserKey, to: UserKey) -> None:
    """The files of a draft in progress go with it to another channel (「別の端末で続ける」); ``to``'s own are forgotten."""
    await discard_pending(connection, to)
    await connection.execute(update(documents).where(_pending(source)).values(channel=to.channel, user_id=to.user_id))


async def link(connection: AsyncConnection, user: UserKey, draft_id: int, kept: Sequence[DocumentNote]) -> None:
    """The files the submitted draft lists go with it; any other file of the user's in progress is forgotten."""
    ids = [note.id for note in kept]
    if ids:
        await connection.execute(update(documents).where(_pending(user), documents.c.id.in_(ids)).values(draft_id=draft_id))
    await discard_pending(connection, user)


async def notes_of(connection: AsyncConnection, draft_ids: Sequence[int]) -> dict[int, list[DocumentNote]]:
    """The documents of each of these drafts, in the order they were sent."""
    if not draft_ids:
        return {}
    rows = await connection.execute(
        select(documents.c.id, documents.c.draft_id, documents.c.name, documents.c.kind, documents.c.size)
        .where(documents.c.draft_id.in_(list(draft_ids)))
        .order_by(documents.c.id)
    )
    found: dict[int, list[DocumentNote]] = {}
    for row in rows:
        found.setdefault(row.draft_id, []).append(DocumentNote(id=row.id, name=row.name, kind=row.kind, size=row.size))
    return found


async def purge_orphans(connection: AsyncConnection) -> int:
    """Files of drafts in progress whose conversation is gone (``kyoso purge`` forgot it): gone too."""
    owned = exists().where(conversations.c.channel == documents.c.channel, conversations.c.user_id == documents.c.user_id)
    purged = await connection.execute(delete(documents).where(documents.c.draft_id.is_(None), ~owned))
    return int(purged.rowcount)


class SqlDocuments:
    """The submitted drafts' files, for staff: only by the draft's reference and the document's id together."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def file(self, reference: str, document_id: int) -> StoredFile | None:
        query = (
            select(documents.c.id, documents.c.name, documents.c.kind, documents.c.size, documents.c.data)
            .join(drafts, drafts.c.id == documents.c.draft_id)
            .where(drafts.c.reference == reference, documents.c.id == document_id)
        )
        async with self._engine.connect() as connection:
            row = (await connection.execute(query)).first()
        if row is None:
            return None
        return StoredFile(DocumentNote(id=row.id, name=row.name, kind=row.kind, size=row.size), bytes(row.data))
