"""Per-user message limit: a flood from one user is told once to slow down, then ignored until it calms.

The window lives in the user's conversation state, so the limit holds across
workers and restarts; refused messages do not count, so the user can go on as
soon as the oldest counted message leaves the window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from bot.core.state import ConversationState


class Admission(Enum):
    ADMITTED = "admitted"
    REFUSED_WITH_NOTICE = "refused_with_notice"  # the first refused message: say why, once
    REFUSED = "refused"


@dataclass(frozen=True)
class TurnLimit:
    turns: int = 30
    per: timedelta = timedelta(minutes=1)

    def admit(self, state: ConversationState, now: datetime) -> Admission:
        """Count this message against the window in ``state`` (mutated) and say whether to handle it."""
        start = now - self.per
        state.recent_turns = [moment for moment in state.recent_turns if moment > start]
        if len(state.recent_turns) < self.turns:
            state.recent_turns.append(now)
            state.slowed_down = False
            return Admission.ADMITTED
        if state.slowed_down:
            return Admission.REFUSED
        state.slowed_down = True
        return Admission.REFUSED_WITH_NOTICE
