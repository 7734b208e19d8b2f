"""What the staff console reads and writes about drafts: the list, status, returns, notes, replies and the audit log.

Staff accounts are in storage/staff_accounts.py.

Every change to a draft is written together with its audit row, in one transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, Text, and_, cast, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.core.messages import UserKey
from bot.core.workflow import RETURNABLE, RETURNED
from bot.retry import RetryPolicy
from storage.queue import PENDING, OutboxQueue
from storage.statements import audit, dialect_insert
from storage.tables import draft_returns, draft_versions, drafts, proposer_messages, staff_audit, staff_notes


class UnknownDraft(LookupError):
    pass


class StaleStatus(Exception):
    """Someone else changed the status first."""


class NotReturnable(Exception):
    """The draft's status allows no 差し戻し (closed, or waiting for a revision already)."""


@dataclass(frozen=True)
class Version:
    """One version of a draft: what changed against the one before (field -> {old, new})."""

    version: int
    created_at: datetime
    changes: Mapping[str, Mapping[str, Any]]


@dataclass(frozen=True)
class DraftFilter:
    """The console's list filters; empty values filter nothing. Dates are inclusive bounds."""

    status: str = ""
    proposal_type: str = ""
    theme: str = ""
    submitted_from: datetime | None = None
    submitted_before: datetime | None = None
    text: str = ""
    user: UserKey | None = None  # one proposer's drafts (e.g. beside their consultation)


@dataclass(frozen=True)
class DraftRow:
    reference: str
    status: str
    submitted_at: datetime
    channel: str
    data: Mapping[str, Any]


@dataclass(frozen=True)
class Note:
    author: str
    text: str
    created_at: datetime


@dataclass(frozen=True)
class AuditEntry:
    staff: str
    action: str
    detail: Mapping[str, Any]
    at: datetime


@dataclass(frozen=True)
class Reply:
    id: int
    author: str
    text: str
    created_at: datetime
    status: str
    attempts: int
    last_error: str | None
    delivered_at: datetime | None
    choices: list[dict[str, str]] | None = None  # buttons, on the bot's hand-back after a consultation
    kind: str | None = None  # a notice of the bot about the draft (status / return / receipt); None: a reply


@dataclass
class DraftActivity:
    """What the draft page shows besides the dossier."""

    notes: list[Note] = field(default_factory=list)
    replies: list[Reply] = field(default_factory=list)
    notices: list[Reply] = field(default_factory=list)  # the bot's notices to the proposer about the draft
    audit: list[AuditEntry] = field(default_factory=list)


@dataclass(frozen=True)
class ProposerMessage:
    """A message to a proposer due on their channel (a staff reply, or a notice about their draft)."""

    id: int
    channel: str
    user_id: str
    text: str
    choices: list[dict[str, Any]] | None


