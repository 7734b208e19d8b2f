"""The conversation store on SQLAlchemy: SQLite for a single process, PostgreSQL for several workers.

Each turn is one database transaction that holds the user's conversation
exclusively: PostgreSQL locks the row (``SELECT ... FOR UPDATE``), SQLite
takes the database write lock when the transaction begins (``BEGIN IMMEDIATE``).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import ColumnElement, Row, Select, and_, bindparam, delete, event, exists, func, insert, select, text, update
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from bot.core.consultation import (
    CLOSED,
    OPEN,
    ConsultationRequest,
    ConsultationView,
)
from bot.core.documents import NewDocument
from bot.core.draft import (
    ConsentRecord,
    ConsultationLine,
    ConsultationRecord,
    DocumentNote,
    DraftProposal,
    FaqAsked,
    ReturnedDraft,
    StaffReply,
    StoredDraft,
    Submission,
    SubmittedDraft,
)
from bot.core.messages import REPLIES, Outbound, UserKey
from bot.core.state import ConversationState
from bot.core.usage import UsageEvent
from storage import revisions, sqlite_inline
from storage.conversation_lock import lock_conversation, utc
from storage.documents import discard_pending, keep, link, notes_of
from storage.gate import gate_of
from storage.queue import SENT
from storage.statements import dialect_insert
from storage.tables import (
    answered_turns,
    consents,
    consultation_messages,
    consultations,
    drafts,
    faq_questions,
    handoff_outbox,
    inbound_events,
    proposer_answers,
    proposer_messages,
    reference_counters,
    staff_audit,
    web_chat_lines,
)
from storage.transfer import forget_codes
from storage.turn_end import end_turn

CONNECT_TIMEOUT_SECONDS = 5
POOL_SIZE, POOL_OVERFLOW = 24, 8
RECYCLE_SECONDS = 3600  # connections are renewed hourly (a firewall may drop idle ones)


@dataclass(frozen=True)
class QuestionCount:
    question: str
    count: int
    last_asked: datetime


def create_engine_for(url: str) -> AsyncEngine:
    """An engine set up for our use of the database named by ``url``.

    PostgreSQL: a pool of ``POOL_SIZE`` connections (more than the ingest's concurrent turns, so
    webhooks, claims and the console find one free). SQLite: one connection, shared in turn. SQLite
    has one writer at a time anyway (every transaction here begins with the write lock), and waiting
    for the connection in the event loop is first come, first served, where two connections would
    wait for the lock in SQLite's busy handler, which sleeps up to 100 ms between looks.

    No rollback when a connection goes back to the pool: every transaction here has ended by then
    (``begin()`` commits or rolls back, ``connect()`` rolls back on close), and it saves a round trip.
    No ping before each use either (another round trip per transaction): after the database restarts,
    the first statement on an old connection fails once (a webhook answers 503 and is redelivered),
    and SQLAlchemy then replaces the whole pool.
    """
    sa_url = make_url(url)
    if sa_url.get_backend_name() != "sqlite":
        # A bounded connect: while the server is away, callers fail fast (webhooks answer 503).
        engine = create_async_engine(
            sa_url, json_serializer=_json_dumps,
            connect_args={"timeout": CONNECT_TIMEOUT_SECONDS, "connection_class": _PostgresConnection},
            pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW, pool_reset_on_return=None, pool_recycle=RECYCLE_SECONDS,
        )
        event.listen(engine.sync_engine, "begin", _postgres_on_begin)
        return engine
    database = sa_url.database
    if database and not database.startswith((":memory:", "file:")):
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(
        sa_url, connect_args={"timeout": 30}, json_serializer=_json_dumps, pool_size=1, max_overflow=0,
        pool_reset_on_return=None,
    )
    event.listen(engine.sync_engine, "do_connect", _sqlite_inline)
    event.listen(engine.sync_engine, "connect", _sqlite_on_connect)
    event.listen(engine.sync_engine, "begin", _sqlite_on_begin)
    return engine


def _json_dumps(value: Any) -> str:
    # Keep Japanese readable for anyone looking at the database directly.
    return json.dumps(value, ensure_ascii=False)


def _sqlite_inline(dialect: Any, _record: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    # The URL's arguments, and our statements run on the event loop's thread (see storage/sqlite_inline.py).
    return dialect.loaded_dbapi.connect(*args, async_creator_fn=sqlite_inline.connect, **kwargs)


def _sqlite_on_connect(dbapi_connection: Any, _connection_record: Any) -> None:
    # Stop the driver from issuing its own (deferred) BEGIN; _sqlite_on_begin does it instead.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
    except sqlite3.OperationalError:
        # Switching the journal mode does not wait for the busy timeout: when several
        # connections open a new file at once, one may find it locked. WAL only speeds
        # things up and is stored in the file, so a later connection switches it.
        pass
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_on_begin(connection: Connection) -> None:
    # The connection's BEGIN sets the wanted synchronous level first, when it changes (sqlite_inline.py):
    # no statement of its own through SQLAlchemy, where webhooks' and turns' transactions alternate.
    recover = connection.get_execution_options().get(RECOVERABLE)
    driver = connection.connection.driver_connection
    if not isinstance(driver, sqlite_inline.InlineConnection):
        raise TypeError(f"the engine was made without its connection class (got {type(driver).__name__})")
    driver.synchronous = "NORMAL" if recover else "FULL"
    # Take the write lock up front: concurrent turns wait here (up to the busy
    # timeout) rather than failing later when a read lock is upgraded.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


class _PostgresConnection(asyncpg.Connection):
    """asyncpg's connection whose next ``BEGIN`` may carry a setting for the transaction, in the same round trip.

    asyncpg sends ``BEGIN`` as a simple query (which may hold several statements) at the transaction's first
    statement; a ``SET LOCAL`` of its own would be one more round trip for every turn, claim and finish.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.begin_with = ""  # set at each SQLAlchemy "begin" (so never left over from a transaction that ran nothing)

    async def execute(self, query: str, *args: Any, timeout: float | None = None) -> str:
        extra, self.begin_with = self.begin_with, ""
        if extra and not args and query.startswith("BEGIN"):
            query = f"{query};{extra}"
        return await super().execute(query, *args, timeout=timeout)


