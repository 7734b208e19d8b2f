"""Sends each staff notice to each sink exactly once, through its outbox: consultations, proposers' answers.

The consultation (or answer) row is the outbox entry, written in the user's turn; ``fan_out`` turns it
into a notice per sink (and, for a consultation nobody has taken in time, a reminder).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from bot.core.ports import Clock
from bot.handoff.notices import AnswerNotice, ConsultationNotice
from bot.handoff.sinks import HandoffSink, delivery_key
from bot.handoff.worker import OutboxWorker
from storage.answers import AnswerNoticeDue, SqlAnswers
from storage.consultations import ConsultationNoticeDue, SqlConsultations


class ConsultationNotifier:
    def __init__(
        self, consultations: SqlConsultations, sinks: Sequence[HandoffSink], clock: Clock, remind_after: timedelta,
        console_base_url: str | None = None,
    ) -> None:
        self._consultations = consultations
        self._sinks = {sink.name: sink for sink in sinks}
        self._clock = clock
        self._remind_after = remind_after
        self._console = console_base_url.rstrip("/") if console_base_url else None
        self._worker = OutboxWorker(consultations.notices, self._deliver, clock)

    async def run_once(self) -> int:
        """Queue notices for new (and long untaken) consultations, then send those due; return how many were tried."""
        await self._consultations.fan_out(list(self._sinks), self._clock.now(), self._remind_after)
        return await self._worker.run_once()

    async def _deliver(self, row: ConsultationNoticeDue) -> None:
        sink = configured(self._sinks, row.sink)
        consultation = await self._consultations.get(row.consultation_id)
        if consultation is None:
            raise LookupError(f"consultation {row.consultation_id} is gone")
        notice = ConsultationNotice(
            event="consultation_reminder" if row.kind == "reminder" else "consultation_opened",
            consultation_id=consultation.id, channel=consultation.user.channel, reason=consultation.reason,
            question=consultation.question, opened_at=consultation.opened_at,
            console_url=f"{self._console}/staff/consultations/{consultation.id}" if self._console else None,
        )
        await sink.notify(notice, delivery_key("consultation", consultation.id, row.kind, row.sink))


class AnswerNotifier:
    """Tells staff that a proposer answered a reply (once per reply), with the link to the draft's page."""

    def __init__(self, answers: SqlAnswers, sinks: Sequence[HandoffSink], clock: Clock, console_base_url: str | None = None) -> None:
        self._answers = answers
        self._sinks = {sink.name: sink for sink in sinks}
        self._clock = clock
        self._console = console_base_url.rstrip("/") if console_base_url else None
        self._worker = OutboxWorker(answers.notices, self._deliver, clock)

    async def run_once(self) -> int:
        await self._answers.fan_out(list(self._sinks), self._clock.now())
        return await self._worker.run_once()

    async def _deliver(self, row: AnswerNoticeDue) -> None:
        sink = configured(self._sinks, row.sink)
        answer = await self._answers.get(row.answer_id)
        if answer is None:
            raise LookupError(f"answer {row.answer_id} is gone")
        notice = AnswerNotice(
            reference=answer.reference, channel=answer.channel, text=answer.text, answered_at=answer.created_at,
            console_url=f"{self._console}/staff/drafts/{answer.reference}" if self._console else None,
        )
        await sink.notify(notice, delivery_key("answer", answer.id, row.sink))


def configured(sinks: dict[str, HandoffSink], name: str) -> HandoffSink:
    sink = sinks.get(name)
    if sink is None:
        raise LookupError(f"the sink '{name}' is no longer configured")
    return sink
