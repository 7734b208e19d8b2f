"""The database schema, portable between SQLite and PostgreSQL.

Migrations in ``storage/migrations/versions`` create exactly these tables; a
test compares the two so they cannot drift apart.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Dialect,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
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
