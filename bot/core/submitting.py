"""The submit step: the draft checked against the privacy notice agreed to, then sent to staff (or resent, in a revision)."""

from __future__ import annotations

from pydantic import ValidationError

from bot.content.models import SubmitStep
from bot.core.draft import DraftProposal, Submission
from bot.core.options import field_is_active
from bot.core.state import ConversationState
from bot.core.text import render
from bot.core.turn_context import TurnContext
from bot.core.views import next_steps


class Submitting:
    def __init__(self, context: TurnContext) -> None:
        self._context = context

    async def submit(self, step: SubmitStep) -> str:
        """Send the draft; return the step to go to (``on_invalid`` when it cannot be sent as it is)."""
        context = self._context
        values = context.state.values
        near = context.state.step or ""
        fields = {
            name: values.get(name) or None
            for name in DraftProposal.model_fields
            if name in values and field_is_active(context.content, near, name, values)
        }
        consent = context.state.consent
        try:
            draft = DraftProposal.model_validate(fields)
            if consent is None or consent.notice_version != context.content.privacy.version:
                raise ValueError("consent to the current privacy notice is missing")
        except (ValidationError, ValueError):
            context.say(step.invalid)
            return step.on_invalid
        if (revising := context.state.revising) is not None:
            return await context.revision.resubmit(step, revising, draft, consent)
        criteria = {name: value for name, value in values.items() if name not in DraftProposal.model_fields}
        submission = Submission(
            user=context.user, draft=draft, criteria=criteria, consent=consent,
            faq_log=context.state.faq_log, submitted_at=context.now, documents=context.state.documents,
            language=context.state.language,
        )
        reference = await context.turn.submit(submission)
        context.say(render(step.text, {**context.facts, "reference": reference, "next_steps": next_steps(context.content)}))
        context.state = ConversationState(step=context.state.step, reminders_off=context.state.reminders_off, language=context.state.language)
        return step.next
