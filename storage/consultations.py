"""The staff side of consultations (担当者に相談): list, take, reply, close, hand back; notices to staff.

Every change is one conditional UPDATE, so two staff members (or a staff member and the timer, in any
worker) cannot both take or both close one consultation. The user's side is in ``SqlTurn``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.core.consultation import CLOSED, OPEN, TAKEN, CloseReason
from bot.core.messages import Choice, UserKey
from bot.retry import RetryPolicy
from storage.queue import PENDING, OutboxQueue
from storage.statements import audit, dialect_insert
from storage.tables import consultation_messages, consultation_notices, consultations, drafts, proposer_messages

BOT_AUTHOR = "bot"  # proposer_messages.author of what the bot says when it takes over again


@dataclass(frozen=True)
class Consultation:
    id: int
    user: UserKey
    status: str
    reason: str
    question: str
    context: dict[str, Any]
    opened_at: datetime
    last_user_message_at: datetime
    taken_by: str | None
    taken_at: datetime | None
    closed_at: datetime | None
    closed_by: str | None
    close_reason: str | None
    reference: str | None  # of the draft the user submitted later


@dataclass(frozen=True)
class ConsultationMessage:
    id: int
    sender: str  # user / staff / bot
    author: str | None
    text: str
    created_at: datetime


@dataclass(frozen=True)
class ConsultationNoticeDue:
    """Staff are to be told at one sink of a consultation (``kind``: opened, or a reminder that nobody took it)."""

    consultation_id: int
    kind: str
    sink: str


class SqlConsultations:
    def __init__(self, engine: AsyncEngine, notice_policy: RetryPolicy) -> None:
        self._engine = engine
        self.notices = OutboxQueue(engine, consultation_notices, notice_policy, ConsultationNoticeDue)

    # --- reading ----------------------------------------------------------------------

    async def find(self, closed: bool = False, limit: int = 200) -> list[Consultation]:
        """Open and taken ones, oldest first (who waits longest comes first); or the closed ones, newest first."""
        query = _select()
        if closed:
            query = query.where(consultations.c.status == CLOSED).order_by(consultations.c.id.desc())
        else:
            query = query.where(consultations.c.status != CLOSED).order_by(consultations.c.id)
        async with self._engine.connect() as connection:
            return [_consultation(row) for row in await connection.execute(query.limit(limit))]

    async def get(self, consultation_id: int) -> Consultation | None:
        async with self._engine.connect() as connection:
            row = (await connection.execute(_select().where(consultations.c.id == consultation_id))).first()
        return None if row is None else _consultation(row)

    async def is_open_for(self, user: UserKey) -> bool:
        """Whether the user has a consultation not yet closed (the web chat then asks for replies more often)."""
        query = select(consultations.c.id).where(
            consultations.c.channel == user.channel, consultations.c.user_id == user.user_id, consultations.c.status != CLOSED
        )
        async with self._engine.connect() as connection:
            return (await connection.execute(query.limit(1))).first() is not None

    async def messages(self, consultation_id: int, after_id: int = 0) -> list[ConsultationMessage]:
        """The conversation with the person, oldest first; ``after_id`` for what is new (the console's stream)."""
        query = (
            select(consultation_messages)
            .where(consultation_messages.c.consultation_id == consultation_id, consultation_messages.c.id > after_id)
            .order_by(consultation_messages.c.id)
        )
        async with self._engine.connect() as connection:
            return [
                ConsultationMessage(id=r.id, sender=r.sender, author=r.author, text=r.text, created_at=r.created_at)
                for r in await connection.execute(query)
            ]

    # --- staff actions ------------------------------------------------------------------

    async def take(self, consultation_id: int, staff: str, now: datetime) -> bool:
        """Take an open consultation; False when someone else took (or closed) it first."""
        async with self._engine.begin() as connection:
            taken = await connection.execute(
                update(consultations)
                .where(consultations.c.id == consultation_id, consultations.c.status == OPEN)
                .values(status=TAKEN, taken_by=staff, taken_at=now)
            )
            if taken.rowcount != 1:
                return False
            await audit(connection, await _draft_of(connection, consultation_id), staff, "take", {}, now, consultation_id)
        return True

    async def reply(self, consultation_id: int, staff: str, text: str, now: datetime, sent: str | None = None) -> bool:
        """Queue a message to the user, if ``staff`` has the consultation; the reply dispatcher sends it.

        ``sent`` is what the user receives (``text`` in its frame); the console's transcript keeps ``text``.
        """
        async with self._engine.begin() as connection:
            row = (
                await connection.execute(
                    select(consultations.c.channel, consultations.c.user_id, consultations.c.draft_id)
                    .where(consultations.c.id == consultation_id, consultations.c.status == TAKEN,
                           consultations.c.taken_by == staff)
                    .with_for_update()
                )
            ).first()
            if row is None:
                return False
            user = UserKey(channel=row.channel, user_id=row.user_id)
            await _say(connection, consultation_id, user, staff, text, now, sent=sent)
            await audit(connection, row.draft_id, staff, "consult_reply", {"text": text}, now, consultation_id)
        return True

    async def close(self, consultation_id: int, staff: str, now: datetime, reason: CloseReason = "staff",
                    quiet_since: datetime | None = None) -> UserKey | None:
        """Close it (the bot takes over again); the user, or None when it was closed already.

        With ``quiet_since`` (the timer) it closes only if the user has sent nothing since then.
        """
        conditions = [consultations.c.id == consultation_id, consultations.c.status != CLOSED]
        if quiet_since is not None:
            conditions.append(consultations.c.last_user_message_at <= quiet_since)
        async with self._engine.begin() as connection:
            closed = await connection.execute(
                update(consultations)
                .where(*conditions)
                .values(status=CLOSED, closed_at=now, closed_by=staff, close_reason=reason)
                .returning(consultations.c.channel, consultations.c.user_id, consultations.c.draft_id)
            )
            row = closed.first()
            if row is None:
                return None
            await audit(connection, row.draft_id, staff, "close", {"reason": reason}, now, consultation_id)
        return UserKey(channel=row.channel, user_id=row.user_id)

    async def hand_back(self, consultation_id: int, user: UserKey, text: str, choices: Sequence[Choice],
                        now: datetime) -> None:
        """Queue what the bot says on taking over again, with its buttons (it goes out like a staff reply)."""
        async with self._engine.begin() as connection:
            await _say(connection, consultation_id, user, BOT_AUTHOR, text, now, choices)

    async def quiet_since(self, cutoff: datetime, limit: int = 100) -> list[int]:
        """Consultations whose user has sent nothing since ``cutoff`` (the timer closes them)."""
        query = (
            select(consultations.c.id)
            .where(consultations.c.status != CLOSED, consultations.c.last_user_message_at <= cutoff)
            .order_by(consultations.c.id)
            .limit(limit)
        )
        async with self._engine.connect() as connection:
            return list((await connection.execute(query)).scalars())

    # --- notices to staff (exactly once per consultation and sink) -------------------------

    async def fan_out(self, sinks: Sequence[str], now: datetime, remind_after: timedelta, limit: int = 100) -> int:
        """Queue a notice per sink for each new consultation, and one reminder for each left untaken too long.

        Rows are claimed with a conditional UPDATE, and the notices are unique per (consultation, kind, sink):
        several workers fanning out at once queue each notice once.
        """
        if not sinks:
            return 0
        queued = 0
        due = {
            "opened": (consultations.c.notified_at.is_(None), {"notified_at": now}),
            "reminder": (
                and_(consultations.c.status == OPEN, consultations.c.reminded_at.is_(None),
                     consultations.c.notified_at.is_not(None), consultations.c.opened_at <= now - remind_after),
                {"reminded_at": now},
            ),
        }
        async with self._engine.begin() as connection:
            for kind, (condition, mark) in due.items():
                ids = list(
                    (await connection.execute(
                        select(consultations.c.id).where(condition).order_by(consultations.c.id).limit(limit)
                        .with_for_update(skip_locked=True)
                    )).scalars()
                )
                if not ids:
                    continue
                marked = await connection.execute(
                    update(consultations).where(consultations.c.id.in_(ids), condition).values(**mark)
                    .returning(consultations.c.id)
                )
                rows = [
                    {"consultation_id": marked_id, "kind": kind, "sink": sink, "status": PENDING, "attempts": 0,
                     "next_attempt_at": now}
                    for marked_id in marked.scalars() for sink in sinks
                ]
                if rows:
                    await connection.execute(
                        dialect_insert(connection, consultation_notices).on_conflict_do_nothing(
                            index_elements=["consultation_id", "kind", "sink"]
                        ),
                        rows,
                    )
                    queued += len(rows)
        return queued


def _select() -> Any:
    return select(consultations, drafts.c.reference).outerjoin(drafts, drafts.c.id == consultations.c.draft_id)


def _consultation(row: Any) -> Consultation:
    return Consultation(
        id=row.id, user=UserKey(channel=row.channel, user_id=row.user_id), status=row.status, reason=row.reason,
        question=row.question, context=row.context, opened_at=row.opened_at,
        last_user_message_at=row.last_user_message_at, taken_by=row.taken_by, taken_at=row.taken_at,
        closed_at=row.closed_at, closed_by=row.closed_by, close_reason=row.close_reason, reference=row.reference,
    )


async def _draft_of(connection: AsyncConnection, consultation_id: int) -> int | None:
    query = select(consultations.c.draft_id).where(consultations.c.id == consultation_id)
    return (await connection.execute(query)).scalar()


async def _say(connection: AsyncConnection, consultation_id: int, user: UserKey, author: str, text: str,
               now: datetime, choices: Sequence[Choice] = (), sent: str | None = None) -> None:
    """One message to the user: in the console's transcript (``text``), and in the outbox that delivers ``sent``."""
    sender = "bot" if author == BOT_AUTHOR else "staff"
    await connection.execute(
        insert(consultation_messages).values(
            consultation_id=consultation_id, sender=sender, author=None if sender == "bot" else author, text=text,
            created_at=now,
        )
    )
    await connection.execute(
        insert(proposer_messages).values(
            consultation_id=consultation_id, channel=user.channel, user_id=user.user_id, text=sent or text, author=author,
            choices=[choice.model_dump() for choice in choices] or None, created_at=now, status=PENDING, attempts=0, next_attempt_at=now,
        )
    )