class SqlStaff:
    def __init__(self, engine: AsyncEngine, reply_policy: RetryPolicy) -> None:
        self._engine = engine
        self.replies = OutboxQueue(engine, proposer_messages, reply_policy, ProposerMessage)

    # --- drafts -----------------------------------------------------------------------

    async def find_drafts(self, wanted: DraftFilter) -> list[DraftRow]:
        """Drafts matching every filter, newest first."""
        query = (
            select(drafts.c.reference, drafts.c.status, drafts.c.submitted_at, drafts.c.channel, drafts.c.data)
            .where(*_conditions(wanted))
            .order_by(drafts.c.submitted_at.desc(), drafts.c.id.desc())
        )
        async with self._engine.connect() as connection:
            return [
                DraftRow(reference=row.reference, status=row.status, submitted_at=row.submitted_at,
                         channel=row.channel, data=row.data)
                for row in await connection.execute(query)
            ]

    async def themes(self) -> list[str]:
        """Every theme a draft was submitted under (for the filter's choices)."""
        theme = drafts.c.data["theme"].as_string()
        async with self._engine.connect() as connection:
            rows = await connection.execute(select(theme).where(theme.is_not(None)).distinct().order_by(theme))
            return [value for (value,) in rows if value]

    async def change_status(
        self, reference: str, expected: str, new: str, staff: str, note: str, now: datetime,
        notice: str | None = None, personal: str = "",
    ) -> None:
        """Move the draft from ``expected`` to ``new``; raise :class:`StaleStatus` if it is no longer ``expected``.

        ``notice`` (what the proposer is told, ``personal`` the staff member's own line in it) is queued
        in the same transaction: the move and its message go together or not at all.
        """
        async with self._engine.begin() as connection:
            draft_id = await _draft_id(connection, reference)
            changed = await connection.execute(
                update(drafts).where(drafts.c.id == draft_id, drafts.c.status == expected).values(status=new)
            )
            if changed.rowcount != 1:
                raise StaleStatus(reference)
            detail = {"from": expected, "to": new, "note": note, **({"personal": personal} if personal else {})}
            await audit(connection, draft_id, staff, "status", detail, now)
            if notice is not None:
                await queue_notice(connection, draft_id, "status", notice, now)

    async def return_draft(
        self, reference: str, fields: Sequence[str], message: str, staff: str, now: datetime,
        notice: str, choices: Sequence[Mapping[str, str]],
    ) -> None:
        """差し戻し: the draft waits for the proposer's revision of ``fields``; ``notice`` (with the button that
        starts the revision) goes to them through the replies' outbox, in the same transaction."""
        async with self._engine.begin() as connection:
            row = (await connection.execute(
                select(drafts.c.id, drafts.c.status, drafts.c.version, drafts.c.data).where(drafts.c.reference == reference)
            )).first()
            if row is None:
                raise UnknownDraft(reference)
            if row.status not in RETURNABLE:
                raise NotReturnable(row.status)
            if row.version == 1:  # the submitted version, to compare the revisions with (its handoff went out already)
                await connection.execute(
                    dialect_insert(connection, draft_versions).on_conflict_do_nothing(index_elements=["draft_id", "version"]),
                    {"draft_id": row.id, "version": 1, "data": row.data, "changes": {}, "created_at": now, "fanned_out_at": now},
                )
            changed = await connection.execute(
                update(drafts).where(drafts.c.id == row.id, drafts.c.status == row.status).values(status=RETURNED)
            )
            if changed.rowcount != 1:
                raise StaleStatus(reference)
            await connection.execute(insert(draft_returns).values(
                draft_id=row.id, fields=list(fields), message=message, staff=staff, status_before=row.status, created_at=now,
            ))
            await audit(connection, row.id, staff, "return", {"fields": list(fields), "text": message}, now)
            await queue_notice(connection, row.id, "return", notice, now, choices)

    async def versions(self, reference: str) -> list[Version]:
        """Every version of the draft kept since its first 差し戻し, oldest first."""
        query = (
            select(draft_versions).join(drafts, drafts.c.id == draft_versions.c.draft_id)
            .where(drafts.c.reference == reference).order_by(draft_versions.c.version)
        )
        async with self._engine.connect() as connection:
            return [Version(version=r.version, created_at=r.created_at, changes=r.changes) for r in await connection.execute(query)]

    async def add_note(self, reference: str, staff: str, text: str, now: datetime) -> None:
        async with self._engine.begin() as connection:
            draft_id = await _draft_id(connection, reference)
            await connection.execute(
                insert(staff_notes).values(draft_id=draft_id, author=staff, text=text, created_at=now)
            )
            await audit(connection, draft_id, staff, "note", {"text": text}, now)

    async def add_reply(self, reference: str, staff: str, text: str, now: datetime, sent: str | None = None) -> None:
        """Queue a message to the proposer on the channel they used; the reply dispatcher sends it.

        ``sent`` is what the proposer receives (``text`` in its frame); the audit log keeps ``text``.
        """
        async with self._engine.begin() as connection:
            row = (
                await connection.execute(
                    select(drafts.c.id, drafts.c.channel, drafts.c.user_id).where(drafts.c.reference == reference)
                )
            ).first()
            if row is None:
                raise UnknownDraft(reference)
            await connection.execute(
                insert(proposer_messages).values(
                    draft_id=row.id, channel=row.channel, user_id=row.user_id, text=sent or text, author=staff,
                    created_at=now, status=PENDING, attempts=0, next_attempt_at=now,
                )
            )
            await audit(connection, row.id, staff, "reply", {"text": text}, now)

    async def record(self, staff: str, action: str, detail: Mapping[str, Any], now: datetime,
                     references: Sequence[str] = ()) -> None:
        """Audit something that changes nothing (a view, an export), once for each draft it showed."""
        async with self._engine.begin() as connection:
            for reference in references:
                await audit(connection, await _draft_id(connection, reference), staff, action, detail, now)
            if not references:
                await audit(connection, None, staff, action, detail, now)

    async def activity(self, reference: str) -> DraftActivity:
        async with self._engine.connect() as connection:
            draft_id = await _draft_id(connection, reference)
            notes = await connection.execute(
                select(staff_notes).where(staff_notes.c.draft_id == draft_id).order_by(staff_notes.c.id)
            )
            replies = await connection.execute(
                select(proposer_messages)
                .where(proposer_messages.c.draft_id == draft_id)
                .order_by(proposer_messages.c.id)
            )
            audit = await connection.execute(
                select(staff_audit).where(staff_audit.c.draft_id == draft_id).order_by(staff_audit.c.id.desc())
            )
            notices = await connection.execute(
                select(proposer_messages).where(proposer_messages.c.notice_of == draft_id).order_by(proposer_messages.c.id)
            )
            return DraftActivity(
                notes=[Note(author=r.author, text=r.text, created_at=r.created_at) for r in notes],
                replies=[_reply(r) for r in replies],
                notices=[_reply(r) for r in notices],
                audit=[AuditEntry(staff=r.staff, action=r.action, detail=r.detail, at=r.at) for r in audit],
            )

    async def replies_for(self, channel: str, user_id: str, after_id: int = 0) -> list[Reply]:
        """Delivered replies to one proposer, oldest first (what a pull channel such as the web chat shows)."""
        query = (
            select(proposer_messages)
            .where(
                proposer_messages.c.channel == channel,
                proposer_messages.c.user_id == user_id,
                proposer_messages.c.id > after_id,
                proposer_messages.c.status == "sent",
            )
            .order_by(proposer_messages.c.id)
        )
        async with self._engine.connect() as connection:
            return [_reply(r) for r in await connection.execute(query)]


