"""dialogs/continue.yaml: the reminder about an unsent draft, and 「別の端末で続ける」 (a code that moves the draft)."""

from __future__ import annotations

from pydantic import Field, field_validator

from bot.content.models import NonEmpty, Strict
from bot.core.text import placeholders


class ReminderTexts(Strict):
    text: NonEmpty = Field(description="pushed once, N days after the user left a draft unsent; {days}")
    stopped: NonEmpty = Field(description="said after 「もう送らないで」")


class TransferTexts(Strict):
    code: NonEmpty = Field(description="the one-time code and how to use it; must say {code}; {minutes}")
    no_draft: NonEmpty = Field(description="「別の端末で続ける」 with no unsent draft")
    revising: NonEmpty = Field(description="「別の端末で続ける」 during a 差し戻し revision: it is finished where it was started")
    moved: NonEmpty = Field(description="on the new channel, once the draft has moved there; {channel} is where it was")
    expired: NonEmpty
    used: NonEmpty = Field(description="a code that moved a draft already (each works once)")
    unknown: NonEmpty = Field(description="a line shaped like a code that is none")
    too_many: NonEmpty = Field(description="too many wrong codes (from this user, or from everyone: someone may be guessing)")
    busy: NonEmpty = Field(description="this channel has an unsent draft of its own: it is not overwritten")
    here_already: NonEmpty = Field(description="the code was typed where it was given")
    channels: dict[str, NonEmpty] = Field(description="the name of each channel in {channel} (line, telegram, web, …)")

    @field_validator("code")
    @classmethod
    def _code_is_shown(cls, code: str) -> str:
        if "code" not in placeholders(code):
            raise ValueError("transfer.code must say {code}")
        return code


class ContinueTexts(Strict):
    reminder: ReminderTexts
    transfer: TransferTexts
