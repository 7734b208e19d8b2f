"""What staff are told about a consultation (担当者に相談); every sink sends it (``HandoffSink.notify``)."""

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
