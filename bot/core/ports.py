"""What the core needs from the outside world, as small protocols.

Storage implements :class:`ConversationStore`; the FAQ index implements
:class:`FaqLookup`. The core never imports the implementations.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.core.draft import Submission
from bot.core.messages import UserKey
from bot.core.state import ConversationState


class Turn(Protocol):
    """One user's state, held exclusively for the length of one turn.

    The store saves ``state`` when the ``turn()`` context exits normally and
    discards every change (including a submission) when it raises.
    """

    state: ConversationState

    async def submit(self, submission: Submission) -> str:
        """Store the submission in this turn's transaction; return its reference (KY-YYYY-NNNN)."""
        ...


class ConversationStore(Protocol):
    def turn(self, user: UserKey) -> AbstractAsyncContextManager[Turn]:
        """Lock the user's conversation (across processes) and yield it."""
        ...


@dataclass(frozen=True)
class FaqHit:
    entry_id: str
    question: str
    answer: str
    score: float
    related: tuple[str, ...] = ()


class FaqLookup(Protocol):
    def lookup(self, text: str) -> FaqHit | None:
        """The best confident answer to a free-text question, or None."""
        ...

    def get(self, entry_id: str) -> FaqHit | None:
        """An entry by id (menu buttons and related-question buttons)."""
        ...


class Clock(Protocol):
    def now(self) -> datetime: ...
