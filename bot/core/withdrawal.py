"""送信取消 (LINE's unsend): a message the user withdrew leaves what the bot keeps and what staff see.

Its text goes from the draft not yet submitted, the recent lines and FAQ questions that would go to
staff with a consultation, and (in storage) the consultations and answers staff read; staff see
``messages.unsent`` in its place. A submitted draft stays as it was handed over. The bot says nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core.handover import MAX_QUESTION
from bot.core.state import Said

if TYPE_CHECKING:
    from bot.core.turn_context import TurnContext


def forms(text: str, max_recent: int) -> list[str]:
    """The text as the bot may have kept it: as sent, trimmed, or cut to a consultation's or a recent line's length."""
    trimmed = text.strip()
    if not trimmed:
        return []
    return sorted({text, trimmed, trimmed[:MAX_QUESTION], text[:max_recent]})


async def withdraw(context: TurnContext, text: str, max_recent: int) -> None:
    kept = forms(text, max_recent)
    if not kept:
        return
    gone = context.common.messages.unsent
    state = context.state
    state.values = {name: value for name, value in state.values.items() if value not in kept}
    state.recent = [Said(who="user", text=gone) if line.who == "user" and line.text in kept else line for line in state.recent]
    state.faq_log = [asked for asked in state.faq_log if asked.question not in kept]
    if state.pending_answer in kept:
        state.pending = state.pending_answer = None
    await context.turn.withdraw_text(kept, gone)