def _postgres_on_begin(connection: Connection) -> None:
    recover = connection.get_execution_options().get(RECOVERABLE)
    driver = connection.connection.driver_connection
    if not isinstance(driver, _PostgresConnection):
        raise TypeError(f"the engine was made without its connection class (got {type(driver).__name__})")
    driver.begin_with = "SET LOCAL synchronous_commit TO OFF" if recover else ""


RECOVERABLE = "kyoso_recoverable"
"""Execution option of the transactions that can be done again from a record written durably before them
(see ``recoverable``)."""


def recoverable(engine: AsyncEngine) -> AsyncEngine:
    """The same engine (and pool), for transactions whose work can be done again from a durable record.

    The turn of a stored platform event, and claiming and finishing events: their commits do not wait
    for the disk (SQLite ``synchronous=NORMAL``, PostgreSQL ``synchronous_commit = off``). A killed
    process loses none of them; a power cut (or a crash of the database server) may lose the last few,
    which are then done again from the stored events, whose commits always reach the disk first.
    """
    return engine.execution_options(**{RECOVERABLE: True})


class SqlTurn:
    """One user's conversation, held in an open transaction until the turn ends."""

    def __init__(
        self, connection: AsyncConnection, user: UserKey, state: ConversationState, answered: list[Outbound] | None,
        last_reply_at: datetime | None = None,
    ) -> None:
        self.state = state
        self.replies: list[Outbound] = []
        self.answered = answered
        self._connection = connection
        self._user = user
        self._last_reply_at = last_reply_at  # when the newest staff reply reached the user (read with the state)
        self.asked: list[FaqAsked] = []  # kept with the state as the turn ends (storage/turn_end.py)
        self.used: list[UsageEvent] = []

    async def erase_user_data(self) -> list[str]:
        """Drop the questions kept with the user's submitted drafts (the drafts stay for staff), the
        texts of the user's finished platform events (their ids stay, so a redelivery is still dropped)
        what the user said in consultations not kept with a draft, the web chat's lines kept for a reload, the files
        of the draft in progress and the codes of 「別の端末で続ける」.

        The conversation state is blanked by the caller and saved when the turn ends. The event being
        handled now is not finished yet; `kyoso purge` removes it later.
        """
        mine = and_(drafts.c.channel == self._user.channel, drafts.c.user_id == self._user.user_id)
        await self._connection.execute(update(drafts).where(mine).values(faq_log=[]))
        await self._connection.execute(
            update(answered_turns)
            .where(answered_turns.c.channel == self._user.channel, answered_turns.c.user_id == self._user.user_id)
            .values(replies="[]")
        )
        await self._connection.execute(
            update(inbound_events)
            .where(
                inbound_events.c.channel == self._user.channel,
                inbound_events.c.user_id == self._user.user_id,
                inbound_events.c.status == "done",
            )
            .values(body="{}")
        )
        await self._erase_consultations()
        await discard_pending(self._connection, self._user)
        await forget_codes(self._connection, self._user)
        await self._connection.execute(
            delete(web_chat_lines)
            .where(web_chat_lines.c.channel == self._user.channel, web_chat_lines.c.user_id == self._user.user_id)
        )
        rows = await self._connection.execute(select(drafts.c.reference).where(mine).order_by(drafts.c.id))
        return list(rows.scalars())

    async def _erase_consultations(self) -> None:
        """What the user told staff in consultations not kept with a submitted draft (staff's own words stay)."""
        unlinked = select(consultations.c.id).where(consultations.c.draft_id.is_(None), *self._mine())
        await self._connection.execute(
            update(consultation_messages)
            .where(consultation_messages.c.consultation_id.in_(unlinked), consultation_messages.c.sender == "user")
            .values(text="")
        )
        await self._connection.execute(
            update(consultations).where(consultations.c.id.in_(unlinked)).values(question="", context={})
        )

    async def keep_document(self, document: NewDocument) -> int:
        return await keep(self._connection, self._user, document)

    async def discard_documents(self) -> None:
        await discard_pending(self._connection, self._user)

    async def record_question(self, asked: FaqAsked) -> None:
        """Keep the question without the user's id: staff need what was asked, not who asked it (written as the turn ends)."""
        self.asked.append(asked)

    async def record_usage(self, events: Sequence[UsageEvent]) -> None:
        self.used.extend(events)  # written as the turn ends

    async def open_consultation(self, request: ConsultationRequest) -> int:
        """The row is also the staff notice's outbox: the dispatcher fans out those with no ``notified_at``."""
        context = request.model_dump(mode="json", include={"step", "draft", "criteria", "recent", "faq_log"})
        consultation_id = (
            await self._connection.execute(
                insert(consultations)
                .values(
                    channel=request.user.channel, user_id=request.user.user_id, status=OPEN, reason=request.reason,
                    question=request.question, context=context, opened_at=request.opened_at,
                    last_user_message_at=request.opened_at,
                )
                .returning(consultations.c.id)
            )
        ).scalar_one()
        await self._connection.execute(
            insert(consultation_messages).values(
                consultation_id=consultation_id, sender="user", text=request.question, created_at=request.opened_at
            )
        )
        return int(consultation_id)

    async def consultation(self, consultation_id: int) -> ConsultationView | None:
        query = select(consultations.c.status, consultations.c.taken_by, consultations.c.close_reason).where(
            consultations.c.id == consultation_id, *self._mine()
        )
        row = (await self._connection.execute(query)).first()
        return None if row is None else ConsultationView(status=row.status, taken_by=row.taken_by, close_reason=row.close_reason)

    async def add_consultation_message(self, consultation_id: int, text: str, at: datetime) -> None:
        await self._connection.execute(
            insert(consultation_messages).values(consultation_id=consultation_id, sender="user", text=text, created_at=at)
        )
        await self._connection.execute(
            update(consultations)
            .where(consultations.c.id == consultation_id, *self._mine())
            .values(last_user_message_at=at)
        )

    async def withdraw_consultation(self, consultation_id: int, at: datetime) -> bool:
        # Conditional: a staff member taking it at the same moment wins, and the user's message goes to them.
        withdrawn = await self._connection.execute(
            update(consultations)
            .where(consultations.c.id == consultation_id, consultations.c.status == OPEN, *self._mine())
            .values(status=CLOSED, closed_at=at, close_reason="withdrawn")
        )
        return withdrawn.rowcount == 1

    async def latest_staff_reply(self, since: datetime) -> StaffReply | None:
        """The newest reply from a draft's page delivered to the user since ``since`` (not consultation replies)."""
        if self._last_reply_at is None or self._last_reply_at < since:
            return None  # nothing delivered since: no query (most users never had a staff reply)
        query = (
            select(proposer_messages.c.id, drafts.c.reference, proposer_messages.c.delivered_at)
            .join(drafts, drafts.c.id == proposer_messages.c.draft_id)
            .where(
                proposer_messages.c.channel == self._user.channel, proposer_messages.c.user_id == self._user.user_id,
                proposer_messages.c.status == SENT, proposer_messages.c.delivered_at >= since,
            )
            .order_by(proposer_messages.c.id.desc())
            .limit(1)
        )
        row = (await self._connection.execute(query)).first()
        return None if row is None else StaffReply(id=row.id, reference=row.reference, sent_at=row.delivered_at)

    async def answer_staff_reply(self, reply_id: int, text: str, at: datetime) -> None:
        """Keep the answer with the reply's draft; only the first answer to a reply waits for a staff notice."""
        draft_id = (
            await self._connection.execute(
                select(proposer_messages.c.draft_id).where(
                    proposer_messages.c.id == reply_id, proposer_messages.c.channel == self._user.channel,
                    proposer_messages.c.user_id == self._user.user_id,
                )
            )
        ).scalar()
        if draft_id is None:
            raise LookupError(f"no reply {reply_id} about a draft to this user")
        answered = (await self._connection.execute(select(exists().where(proposer_answers.c.reply_id == reply_id)))).scalar()
        await self._connection.execute(
            insert(proposer_answers).values(
                draft_id=draft_id, reply_id=reply_id, text=text, created_at=at, notified_at=at if answered else None
            )
        )

    async def withdraw_text(self, forms: Sequence[str], replacement: str) -> None:
        """Wherever staff see the user's text in one of its ``forms``, ``replacement``: consultations, answers to staff, FAQ questions."""
        if not forms:
            return
        mine = select(consultations.c.id).where(*self._mine()).scalar_subquery()
        await self._connection.execute(
            update(consultation_messages)
            .where(consultation_messages.c.consultation_id.in_(mine), consultation_messages.c.sender == "user",
                   consultation_messages.c.text.in_(forms))
            .values(text=replacement)
        )
        rows = await self._connection.execute(
            select(consultations.c.id, consultations.c.question, consultations.c.context).where(*self._mine())
        )
        for row in rows.all():
            question = replacement if row.question in forms else row.question
            context = _replaced(row.context, set(forms), replacement)
            if question != row.question or context != row.context:
                await self._connection.execute(
                    update(consultations).where(consultations.c.id == row.id).values(question=question, context=context)
                )
        my_drafts = select(drafts.c.id).where(drafts.c.channel == self._user.channel, drafts.c.user_id == self._user.user_id)
        await self._connection.execute(
            update(proposer_answers)
            .where(proposer_answers.c.draft_id.in_(my_drafts.scalar_subquery()), proposer_answers.c.text.in_(forms))
            .values(text=replacement)
        )
        # FAQ questions are kept without the user's id: the newest one with this text is theirs.
        latest = (
            select(faq_questions.c.id)
            .where(faq_questions.c.channel == self._user.channel, faq_questions.c.question.in_(forms))
            .order_by(faq_questions.c.id.desc())
            .limit(1)
            .scalar_subquery()
        )
        await self._connection.execute(update(faq_questions).where(faq_questions.c.id == latest).values(question=replacement))

    async def my_drafts(self) -> list[SubmittedDraft]:
        return await revisions.drafts_of(self._connection, self._user)

    async def returned_draft(self, reference: str) -> ReturnedDraft | None:
        return await revisions.returned_draft(self._connection, self._user, reference)

    async def resubmit(self, reference: str, draft: DraftProposal, consent: ConsentRecord, at: datetime) -> int | None:
        return await revisions.resubmit(self._connection, self._user, reference, draft, consent, at)

    def _mine(self) -> tuple[ColumnElement[bool], ...]:
        return consultations.c.channel == self._user.channel, consultations.c.user_id == self._user.user_id

    async def submit(self, submission: Submission) -> str:
        """Store the draft and its consent; the reference is numbered per year of ``submitted_at``."""
        reference = await self._next_reference(submission.submitted_at.year)
        draft_id = (
            await self._connection.execute(
                insert(drafts)
                .values(
                    reference=reference,
                    channel=submission.user.channel,
                    user_id=submission.user.user_id,
                    schema_version=submission.draft.schema_version,
                    data=submission.draft.model_dump(mode="json"),
                    criteria=submission.criteria,
                    faq_log=[asked.model_dump(mode="json") for asked in submission.faq_log],
                    submitted_at=submission.submitted_at,
                    language=submission.language,
                )
                .returning(drafts.c.id)
            )
        ).scalar_one()
        await self._connection.execute(
            insert(consents).values(
                draft_id=draft_id,
                channel=submission.user.channel,
                user_id=submission.user.user_id,
                notice_version=submission.consent.notice_version,
                agreed_at=submission.consent.agreed_at,
            )
        )
        # Same transaction: no draft without its handoff to staff (bot/handoff/ delivers it).
        await self._connection.execute(
            insert(handoff_outbox).values(draft_id=draft_id, created_at=submission.submitted_at)
        )
        await self._link_consultations(draft_id)
        await link(self._connection, self._user, draft_id, submission.documents)
        return reference

    async def _link_consultations(self, draft_id: int) -> None:
        """The user's consultations on the way belong to the draft (its dossier and audit log show them)."""
        on_the_way = select(consultations.c.id).where(consultations.c.draft_id.is_(None), *self._mine())
        ids = list((await self._connection.execute(on_the_way)).scalars())
        if ids:
            await self._connection.execute(update(consultations).where(consultations.c.id.in_(ids)).values(draft_id=draft_id))
            await self._connection.execute(
                update(staff_audit).where(staff_audit.c.consultation_id.in_(ids)).values(draft_id=draft_id)
            )

    async def _next_reference(self, year: int) -> str:
        # A single UPDATE ... RETURNING is atomic: the row lock it takes makes
        # concurrent submitters (in any worker) queue for the next number.
        await self._connection.execute(
            dialect_insert(self._connection, reference_counters)
            .values(year=year, last=0)
            .on_conflict_do_nothing(index_elements=["year"])
        )
        last = (
            await self._connection.execute(
                update(reference_counters)
                .where(reference_counters.c.year == year)
                .values(last=reference_counters.c.last + 1)
                .returning(reference_counters.c.last)
            )
        ).scalar_one()
        return f"KY-{year}-{last:04d}"


