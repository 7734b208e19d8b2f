"""What the core needs from the outside world, as small protocols.

Storage implements :class:`ConversationStore`; the FAQ index implements
:class:`FaqLookup`. The core never imports the implementations.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.core.consultation import ConsultationRequest, ConsultationView
from bot.core.documents import NewDocument
from bot.core.draft import ConsentRecord, DraftProposal, FaqAsked, ReturnedDraft, StaffReply, Submission, SubmittedDraft
from bot.core.messages import Outbound, UserKey
from bot.core.state import ConversationState
from bot.core.usage import UsageEvent


class Turn(Protocol):
    """One user's state, held exclusively for the length of one turn.

    The store saves ``state`` and ``replies`` when the ``turn()`` context exits
    normally and discards every change (including a submission) when it raises.
    ``answered`` holds the replies of an earlier turn with the same key: then
    the input was handled already and must not be handled again.
    """

    state: ConversationState
    replies: list[Outbound]
    answered: list[Outbound] | None

    async def submit(self, submission: Submission) -> str:
        """Store the submission in this turn's transaction; return its reference (KY-YYYY-NNNN)."""
        ...

    async def erase_user_data(self) -> list[str]:
        """Forget what the user told the bot, except the submitted drafts staff need to handle them.

        Returns the references of those kept drafts, so the user can be told what remains.
        """
        ...

    async def keep_document(self, document: NewDocument) -> int:
        """Keep a file with the user's draft in progress (linked to the draft when it is submitted); return its id."""
        ...

    async def discard_documents(self) -> None:
        """Forget the files of the user's draft in progress (最初から)."""
        ...

    async def record_question(self, asked: FaqAsked) -> None:
        """Keep a free-text question and how it was answered, for staff (unanswered ones above all)."""
        ...

    async def record_usage(self, events: Sequence[UsageEvent]) -> None:
        """Count what the turn did, for staff (anonymous: the channel, never the user)."""
        ...

    async def open_consultation(self, request: ConsultationRequest) -> int:
        """Open a consultation for staff (and queue its notice to them, in this turn's transaction); return its number."""
        ...

    async def consultation(self, consultation_id: int) -> ConsultationView | None:
        """Where the user's consultation stands now (a staff member may have taken or closed it meanwhile)."""
        ...

    async def add_consultation_message(self, consultation_id: int, text: str, at: datetime) -> None:
        """Pass what the user said on to the staff console."""
        ...

    async def withdraw_consultation(self, consultation_id: int, at: datetime) -> bool:
        """Close a consultation nobody has taken yet; False when a staff member took (or closed) it first."""
        ...

    async def withdraw_text(self, forms: Sequence[str], replacement: str) -> None:
        """The user withdrew a message (LINE's 送信取消): where staff see its text in one of its ``forms`` (their
        consultations' messages, questions and kept context, the FAQ question it asked), ``replacement`` instead."""
        ...

    async def latest_staff_reply(self, since: datetime) -> StaffReply | None:
        """The newest staff reply about one of the user's drafts delivered since ``since``, if any."""
        ...

    async def answer_staff_reply(self, reply_id: int, text: str, at: datetime) -> None:
        """Keep the user's answer to that reply with its draft, for staff (and queue their notice, once per reply)."""
        ...

    async def my_drafts(self) -> list[SubmittedDraft]:
        """The drafts the user submitted on this channel, newest first (わたしの提案)."""
        ...

    async def returned_draft(self, reference: str) -> ReturnedDraft | None:
        """The user's draft ``reference`` if staff returned it and it waits for the revision (差し戻し)."""
        ...

    async def resubmit(self, reference: str, draft: DraftProposal, consent: ConsentRecord, at: datetime) -> int | None:
        """Store the revised draft under its reference and queue the staff sinks' notice of the new version, in this
        turn's transaction; return the new version, or None when the draft no longer waits for a revision."""
        ...


class ConversationStore(Protocol):
    def turn(self, user: UserKey, key: str | None = None, first_try: bool = False) -> AbstractAsyncContextManager[Turn]:
        """Lock the user's conversation (across processes) and yield it; ``key`` names the input (see ``Inbound.key``).

        ``first_try``: the caller knows no turn was answered under ``key`` yet, so the store need not look.
        """
        ...


@dataclass(frozen=True)
class FaqHit:
    entry_id: str
    label: str
    question: str
    answer: str
    score: float
    related: tuple[str, ...] = ()


@dataclass(frozen=True)
class FaqMatch:
    """A confident ``answer``; or, in the middle band, ``suggestions`` to ask "did you mean"; or neither."""

    answer: FaqHit | None = None
    suggestions: tuple[FaqHit, ...] = ()


@dataclass(frozen=True)
class IntentBands:
    """Confidences (0..1) from which a typed request is acted on (``sure``) or asked about (``ask``).

    Inside a form, at a question that takes free text, the line is first of all an answer: there the
    ``*_in_form`` bands apply, so only a line that is clearly a command is taken for one.
    """

    sure: float = 1.0
    ask: float = 1.0
    sure_in_form: float = 1.0
    ask_in_form: float = 1.0
    cover_in_form: float = 1.0  # there, the intent's examples must also cover this share of the line


@dataclass(frozen=True)
class Reading:
    """One typed line, read once (one embedding) against the FAQ, the intents and the topics outside the window."""

    faq: FaqMatch = FaqMatch()
    intent: str | None = None  # the best-matching intent (dialogs/intents.yaml)
    intent_confidence: float = 0.0
    intent_first: bool = False  # the intent ranks above every FAQ entry and outside topic
    intent_cover: float = 0.0  # the share of the line the intent's examples cover (「株式会社スキップ」: half)
    outside: str | None = None  # the label of a topic of another city service the line is confidently about
    bands: IntentBands = IntentBands()


class FaqLookup(Protocol):
    def lookup(self, text: str) -> FaqMatch:
        """Match a free-text question against the FAQ."""
        ...

    def read(self, text: str) -> Reading:
        """Match a typed line against the FAQ, the intents and the topics outside the window, in one pass."""
        ...

    def get(self, entry_id: str) -> FaqHit | None:
        """An entry by id (menu buttons and related-question buttons)."""
        ...


class FormLinks(Protocol):
    """Links to 「フォームでまとめて入力」 (bot/forms): they name the user and work for ``lifetime``."""

    lifetime: timedelta

    def link(self, user: UserKey, now: datetime) -> str: ...

    def signed(self, user: UserKey) -> bool:
        """Whether ``user``'s link is signed (it expires); a channel's own app (LIFF) needs no secret."""
        ...


class Clock(Protocol):
    def now(self) -> datetime: ...
