"""What the core hands to storage when a person takes over a conversation (担当者に相談), and reads back."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from bot.core.draft import FaqAsked
from bot.core.messages import UserKey
from bot.core.state import Said

OPEN = "open"
TAKEN = "taken"
CLOSED = "closed"
ConsultationStatus = Literal["open", "taken", "closed"]
CloseReason = Literal["staff", "abandoned", "withdrawn"]


class ConsultationRequest(BaseModel):
    """A new consultation, with what staff need to answer it without asking again."""

    user: UserKey
    reason: Literal["asked", "faq"]
    question: str
    opened_at: datetime
    step: str | None
    draft: dict[str, str]
    criteria: dict[str, str]
    recent: list[Said]
    faq_log: list[FaqAsked]


class ConsultationView(BaseModel):
    """Where a consultation stands, as the user's turn sees it."""

    status: ConsultationStatus
    taken_by: str | None = None
    close_reason: CloseReason | None = None

