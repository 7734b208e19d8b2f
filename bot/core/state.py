"""Per-user conversation state: everything needed to continue exactly where the user was."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from bot.core.draft import ConsentRecord, DocumentNote, FaqAsked
from bot.core.messages import Choice

STATE_SCHEMA_VERSION = 1


class Said(BaseModel):
    """One line of the recent conversation, shown to the staff member a consultation goes to."""

    who: Literal["user", "bot"]
    text: str


class Consulting(BaseModel):
    """The conversation is with a person (担当者に相談): first the bot asks for the question, then it is open.

    Whether a person has taken it, or closed it, is read from storage in every turn (staff change it, not the user).
    """

    phase: Literal["asking", "open"]
    reason: Literal["asked", "faq"] = Field(description="the user asked for a person, or the FAQ failed twice in a row")
    id: int | None = Field(default=None, description="the consultation, once open")
    noted: Literal["waiting", "taken"] | None = Field(default=None, description="the one short note already said")


class Revising(BaseModel):
    """差し戻し: the revision under way (bot/core/revision.py)."""

    reference: str
    fields: list[str]
    message: str
    kept: dict[str, str] = Field(default_factory=dict, description="the unsent draft set aside meanwhile")


class ConversationState(BaseModel):
    schema_version: int = STATE_SCHEMA_VERSION
    step: str | None = Field(default=None, description="current step ref 'dialog.step'; None before the greeting")
    values: dict[str, str] = Field(default_factory=dict, description="answers by field name")
    history: list[str] = Field(default_factory=list, description="asked steps, most recent last, for 戻る")
    return_to: str | None = Field(default=None, description="step to return to after a 修正 edit")
    pending: str | None = Field(default=None, description="a confirmation or menu the user is in the middle of")
    pending_answer: str | None = Field(
        default=None, description="a typed line kept while the bot asks whether it was a request: いいえ makes it the answer"
    )
    choice_page: int = 0
    numbered: list[Choice] = Field(default_factory=list, description="the answers shown last: a typed 「2」 picks the second")
    paused: bool = False
    consent: ConsentRecord | None = None
    documents: list[DocumentNote] = Field(default_factory=list, description="files kept with the draft in progress")
    faq_log: list[FaqAsked] = Field(default_factory=list)
    faq_misses: int = Field(default=0, description="questions in a row the FAQ could not answer")
    reached: list[str] = Field(default_factory=list, description="asked steps counted for staff's usage figures (bot/core/usage.py)")
    feedback_for: str | None = Field(default=None, description="the FAQ entry last answered, until 役に立ちましたか？ is answered")
    consulting: Consulting | None = None
    answering_staff: bool = Field(default=False, description="the user's typed messages go on to staff (a reply's answer)")
    revising: Revising | None = Field(default=None, description="a draft staff returned, being revised (差し戻し)")
    recent: list[Said] = Field(default_factory=list, description="the last few lines, for staff")
    last_seen: datetime | None = None
    recent_turns: list[datetime] = Field(default_factory=list, description="times of the messages in the rate window")
    slowed_down: bool = Field(default=False, description="the user was told to slow down in this window")
    reminded_at: datetime | None = Field(default=None, description="the one reminder about this unsent draft (bot/core/reminders.py)")
    language: str | None = Field(default=None, description="the user's language (dialogs/languages.yaml); None: not chosen, 日本語")
    reminders_off: bool = Field(default=False, description="「もう送らないで」: no reminders, for this draft and the next")
