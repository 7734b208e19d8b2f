"""差し戻し: staff returned a submitted draft, naming the fields to improve with a comment.

The proposer presses 修正を始める (under the notice, or beside the draft in わたしの提案), or types it: the draft's
answers come back into the conversation without those fields, so the form asks exactly them (the
usual commands work), then shows the summary; consent and 送る resubmit it under the same reference
with the next version number (``Turn.resubmit``). A draft being written meanwhile is kept aside and
comes back afterwards. 修正 of a field staff did not return is refused with the list of those that were.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core.draft import ConsentRecord, DraftProposal
from bot.core.my_proposals import summary_ref
from bot.core.options import display_value, field_steps
from bot.core.prompts import command_buttons
from bot.core.state import Revising
from bot.core.text import normalize, render
from bot.core.workflow import RETURNED

if TYPE_CHECKING:
    from bot.content.models import SubmitStep
    from bot.core.parsed import Parsed
    from bot.core.turn_context import TurnContext


class Revision:
    def __init__(self, context: TurnContext) -> None:
        self._context = context
        self._texts = context.content.after_handoff.returned

    async def start_if_typed(self, parsed: Parsed) -> bool:
        """「修正を始める」 typed instead of pressed: the revision of the user's newest returned draft starts (True).

        Without a returned draft the line is read as any other (False).
        """
        if not parsed.typed or parsed.inbound.document is not None or normalize(parsed.text) != normalize(self._texts.start):
            return False
        returned = [draft for draft in await self._context.turn.my_drafts() if draft.status == RETURNED]
        if not returned:
            return False
        await self.start(returned[0].reference)
        return True

    async def start(self, reference: str) -> None:
        context = self._context
        returned = await context.turn.returned_draft(reference)
        summary = summary_ref(context.content)
        asks = field_steps(context.content, summary or "")
        wanted = [name for name in returned.fields if name in asks] if returned else []
        if returned is None or summary is None or not wanted:
            self._closed(reference)
            return
        state = context.state
        kept = state.revising.kept if state.revising is not None else dict(state.values)
        state.values = {**returned.criteria, **{name: value for name, value in returned.data.items() if name not in wanted}}
        state.revising = Revising(reference=reference, fields=wanted, message=returned.message, kept=kept)
        state.consent = None
        state.pending = state.pending_answer = None
        state.paused = False  # the revision's answers are answers, not a return after a pause
        lines = [self._line(summary, name, returned.data.get(name, "")) for name in wanted]
        context.say(render(self._texts.intro, {"reference": reference, "message": returned.message, "fields": "\n".join(lines)}))
        state.return_to = summary
        await context.navigation.goto(asks[wanted[0]], ask_even_if_answered=True)

    def refuses(self, field: str) -> bool:
        """修正 of a field staff did not return: said so, and True (the edit menu is asked again)."""
        revising = self._context.state.revising
        if revising is None or field in revising.fields:
            return False
        names = "、".join(self.label(name) for name in revising.fields)
        self._context.say(render(self._texts.not_returned, {"fields": names}))
        self._context.prompt_due = True
        return True

    async def resubmit(self, step: SubmitStep, revising: Revising, draft: DraftProposal, consent: ConsentRecord) -> str:
        """Send the revised draft again; return the step to go to."""
        context = self._context
        version = await context.turn.resubmit(revising.reference, draft, consent, context.now)
        kept, context.state.revising = revising.kept, None
        context.state.values = kept
        context.state.return_to = context.state.consent = None  # the kept draft asks for its own consent
        if version is None:
            self._closed(revising.reference)
            return step.next
        context.say(render(self._texts.resubmitted, {"reference": revising.reference, "version": version}))
        return step.next

    def label(self, field: str) -> str:
        summary = self._context.content.step(summary_ref(self._context.content) or "")
        rows = getattr(summary, "rows", [])
        return next((row.label for row in rows if row.field == field), field)

    def _line(self, summary: str, name: str, value: str) -> str:
        """One returned field with what it says now (the label the proposer saw for a code)."""
        content = self._context.content
        empty = getattr(content.step(summary), "empty_value", "")
        shown = display_value(content, summary, name, value) if value else empty
        return render(self._texts.field, {"label": self.label(name), "value": shown})

    def _closed(self, reference: str) -> None:
        context = self._context
        context.say(render(self._texts.closed, {"reference": reference}), command_buttons(context.common, ["menu"]))
        context.prompt_due = False
