"""The database schema, portable between SQLite and PostgreSQL.

Migrations in ``storage/migrations/versions`` create exactly these tables; a
test compares the two so they cannot drift apart.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp stored as UTC.

    SQLite has no timezone support and silently drops the offset, so values are
    normalised to UTC on the way in and tagged as UTC on the way out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: timestamps must be timezone-aware")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


conversations = Table(
    "conversations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("channel", String(32), nullable=False),
    Column("user_id", String(128), nullable=False),
    Column("state", Text, nullable=False, doc="ConversationState.model_dump_json()"),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("channel", "user_id"),
)

drafts = Table(
    "drafts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("reference", String(32), nullable=False, unique=True),
    Column("channel", String(32), nullable=False),
    Column("user_id", String(128), nullable=False),
    Column("status", String(32), nullable=False, server_default="受付"),
    Column("schema_version", Integer, nullable=False),
    Column("data", JSON, nullable=False, doc="DraftProposal"),
    Column("criteria", JSON, nullable=False),
    Column("faq_log", JSON, nullable=False, doc="list of FaqAsked"),
    Column("submitted_at", UtcDateTime, nullable=False),
    Column("version", Integer, nullable=False, server_default="1", doc="1, then one more per resubmission after a 差し戻し"),
    Column("language", String(16), nullable=True, doc="the proposer's language (dialogs/languages.yaml); NULL: 日本語 (migration 0013)"),
)

consents = Table(
    "consents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("draft_id", Integer, ForeignKey("drafts.id"), nullable=False, index=True),
    Column("channel", String(32), nullable=False),
    Column("user_id", String(128), nullable=False),
    Column("notice_version", String(64), nullable=False),
    Column("agreed_at", UtcDateTime, nullable=False),
)

reference_counters = Table(
    "reference_counters",
    metadata,
    Column("year", Integer, primary_key=True, autoincrement=False),
    Column("last", Integer, nullable=False),
)

faq_questions = Table(
    "faq_questions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("channel", String(32), nullable=False),
    Column("question", Text, nullable=False),
    Column("faq_id", String(64), nullable=True),
    Column("outcome", String(16), nullable=False, index=True, doc="answered / suggested / unanswered"),
    Column("asked_at", UtcDateTime, nullable=False),
)

PENDING = text("status = 'pending'")

inbound_events = Table(
    "inbound_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("channel", String(32), nullable=False),
    Column("event_id", String(64), nullable=False, doc="the platform's id (LINE webhookEventId): redeliveries collide"),
    Column("user_id", String(128), nullable=False, doc="whose events must be handled in order (user, group or room)"),
    Column("occurred_at", BigInteger, nullable=False, doc="the platform's timestamp in ms: the order within a user"),
    Column("body", Text, nullable=False, doc="the event as the platform sent it (JSON)"),
    Column("status", String(16), nullable=False, doc="pending / done / failed"),
    Column("attempts", Integer, nullable=False, doc="failed attempts (each ended with a backoff)"),
    Column("claims", Integer, nullable=False, server_default="0", doc="times a worker took the event"),
    Column("sent", Integer, nullable=False, server_default="0", doc="what an earlier attempt delivered (the channel's count)"),
    Column("leased_until", UtcDateTime, nullable=True, doc="a worker holds the event until then"),
    Column("error", Text, nullable=True),
    Column("received_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime, nullable=True),
    UniqueConstraint("channel", "event_id"),
    # Only the unfinished events are indexed for claiming: arrival order, and each user's queue in order.
    Index("ix_inbound_events_pending", "id", sqlite_where=PENDING, postgresql_where=PENDING),
    Index(
        "ix_inbound_events_queue", "channel", "user_id", "occurred_at", "id",
        sqlite_where=PENDING, postgresql_where=PENDING,
    ),
)

answered_turns = Table(
    "answered_turns",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("channel", String(32), nullable=False),
    Column("user_id", String(128), nullable=False),
    Column("turn_key", String(200), nullable=False, doc="Inbound.key: the platform event the turn answered"),
    Column("replies", Text, nullable=False, doc="the core's replies (JSON): delivered from here, and again after a crash"),
    Column("answered_at", UtcDateTime, nullable=False),
    UniqueConstraint("channel", "user_id", "turn_key"),
)

channel_users = Table(
    "channel_users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("channel", String(32), nullable=False),
    Column("user_id", String(128), nullable=False),
    Column("active", Boolean, nullable=False, doc="false after the user blocked the bot (LINE unfollow)"),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("channel", "user_id"),
)

# --- staff side: handoff outbox, staff accounts, audit (migration 0003_staff) ---------


def _delivery_columns() -> list[Column[object]]:
    """What every outbox row has (see storage/queue.py); a worker leases a row until ``leased_until``."""
    return [
        Column("status", String(16), nullable=False, doc="pending / sent / failed"),
        Column("attempts", Integer, nullable=False),
        Column("next_attempt_at", UtcDateTime, nullable=False),
        Column("leased_until", UtcDateTime, nullable=True),
        Column("last_error", Text, nullable=True),
        Column("delivered_at", UtcDateTime, nullable=True),
    ]


handoff_outbox = Table(
    "handoff_outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("draft_id", Integer, ForeignKey("drafts.id"), nullable=False, unique=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("fanned_out_at", UtcDateTime, nullable=True, doc="when a delivery row per configured sink was made"),
    Column("receipt_at", UtcDateTime, nullable=True, doc="when the proposer's 受付控え was queued, or found not to be sent"),
)

handoff_deliveries = Table(
    "handoff_deliveries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("draft_id", Integer, ForeignKey("drafts.id"), nullable=False, index=True),
    Column("sink", String(32), nullable=False, doc="email / webhook / ..."),
    *_delivery_columns(),
    UniqueConstraint("draft_id", "sink"),
    Index("ix_handoff_deliveries_due", "status", "next_attempt_at"),
)

proposer_messages = Table(
    "proposer_messages",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("draft_id", Integer, ForeignKey("drafts.id"), nullable=True, index=True, doc="a reply about a draft, or …"),
    Column("consultation_id", Integer, ForeignKey("consultations.id"), nullable=True, index=True, doc="… in a consultation"),
    Column("channel", String(32), nullable=False),
    Column("user_id", String(128), nullable=False),
    Column("text", Text, nullable=False),
    Column("author", String(64), nullable=False, doc="the staff account that wrote it ('bot' for the bot's hand-back)"),
    Column("choices", JSON, nullable=True, doc="buttons under the text (the bot's hand-back), as Choice dicts"),
    Column("kind", String(16), nullable=True,
           doc="a notice about a draft (status / return / receipt, migration 0009); none: a staff reply or the hand-back"),
    Column("notice_of", Integer, ForeignKey("drafts.id"), nullable=True, index=True,
           doc="the draft a notice is about (not draft_id: what the proposer types next is no answer to staff)"),
    Column("created_at", UtcDateTime, nullable=False),
    *_delivery_columns(),
    Index("ix_proposer_messages_due", "status", "next_attempt_at"),
    Index("ix_proposer_messages_recipient", "channel", "user_id"),
)

staff_users = Table(
    "staff_users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("password_hash", Text, nullable=False, doc="argon2id"),
    Column("password_is_temporary", Boolean, nullable=False, doc="the one-time password from `kyoso staff add`"),
    Column("failed_logins", Integer, nullable=False),
    Column("locked_until", UtcDateTime, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("sessions_valid_after", UtcDateTime, nullable=True, doc="sessions issued earlier are refused (log-out, new password)"),
)

staff_notes = Table(
    "staff_notes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("draft_id", Integer, ForeignKey("drafts.id"), nullable=False, index=True),
    Column("author", String(64), nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

staff_audit = Table(
    "staff_audit",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("draft_id", Integer, ForeignKey("drafts.id"), nullable=True, index=True),
    Column("consultation_id", Integer, ForeignKey("consultations.id"), nullable=True, index=True),
    Column("staff", String(64), nullable=False),
    Column("action", String(32), nullable=False, doc="view / status / note / reply / export / login / take / close ..."),
    Column("detail", JSON, nullable=False),
    Column("at", UtcDateTime, nullable=False),
)

# --- 担当者に相談: consultations a person takes over (migration 0004_consult) -------------

consultations = Table(
    "consultations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("channel", String(32), nullable=False),
    Column("user_id", String(128), nullable=False),
    Column("status", String(16), nullable=False, doc="open / taken / closed"),
    Column("reason", String(16), nullable=False, doc="asked / faq (the FAQ failed twice in a row)"),
    Column("question", Text, nullable=False),
    Column("context", JSON, nullable=False, doc="step, draft so far, criteria answers, recent lines, FAQ questions"),
    Column("opened_at", UtcDateTime, nullable=False),
    Column("last_user_message_at", UtcDateTime, nullable=False, doc="the timer closes it when the user goes quiet"),
    Column("taken_by", String(64), nullable=True),
    Column("taken_at", UtcDateTime, nullable=True),
    Column("closed_at", UtcDateTime, nullable=True),
    Column("closed_by", String(64), nullable=True),
    Column("close_reason", String(16), nullable=True, doc="staff / abandoned / withdrawn"),
    Column("notified_at", UtcDateTime, nullable=True, doc="when a notice per staff sink was queued (the outbox)"),
    Column("reminded_at", UtcDateTime, nullable=True, doc="when the one reminder for an untaken consultation was queued"),
    Column("draft_id", Integer, ForeignKey("drafts.id"), nullable=True, index=True, doc="the draft the user submitted later"),
    Index("ix_consultations_status", "status", "opened_at"),
    Index("ix_consultations_user", "channel", "user_id"),
)

consultation_messages = Table(
    "consultation_messages",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("consultation_id", Integer, ForeignKey("consultations.id"), nullable=False, index=True),
    Column("sender", String(8), nullable=False, doc="user / staff / bot"),
    Column("author", String(64), nullable=True, doc="the staff account, for staff messages"),
    Column("text", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

consultation_notices = Table(
    "consultation_notices",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("consultation_id", Integer, ForeignKey("consultations.id"), nullable=False, index=True),
    Column("kind", String(16), nullable=False, doc="opened / reminder"),
    Column("sink", String(32), nullable=False),
    *_delivery_columns(),
    UniqueConstraint("consultation_id", "kind", "sink"),
    Index("ix_consultation_notices_due", "status", "next_attempt_at"),
)

# --- the web chat's conversation as the visitor saw it, for the page after a reload (migration 0006) ----

web_chat_lines = Table(
    "web_chat_lines",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("channel", String(32), nullable=False),
    Column("user_id", String(128), nullable=False),
    Column("who", String(8), nullable=False, doc="user / bot"),
    Column("message", JSON, nullable=False, doc="an Outbound as the page got it (the user's: a text message)"),
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_web_chat_lines_visitor", "channel", "user_id", "id"),
)

# --- proposers' answers to staff replies about their drafts (migration 0007_answers) -------------

proposer_answers = Table(
    "proposer_answers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("draft_id", Integer, ForeignKey("drafts.id"), nullable=False, index=True),
    Column("reply_id", Integer, ForeignKey("proposer_messages.id"), nullable=False, index=True, doc="the staff reply answered"),
    Column("text", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("notified_at", UtcDateTime, nullable=True,
           doc="when a notice per staff sink was queued (the outbox); later answers to the same reply get none"),
)

answer_notices = Table(
    "answer_notices",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("answer_id", Integer, ForeignKey("proposer_answers.id"), nullable=False, index=True),
    Column("sink", String(32), nullable=False),
    *_delivery_columns(),
    UniqueConstraint("answer_id", "sink"),
    Index("ix_answer_notices_due", "status", "next_attempt_at"),
)

# --- what the bot was used for, counted for the insights page (migration 0008_usage) -------------

usage_events = Table(
    "usage_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("channel", String(32), nullable=False),
    Column("kind", String(16), nullable=False, doc="started / step / draft_started / criteria / faq / none_fits (bot/core/usage.py)"),
    Column("subject", String(128), nullable=True, doc="the step ref or the FAQ entry id"),
    Column("outcome", String(16), nullable=True),
    Column("at", UtcDateTime, nullable=False),
    Index("ix_usage_events_at", "at"),
)

# --- documents (企画書) sent with a draft (migration 0012_documents) ---------------------------------

documents = Table(
    "documents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("channel", String(32), nullable=False),
    Column("user_id", String(128), nullable=False),
    Column("draft_id", Integer, ForeignKey("drafts.id", ondelete="CASCADE"), nullable=True,
           doc="set when the draft is submitted; NULL while it is in progress"),
    Column("name", String(200), nullable=False),
    Column("kind", String(8), nullable=False, doc="what the bytes are (bot/core/documents.py), not what the sender said"),
    Column("size", Integer, nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
    Index("ix_documents_owner", "channel", "user_id", "draft_id"),
    Index("ix_documents_draft_id", "draft_id"),
)

# --- after the handoff: 差し戻し and the versions of a draft (migration 0009_handoff2) -------------

draft_returns = Table(
    "draft_returns",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("draft_id", Integer, ForeignKey("drafts.id"), nullable=False, index=True),
    Column("fields", JSON, nullable=False, doc="the draft fields staff asked to improve"),
    Column("message", Text, nullable=False),
    Column("staff", String(64), nullable=False),
    Column("status_before", String(32), nullable=False, doc="the draft's status again after the resubmission"),
    Column("created_at", UtcDateTime, nullable=False),
    Column("resubmitted_at", UtcDateTime, nullable=True),
)

draft_versions = Table(
    "draft_versions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("draft_id", Integer, ForeignKey("drafts.id"), nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("data", JSON, nullable=False, doc="the DraftProposal as of this version"),
    Column("changes", JSON, nullable=False, doc="field -> {old, new} against the version before"),
    Column("created_at", UtcDateTime, nullable=False),
    Column("fanned_out_at", UtcDateTime, nullable=True, doc="when a delivery per staff sink was queued (the outbox)"),
    UniqueConstraint("draft_id", "version"),
)

version_deliveries = Table(
    "version_deliveries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("version_id", Integer, ForeignKey("draft_versions.id"), nullable=False, index=True),
    Column("sink", String(32), nullable=False),
    *_delivery_columns(),
    UniqueConstraint("version_id", "sink"),
    Index("ix_version_deliveries_due", "status", "next_attempt_at"),
)

# --- 「別の端末で続ける」: one-time codes and wrong tries (migration 0010_remind; bot/core/transfer.py) ---------

transfer_codes = Table(
    "transfer_codes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code_hash", String(64), nullable=False, unique=True, doc="SHA-256 of the code: the code itself is not kept"),
    Column("channel", String(32), nullable=False, doc="where the draft is"),
    Column("user_id", String(128), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime, nullable=True, doc="when it moved the draft (each code works once)"),
    Column("used_by_channel", String(32), nullable=True),
    Index("ix_transfer_codes_user", "channel", "user_id"),
)

transfer_attempts = Table(
    "transfer_attempts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("channel", String(32), nullable=False),
    Column("user_id", String(128), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Index("ix_transfer_attempts_at", "at"),
    Index("ix_transfer_attempts_user", "channel", "user_id", "at"),
)
