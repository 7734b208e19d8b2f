"""The writes that end a turn: on PostgreSQL one statement, one round trip.

A turn keeps, in its own transaction, the user's new state, its replies under
the event's key (a keyed turn), the FAQ questions asked and the usage events.
SQLite runs in this process, where a statement costs no round trip: one each.
On PostgreSQL each would be a round trip (and a wake-up of the event loop)
while the user's row stays locked: one ``UPDATE`` with the inserts as
writable CTEs instead, the rows of each passed as one JSON array, so the
statement has one shape whatever the turn kept and is prepared once.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, text
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core.draft import FaqAsked
from bot.core.messages import UserKey
from bot.core.usage import UsageEvent
from storage.tables import answered_turns, conversations, faq_questions
from storage.usage import record_usage

_SAVE_STATE = (
    conversations.update()
    .where(conversations.c.channel == bindparam("who_channel"), conversations.c.user_id == bindparam("who_user"))
    .values(state=bindparam("new_state"), updated_at=bindparam("now"))
)
_ASK = faq_questions.insert()
_KEEP_REPLIES = answered_turns.insert()
_POSTGRES = text("""
WITH kept AS (
    INSERT INTO answered_turns (channel, user_id, turn_key, replies, answered_at)
    SELECT :channel, :user_id, CAST(:turn_key AS VARCHAR), :replies, :now WHERE CAST(:turn_key AS VARCHAR) IS NOT NULL
), asked AS (
    INSERT INTO faq_questions (channel, question, faq_id, outcome, asked_at)
    SELECT :channel, q.question, q.faq_id, q.outcome, q.asked_at
    FROM jsonb_to_recordset(CAST(:questions AS JSONB)) AS q(question TEXT, faq_id VARCHAR, outcome VARCHAR, asked_at TIMESTAMPTZ)
), used AS (
    INSERT INTO usage_events (channel, kind, subject, outcome, at)
    SELECT :channel, u.kind, u.subject, u.outcome, u.at
    FROM jsonb_to_recordset(CAST(:usage AS JSONB)) AS u(kind VARCHAR, subject VARCHAR, outcome VARCHAR, at TIMESTAMPTZ)
)
UPDATE conversations SET state = :state, updated_at = :now WHERE channel = :channel AND user_id = :user_id
""")


async def end_turn(
    connection: AsyncConnection, user: UserKey, state: str, now: datetime, key: str | None, replies: str,
    asked: Sequence[FaqAsked], used: Sequence[UsageEvent],
) -> None:
    """Save ``state``; keep ``replies`` under ``key`` (None: an unkeyed turn keeps none), the questions and the usage."""
    if connection.dialect.name == "postgresql":
        questions = [
            {"question": one.question, "faq_id": one.faq_id, "outcome": one.outcome, "asked_at": one.asked_at.isoformat()}
            for one in asked
        ]
        usage = [{"kind": one.kind, "subject": one.subject, "outcome": one.outcome, "at": one.at.isoformat()} for one in used]
        await connection.execute(_POSTGRES, {
            "channel": user.channel, "user_id": user.user_id, "turn_key": key, "replies": replies, "now": now,
            "state": state, "questions": json.dumps(questions, ensure_ascii=False), "usage": json.dumps(usage, ensure_ascii=False),
        })
        return
    await connection.execute(_SAVE_STATE, {"who_channel": user.channel, "who_user": user.user_id, "new_state": state, "now": now})
    if key is not None:
        await connection.execute(
            _KEEP_REPLIES, {"channel": user.channel, "user_id": user.user_id, "turn_key": key, "replies": replies, "answered_at": now}
        )
    if asked:
        await connection.execute(_ASK, [
            {"channel": user.channel, "question": one.question, "faq_id": one.faq_id, "outcome": one.outcome, "asked_at": one.asked_at}
            for one in asked
        ])
    if used:
        await record_usage(connection, user.channel, used)
