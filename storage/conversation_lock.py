"""A user's conversation row, locked for the transaction it is read in: a turn (``storage/sql_store.py``) and a
draft moving to another channel (``storage/transfer.py``) both start from it.

PostgreSQL locks the row (``SELECT ... FOR UPDATE``); SQLite already holds the database's write lock.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import and_, bindparam, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core.messages import UserKey
from bot.core.state import ConversationState
from storage.queue import SENT
from storage.tables import conversations, proposer_messages

# Built once: the hot path's statements are compiled once and found in SQLAlchemy's cache by identity.
_MINE = and_(conversations.c.channel == bindparam("who_channel"), conversations.c.user_id == bindparam("who_user"))
_LAST_REPLY_AT = (
    select(func.max(proposer_messages.c.delivered_at))
    .where(
        proposer_messages.c.channel == bindparam("who_channel"), proposer_messages.c.user_id == bindparam("who_user"),
        proposer_messages.c.status == SENT,
    )
    .scalar_subquery()
)
# FOR UPDATE is rendered on PostgreSQL only; SQLite already holds the write lock.
_LOCK_STATE = select(conversations.c.state, _LAST_REPLY_AT.label("last_reply_at")).where(_MINE).with_for_update(of=conversations)
_NEW_CONVERSATION = {
    dialect: insert_for(conversations).on_conflict_do_nothing(index_elements=["channel", "user_id"])
    for dialect, insert_for in (("postgresql", postgresql.insert), ("sqlite", sqlite.insert))
}


def utc(value: datetime | str) -> datetime:
    """Aggregates bypass the column type on SQLite, which hands back text."""
    parsed = datetime.fromisoformat(value) if isinstance(value, str) else value
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


async def lock_conversation(connection: AsyncConnection, user: UserKey) -> tuple[ConversationState, datetime | None]:
    """Lock the user's row for this transaction and load its state (creating the row for a new user), and when the
    newest staff reply reached the user (in the same statement: a turn's round trips are what it costs)."""
    mine = {"who_channel": user.channel, "who_user": user.user_id}
    row = (await connection.execute(_LOCK_STATE, mine)).first()
    if row is None:
        now = datetime.now(UTC)
        await connection.execute(
            _NEW_CONVERSATION[connection.dialect.name],
            {"channel": user.channel, "user_id": user.user_id, "state": ConversationState().model_dump_json(),
             "created_at": now, "updated_at": now},
        )
        row = (await connection.execute(_LOCK_STATE, mine)).one()
    last_reply_at = None if row.last_reply_at is None else utc(row.last_reply_at)
    return ConversationState.model_validate_json(row.state), last_reply_at