def _reply(row: Row[Any]) -> Reply:
    return Reply(
        id=row.id, author=row.author, text=row.text, created_at=row.created_at, status=row.status, attempts=row.attempts,
        last_error=row.last_error, delivered_at=row.delivered_at, choices=row.choices, kind=row.kind,
    )


async def queue_notice(
    connection: AsyncConnection, draft_id: int, kind: str, text: str, now: datetime,
    choices: Sequence[Mapping[str, str]] | None = None, to: tuple[str, str] | None = None,
) -> None:
    """A notice of the bot about a draft, through the replies' outbox: to the proposer's channel, or ``to``
    (channel, address) such as the 受付控え's e-mail."""
    if to is None:
        row = (await connection.execute(select(drafts.c.channel, drafts.c.user_id).where(drafts.c.id == draft_id))).one()
        to = (row.channel, row.user_id)
    await connection.execute(
        insert(proposer_messages).values(
            notice_of=draft_id, kind=kind, channel=to[0], user_id=to[1], text=text, author="bot",
            choices=[dict(choice) for choice in choices] if choices else None,
            created_at=now, status=PENDING, attempts=0, next_attempt_at=now,
        )
    )


def _conditions(wanted: DraftFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if wanted.status:
        conditions.append(drafts.c.status == wanted.status)
    if wanted.proposal_type:
        conditions.append(drafts.c.data["proposal_type"].as_string() == wanted.proposal_type)
    if wanted.theme:
        conditions.append(drafts.c.data["theme"].as_string() == wanted.theme)
    if wanted.submitted_from:
        conditions.append(drafts.c.submitted_at >= wanted.submitted_from)
    if wanted.submitted_before:
        conditions.append(drafts.c.submitted_at < wanted.submitted_before)
    if wanted.user is not None:
        conditions.append(and_(drafts.c.channel == wanted.user.channel, drafts.c.user_id == wanted.user.user_id))
    if wanted.text.strip():
        words = wanted.text.strip().lower()
        conditions.append(
            or_(
                func.lower(drafts.c.reference).contains(words, autoescape=True),
                func.lower(cast(drafts.c.data, Text)).contains(words, autoescape=True),
            )
        )
    return conditions


async def _draft_id(connection: AsyncConnection, reference: str) -> int:
    found = (await connection.execute(select(drafts.c.id).where(drafts.c.reference == reference))).scalar()
    if found is None:
        raise UnknownDraft(reference)
    return int(found)