class SqlStore:
    """:class:`bot.core.ports.ConversationStore` on an SQLAlchemy async engine, plus the staff read API."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._recoverable = recoverable(engine)
        self._gate = gate_of(engine)

    @asynccontextmanager
    async def turn(self, user: UserKey, key: str | None = None, first_try: bool = False) -> AsyncIterator[SqlTurn]:
        """Lock the user's conversation; save the state on normal exit, roll everything back on an exception.

        With a ``key``, the replies are kept under it in the same transaction, so the
        turn either happened and is known to have happened, or did not happen at all.
        ``first_try``: the caller knows nothing was answered under ``key`` yet (no lookup).
        A keyed turn answers a stored platform event: it commits as ``recoverable``.
        """
        async with self._gate.hold(), (self._engine if key is None else self._recoverable).begin() as connection:
            state, last_reply_at = await lock_conversation(connection, user)
            answered = None if key is None or first_try else await _answered(connection, user, key)
            turn = SqlTurn(connection, user, state, answered, last_reply_at)
            yield turn
            if turn.answered is not None:
                return
            replies = REPLIES.dump_json(turn.replies).decode() if key is not None else ""
            await end_turn(
                connection, user, turn.state.model_dump_json(), datetime.now(UTC), key, replies, turn.asked, turn.used
            )

    async def list_drafts(self) -> list[StoredDraft]:
        """Every submitted draft, newest first."""
        query = _drafts_with_consent().order_by(drafts.c.submitted_at.desc(), drafts.c.id.desc())
        async with self._engine.connect() as connection:
            rows = (await connection.execute(query)).all()
            consulted = await _consultations_of(connection, [row.id for row in rows])
            sent = await notes_of(connection, [row.id for row in rows])
        return [_stored_draft(row, consulted.get(row.id, []), sent.get(row.id, [])) for row in rows]

    async def get_draft(self, reference: str) -> StoredDraft | None:
        query = _drafts_with_consent().where(drafts.c.reference == reference)
        async with self._engine.connect() as connection:
            row = (await connection.execute(query)).first()
            consulted = await _consultations_of(connection, [row.id] if row else [])
            sent = await notes_of(connection, [row.id] if row else [])
        return None if row is None else _stored_draft(row, consulted.get(row.id, []), sent.get(row.id, []))

    async def question_counts(self, outcomes: Sequence[str]) -> list[QuestionCount]:
        """Questions with these outcomes, grouped by their exact text, most asked first."""
        query = (
            select(
                faq_questions.c.question,
                func.count().label("times"),
                func.max(faq_questions.c.asked_at).label("last_asked"),
            )
            .where(faq_questions.c.outcome.in_(list(outcomes)))
            .group_by(faq_questions.c.question)
            .order_by(func.count().desc(), func.max(faq_questions.c.asked_at).desc())
        )
        async with self._engine.connect() as connection:
            rows = await connection.execute(query)
            return [QuestionCount(question=row.question, count=row.times, last_asked=utc(row.last_asked)) for row in rows]

    async def ping(self) -> None:
        """Raise if the database cannot be reached."""
        async with self._engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def close(self) -> None:
        await self._engine.dispose()


# Built once: the hot path's statements are compiled once and found in SQLAlchemy's cache by identity.
_ANSWERED = select(answered_turns.c.replies).where(
    answered_turns.c.channel == bindparam("who_channel"), answered_turns.c.user_id == bindparam("who_user"),
    answered_turns.c.turn_key == bindparam("key"),
)


def _replaced(value: Any, forms: set[str], replacement: str) -> Any:
    """``value`` (JSON) with every string that is one of ``forms`` replaced."""
    if isinstance(value, str):
        return replacement if value in forms else value
    if isinstance(value, list):
        return [_replaced(item, forms, replacement) for item in value]
    if isinstance(value, dict):
        return {key: _replaced(item, forms, replacement) for key, item in value.items()}
    return value


async def _answered(connection: AsyncConnection, user: UserKey, key: str) -> list[Outbound] | None:
    """The replies of the turn that already answered ``key`` (read under the conversation's lock)."""
    found = await connection.execute(_ANSWERED, {"who_channel": user.channel, "who_user": user.user_id, "key": key})
    replies = found.scalar_one_or_none()
    return None if replies is None else REPLIES.validate_json(replies)


def _drafts_with_consent() -> Select[Any]:
    return select(drafts, consents.c.notice_version, consents.c.agreed_at).join(
        consents, consents.c.draft_id == drafts.c.id
    )


async def _consultations_of(connection: AsyncConnection, draft_ids: list[int]) -> dict[int, list[ConsultationRecord]]:
    """The consultations linked to each of these drafts, with their messages, oldest first."""
    if not draft_ids:
        return {}
    found = (
        await connection.execute(
            select(consultations).where(consultations.c.draft_id.in_(draft_ids)).order_by(consultations.c.id)
        )
    ).all()
    lines: dict[int, list[ConsultationLine]] = {}
    if found:
        said = await connection.execute(
            select(consultation_messages)
            .where(consultation_messages.c.consultation_id.in_([row.id for row in found]))
            .order_by(consultation_messages.c.id)
        )
        for line in said:
            lines.setdefault(line.consultation_id, []).append(
                ConsultationLine(sender=line.sender, author=line.author, text=line.text, at=line.created_at)
            )
    records: dict[int, list[ConsultationRecord]] = {}
    for row in found:
        records.setdefault(row.draft_id, []).append(
            ConsultationRecord(
                id=row.id, reason=row.reason, question=row.question, opened_at=row.opened_at, taken_by=row.taken_by,
                closed_at=row.closed_at, close_reason=row.close_reason, lines=lines.get(row.id, []),
            )
        )
    return records


def _stored_draft(row: Row[Any], consulted: list[ConsultationRecord], sent: list[DocumentNote]) -> StoredDraft:
    return StoredDraft(
        reference=row.reference,
        status=row.status,
        user=UserKey(channel=row.channel, user_id=row.user_id),
        draft=DraftProposal.model_validate(row.data),
        criteria=row.criteria,
        consent=ConsentRecord(notice_version=row.notice_version, agreed_at=row.agreed_at),
        faq_log=[FaqAsked.model_validate(asked) for asked in row.faq_log],
        submitted_at=row.submitted_at,
        consultations=consulted,
        documents=sent,
        language=row.language,
    )
