"""What staff are told besides a new draft: a consultation (担当者に相談), a proposer's answer to a reply.

Every sink sends them (``HandoffSink.notify``); ``event`` names the kind (the webhook's X-Kyoso-Event).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel


class ConsultationNotice(BaseModel):
    """What staff are told: a new consultation, or a reminder that nobody has taken one yet."""

    schema_version: Literal[1] = 1
    event: Literal["consultation_opened", "consultation_reminder"]
    consultation_id: int
    channel: str
    reason: str
    question: str
    opened_at: datetime
    console_url: str | None = None

    @property
    def reminder(self) -> bool:
        return self.event == "consultation_reminder"


class AnswerNotice(BaseModel):
    """A proposer answered a staff reply about their draft (the first answer to each reply)."""

    schema_version: Literal[1] = 1
    event: Literal["proposer_answered"] = "proposer_answered"
    reference: str
    channel: str
    text: str
    answered_at: datetime
    console_url: str | None = None


StaffNotice = ConsultationNotice | AnswerNotice
