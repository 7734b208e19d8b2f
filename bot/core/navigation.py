"""Moving through the dialog: from a step to the next that asks the user something, saying what comes between."""

from __future__ import annotations

from bot.content.models import ASKING_STEPS, ChoiceStep, EditMenuStep, ReportStep, SayStep, Step, SubmitStep
from bot.core.conditions import holds
from bot.core.messages import TextMessage
from bot.core.progress import reused_answers
from bot.core.turn_context import TurnContext
from bot.core.views import criteria_report

MAX_AUTOMATIC_STEPS = 200
MAX_HISTORY = 200


class Navigation:
    def __init__(self, context: TurnContext) -> None:
        self._context = context

    async def goto(self, ref: str, ask_even_if_answered: bool = False) -> None:
        """Run automatic steps from ``ref`` until a step that needs the user's answer."""
        context, state = self._context, self._context.state
        came_from = state.step
        reused: list[str] = []  # answers given earlier that this form takes over without asking
        for _ in range(MAX_AUTOMATIC_STEPS):
            state = context.state  # a submission starts a new state
            step = context.content.step(ref)
            field = getattr(step, "field", None)
            if step.when is not None and not holds(step.when, state.values):
                ref = self.next_after(step, state.values.get(field or "", ""))
                continue
            editing = state.return_to is not None and ref != state.return_to
            if isinstance(step, ASKING_STEPS):
                answered = field is not None and field in state.values
                filled = field is not None and bool(state.values.get(field))
                skip = (editing and answered) or (getattr(step, "skip_if_filled", False) and filled)
                if skip and not ask_even_if_answered:
                    if filled and not editing:
                        reused.append(field or "")
                    ref = self.next_after(step, state.values[field or ""])
                    continue
                self._say_reused(ref, reused)
                if isinstance(step, EditMenuStep) and state.return_to is None:
                    state.return_to = came_from
                self.set_step(ref)
                context.prompt_due = True
                return
            ask_even_if_answered = False
            self._say_reused(ref, reused)
            reused = []
            next_ref = await self._run_automatic(step, quiet=editing)
            if next_ref is None:
                return
            ref = next_ref
        raise RuntimeError(f"the dialog loops without asking anything (at {ref})")

    def next_after(self, step: Step, value: str) -> str:
        home = self._context.common.home
        if isinstance(step, ChoiceStep):
            target = step.branches.get(value) or step.next
            if target is None:
                chosen = next((o for o in step.options if o.value == value), None)
                target = chosen.next if chosen and chosen.next else None
            return target or home
        return getattr(step, "next", None) or home

    def set_step(self, ref: str) -> None:
        state = self._context.state
        if state.step != ref:
            state.choice_page = 0
        state.step = ref
        if ref == state.return_to:
            state.return_to = None
        if not state.history or state.history[-1] != ref:
            state.history.append(ref)
            del state.history[:-MAX_HISTORY]

    def go_back(self) -> None:
        context = self._context
        if len(context.state.history) < 2:
            context.say(context.common.messages.cannot_go_back)
        else:
            context.state.history.pop()
            self.set_step(context.state.history[-1])
        context.prompt_due = True

    def _say_reused(self, ref: str, fields: list[str]) -> None:
        """Say which earlier answers the form took over (the user's own words: no facts filled into them)."""
        context = self._context
        if fields:
            context.outbox.append(TextMessage(text=reused_answers(context.content, ref, fields, context.state.values)))

    async def _run_automatic(self, step: Step, quiet: bool) -> str | None:
        context = self._context
        if isinstance(step, SayStep):
            if not quiet:
                context.say(step.text)
            return step.next
        if isinstance(step, ReportStep):
            context.outbox.append(TextMessage(text=criteria_report(step, context.state.values, context.facts)))
            return step.next
        if isinstance(step, SubmitStep):
            return await context.submitting.submit(step)
        raise TypeError(f"not an automatic step: {type(step).__name__}")
