"""Proposers' answers to staff replies about their drafts, for staff: the draft page, and one notice per reply.

The user's side (finding the reply answered, keeping the answer) is in ``SqlTurn``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.retry import RetryPolicy
from storage.fan_out import fan_out
from storage.queue import OutboxQueue
from storage.tables import answer_notices, drafts, proposer_answers


@dataclass(frozen=True)
class Answer:
    id: int
    reference: str
    channel: str
    text: str
    created_at: datetime


@dataclass(frozen=True)
class AnswerNoticeDue:
    """Staff are to be told at one sink that a proposer answered."""

    answer_id: int
    sink: str


class SqlAnswers:
    def __init__(self, engine: AsyncEngine, notice_policy: RetryPolicy) -> None:
        self._engine = engine
        self.notices = OutboxQueue(engine, answer_notices, notice_policy, AnswerNoticeDue)

    async def get(self, answer_id: int) -> Answer | None:
        async with self._engine.connect() as connection:
            row = (await connection.execute(_select().where(proposer_answers.c.id == answer_id))).first()
        return None if row is None else _answer(row)

    async def for_draft(self, reference: str) -> list[Answer]:
        """The proposer's answers about one draft, oldest first (the draft page)."""
        query = _select().where(drafts.c.reference == reference).order_by(proposer_answers.c.id)
        async with self._engine.connect() as connection:
            return [_answer(row) for row in await connection.execute(query)]

    async def fan_out(self, sinks: list[str], now: datetime, limit: int = 100) -> int:
        """Queue a notice per sink for each answer waiting for one; several workers queue each notice once."""
        return await fan_out(
            self._engine, proposer_answers, proposer_answers.c.notified_at, answer_notices, "answer_id", sinks, now, limit
        )


def _select() -> Select[Any]:
    return select(proposer_answers, drafts.c.reference, drafts.c.channel).join(drafts, drafts.c.id == proposer_answers.c.draft_id)


def _answer(row: Row[Any]) -> Answer:
    return Answer(id=row.id, reference=row.reference, channel=row.channel, text=row.text, created_at=row.created_at)
