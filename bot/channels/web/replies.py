"""What the web chat page needs besides the replies themselves."""

from __future__ import annotations

from typing import Literal

from bot.core import payloads
from bot.core.messages import Outbound


def focus_after(replies: list[Outbound]) -> Literal["input", "choices"]:
    """Where the keyboard goes after a turn: the first answer when the question is answered by choosing one,
    the text box when it is answered by typing (its buttons are then only commands: 戻る, スキップ, 中断 …)."""
    offered = replies[-1].choices if replies else []
    answers = [choice for choice in offered if not choice.payload.startswith(payloads.COMMAND)]
    return "choices" if answers else "input"
