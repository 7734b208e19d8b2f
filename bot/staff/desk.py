"""Closing consultations (担当者に相談) and handing the conversation back to the bot.

Staff close a consultation from the console; the timer closes those whose user went quiet. Either way
the core says what comes next (the pending question again) and it goes to the user like a staff reply.
If the process dies between the two, the user's next message finds the consultation closed and the core
says the same then.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

from bot.core.messages import CardMessage, Outbound, UserKey
from bot.core.ports import Clock
from storage.consultations import SqlConsultations

Resume = Callable[[UserKey], Awaitable[list[Outbound]]]
TIMER = "自動"  # closed_by when the timer closes a consultation


class ConsultationDesk:
    def __init__(
        self, consultations: SqlConsultations, resume: Resume, clock: Clock, quiet_for: timedelta,
        wake_replies: Callable[[], None],
    ) -> None:
        self._consultations = consultations
        self._resume = resume
        self._clock = clock
        self._quiet_for = quiet_for
        self._wake_replies = wake_replies

    async def close(self, consultation_id: int, staff: str) -> bool:
        """False when it was closed already (by someone else, the timer or the user)."""
        user = await self._consultations.close(consultation_id, staff, self._clock.now())
        if user is not None:
            await self._hand_back(consultation_id, user)
        return user is not None

    async def close_abandoned(self) -> int:
        """Close every consultation whose user has sent nothing for ``quiet_for``; return how many."""
        now = self._clock.now()
        cutoff = now - self._quiet_for
        closed = 0
        for consultation_id in await self._consultations.quiet_since(cutoff):
            user = await self._consultations.close(consultation_id, TIMER, now, "abandoned", quiet_since=cutoff)
            if user is not None:
                await self._hand_back(consultation_id, user)
                closed += 1
        return closed

    async def _hand_back(self, consultation_id: int, user: UserKey) -> None:
        replies = await self._resume(user)
        if replies:
            # One push: the texts, and the buttons of the question asked again.
            text = "\n\n".join(reply.as_text() if isinstance(reply, CardMessage) else reply.text for reply in replies)
            await self._consultations.hand_back(consultation_id, user, text, replies[-1].choices, self._clock.now())
            self._wake_replies()

