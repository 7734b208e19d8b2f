"""The user's side of the drafts after the handoff, read and written in the user's turn (``SqlTurn``):
わたしの提案, and resubmitting a draft staff returned for revision (差し戻し)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core.draft import ConsentRecord, DraftProposal, ReturnedDraft, SubmittedDraft
from bot.core.messages import UserKey
from bot.core.workflow import RETURNED
from storage.statements import audit
from storage.tables import consents, draft_returns, draft_versions, drafts

PROPOSER = "提案者"  # who the audit log names for what the proposer did


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


async def returned_draft(connection: AsyncConnection, user: UserKey, reference: str) -> ReturnedDraft | None:
    """The user's draft if it waits for their revision, with the open return's fields and comment."""
    row = (
        await connection.execute(
            select(drafts.c.data, drafts.c.criteria, draft_returns.c.fields, draft_returns.c.message)
            .join(draft_returns, draft_returns.c.draft_id == drafts.c.id)
            .where(*_mine(user, reference), drafts.c.status == RETURNED, draft_returns.c.resubmitted_at.is_(None))
            .order_by(draft_returns.c.id.desc())
            .limit(1)
        )
    ).first()
    if row is None:
        return None
    data = {name: "" if value is None else str(value) for name, value in row.data.items() if name != "schema_version"}
    return ReturnedDraft(reference=reference, fields=list(row.fields), message=row.message, data=data, criteria=dict(row.criteria))


async def resubmit(
    connection: AsyncConnection, user: UserKey, reference: str, draft: DraftProposal, consent: ConsentRecord, at: datetime,
) -> int | None:
    """The revised draft replaces the stored one as its next version; the change per field is kept (the console
    shows it), the audit log records it and the new version waits for the staff sinks (``fanned_out_at``)."""
    row = (
        await connection.execute(
            select(drafts.c.id, drafts.c.data, drafts.c.version, draft_returns.c.id.label("return_id"),
                   draft_returns.c.status_before)
            .join(draft_returns, draft_returns.c.draft_id == drafts.c.id)
            .where(*_mine(user, reference), drafts.c.status == RETURNED, draft_returns.c.resubmitted_at.is_(None))
            .order_by(draft_returns.c.id.desc())
            .limit(1)
            .with_for_update()
        )
    ).first()
    if row is None:
        return None
    new = draft.model_dump(mode="json")
    changes = {
        name: {"old": row.data.get(name), "new": value}
        for name, value in new.items() if row.data.get(name) != value
    }
    version: int = row.version + 1
    await connection.execute(
        update(drafts).where(drafts.c.id == row.id, drafts.c.status == RETURNED)
        .values(data=new, version=version, status=row.status_before)
    )
    await connection.execute(update(draft_returns).where(draft_returns.c.id == row.return_id).values(resubmitted_at=at))
    await connection.execute(
        update(consents).where(consents.c.draft_id == row.id)
        .values(notice_version=consent.notice_version, agreed_at=consent.agreed_at)
    )
    await connection.execute(
        insert(draft_versions).values(draft_id=row.id, version=version, data=new, changes=changes, created_at=at)
    )
    await audit(connection, row.id, PROPOSER, "resubmit", {"version": version, "fields": list(changes)}, at)
    return version


def _mine(user: UserKey, reference: str) -> tuple[ColumnElement[bool], ...]:
    return drafts.c.reference == reference, drafts.c.channel == user.channel, drafts.c.user_id == user.user_id
