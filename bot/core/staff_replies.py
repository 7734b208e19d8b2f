"""A proposer's answer to a staff reply about their draft goes to staff, not to the FAQ.

Staff write to a proposer from the console's draft page. What the proposer types next (nothing else done
since the reply arrived, and within the reply window) is their answer: it is kept with the draft for staff
(the draft page, and a notice to the staff sinks) and the proposer is told so. Further typed messages go
the same way until the proposer turns back to the bot (any button or command); a newer reply starts again.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from bot.core.prompts import command_buttons
from bot.core.text import has_content, render

if TYPE_CHECKING:
    from bot.core.parsed import Parsed
    from bot.core.turn_context import TurnContext

MAX_ANSWER = 2000


class StaffReplies:
    def __init__(self, context: TurnContext, window: timedelta) -> None:
        self._context = context
        self._window = window

    async def forward(self, parsed: Parsed) -> bool:
        """Pass a typed answer to a recent staff reply on to staff; False when the input is for the bot."""
        context, text = self._context, parsed.text
        state = context.state
        typed = parsed.typed and has_content(text) and parsed.command is None
        if not typed or state.pending is not None:
            state.answering_staff = False
            return False
        latest = await context.turn.latest_staff_reply(context.now - self._window)
        unanswered = latest is not None and (state.last_seen is None or latest.sent_at > state.last_seen)
        if latest is None or not (unanswered or state.answering_staff):
            state.answering_staff = False
            return False
        state.answering_staff = True
        await context.turn.answer_staff_reply(latest.id, text.strip()[:MAX_ANSWER], context.now)
        said = render(context.content.replies.forwarded, {**context.content.facts.facts, "reference": latest.reference})
        context.say(said, command_buttons(context.common, ["resume"]))
        context.prompt_due = False
        return True
