"""「別の端末で続ける」: a one-time code moves the unsent draft to another channel (web chat ↔ LINE ↔ Telegram).

The code is 8 characters of an alphabet without look-alikes (0/O, 1/I/L): 31^8 ≈ 8.5·10^11 codes, of
which a handful live at a time, for minutes; wrong codes are counted per user and overall (storage
refuses more once either count is reached), so guessing one is hopeless. Only its SHA-256 is stored.

Giving the code is a command of the conversation (the code goes into the reply, its hash into storage
after the turn); taking it is done before the turn of the user who typed it, in one transaction that
moves the conversation state and the files sent with the draft from the old (channel, user) to the new
one, so the old channel's draft is gone and staff see one draft, which records the channels it passed
through (``CHANNELS_PASSED``).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from bot.core.draft import DraftProposal
from bot.core.messages import Inbound, UserKey
from bot.core.state import ConversationState
from bot.core.text import render

if TYPE_CHECKING:
    from bot.core.conversation import Conversation
    from bot.core.turn_context import TurnContext

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
HALF = 4  # shown as two halves: ABCD-EFGH
CHANNELS_PASSED = "channels_passed"  # a draft value (so it reaches the stored draft's criteria): "web,line"
_SEPARATORS = "-‐‑‒–—―ー－ 　"
_CODE = re.compile(f"[{ALPHABET}]{{{HALF}}}[{re.escape(_SEPARATORS)}]?[{ALPHABET}]{{{HALF}}}")


class Outcome(StrEnum):
    MOVED = "moved"
    EXPIRED = "expired"
    USED = "used"
    UNKNOWN = "unknown"
    TOO_MANY = "too_many"
    BUSY = "busy"  # this (channel, user) has an unsent draft of its own
    HERE_ALREADY = "here_already"  # typed where it was given


@dataclass(frozen=True)
class Redeemed:
    outcome: Outcome
    came_from: str | None = None  # the channel the draft moved from


@dataclass(frozen=True)
class TransferLimits:
    lifetime: timedelta = timedelta(minutes=15)
    window: timedelta = timedelta(hours=1)
    wrong_per_user: int = 5  # wrong codes one user may type within the window
    wrong_overall: int = 100  # wrong codes everyone together may type within the window


class TransferStore(Protocol):
    async def issue(self, user: UserKey, code_hash: str, now: datetime, expires_at: datetime) -> None:
        """Keep a new code of ``user``'s draft (a code given before by the same user stops working)."""
        ...

    async def redeem(self, user: UserKey, code_hash: str, now: datetime, limits: TransferLimits) -> Redeemed:
        """In one transaction: check the limits and the code, and on success move the source's conversation to ``user``."""
        ...


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(2 * HALF))


def shown(code: str) -> str:
    return f"{code[:HALF]}-{code[HALF:]}"


def hashed(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def typed_code(text: str) -> str | None:
    """The code a line consists of (any width or case, with or without the hyphen), or None."""
    line = unicodedata.normalize("NFKC", text).strip().upper()
    if not _CODE.fullmatch(line):
        return None
    return "".join(char for char in line if char in ALPHABET)


def has_draft(state: ConversationState) -> bool:
    """Some answer of a draft proposal is there (the criteria walk alone is not a draft)."""
    return any(state.values.get(name) for name in DraftProposal.model_fields)


def moved_state(source: ConversationState, came_from: UserKey, to: UserKey, now: datetime) -> ConversationState:
    """The draft and where it stands, as the new channel continues it; nothing of the old channel's session."""
    values = {**source.values, CHANNELS_PASSED: ",".join([*channels_passed(source.values, came_from.channel), to.channel])}
    return ConversationState(
        step=source.step, values=values, history=source.history, return_to=source.return_to, consent=source.consent,
        documents=source.documents, faq_log=source.faq_log, reached=source.reached, last_seen=now,
        reminded_at=source.reminded_at, reminders_off=source.reminders_off,  # still one reminder per draft
    )


def channels_passed(values: Mapping[str, str], channel: str) -> list[str]:
    """The channels a draft passed through, in order, from its values (or a stored draft's criteria); ``channel``: where it is."""
    return [passed for passed in values.get(CHANNELS_PASSED, "").split(",") if passed] or [channel]


class Transfers:
    """What the engine does around a turn: take a typed code before it, keep a given code after it."""

    def __init__(self, store: TransferStore, limits: TransferLimits = TransferLimits()) -> None:
        self._store = store
        self.limits = limits

    async def redeem(self, inbounds: Sequence[Inbound], now: datetime) -> Redeemed | None:
        """None when the event is not a typed code (most events)."""
        if len(inbounds) != 1 or inbounds[0].payload is not None or inbounds[0].unsent:
            return None
        code = typed_code(inbounds[0].text or "")
        if code is None:
            return None
        return await self._store.redeem(inbounds[0].user, hashed(code), now, self.limits)

    async def issue(self, user: UserKey, code: str, now: datetime) -> None:
        await self._store.issue(user, hashed(code), now, now + self.limits.lifetime)


def offer_code(context: TurnContext, lifetime: timedelta) -> str | None:
    """「別の端末で続ける」: say the new code (returned, to be kept after the turn), or that there is no draft."""
    texts = context.content.continuation.transfer
    if not has_draft(context.state):
        context.say(texts.no_draft)
        return None
    if context.state.revising is not None:  # the returned draft is resubmitted where it was sent from
        context.say(texts.revising)
        context.prompt_due = True
        return None
    code = new_code()
    context.say(render(texts.code, {"code": shown(code), "minutes": int(lifetime.total_seconds() // 60)}))
    return code


def tell_redeemed(conversation: Conversation, redeemed: Redeemed) -> None:
    """What the user who typed a code sees: the draft moved here (and its pending question), or why not."""
    texts = conversation.content.continuation.transfer
    came_from = texts.channels.get(redeemed.came_from or "", redeemed.came_from or "")
    conversation.tell(render(getattr(texts, redeemed.outcome.value), {"channel": came_from}))
