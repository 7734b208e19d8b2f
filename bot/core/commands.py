"""The fixed commands (戻る, スキップ, このまま, 最初から, 修正, 担当者に相談 …): what each one does."""

from __future__ import annotations

from datetime import timedelta

from bot.content.models import ChoiceStep, CommandName, SummaryStep, TextStep
from bot.core.options import field_steps
from bot.core.prompts import is_optional
from bot.core.reminders import stop_reminders
from bot.core.transfer import offer_code
from bot.core.turn_context import TurnContext


class Commands:
    def __init__(self, context: TurnContext, code_lifetime: timedelta) -> None:
        self._context = context
        self._code_lifetime = code_lifetime  # of a 「別の端末で続ける」 code

    async def run(self, name: CommandName) -> None:
        context = self._context
        messages = context.common.messages
        if name == "back":
            context.navigation.go_back()
        elif name == "skip":
            await self._skip()
        elif name == "keep":
            await self._keep()
        elif name in ("restart", "delete_data"):
            context.state.pending = name
            context.ask_confirmation(messages.restart_confirm if name == "restart" else messages.delete_confirm)
        elif name == "pause":
            context.state.paused = True
            context.say(messages.paused)
        elif name == "resume":
            context.state.paused = False
            context.prompt_due = True
        elif name == "edit":
            await self._open_edit_menu()
        elif name == "human":
            context.handover.start("asked")
        elif name == "transfer":
            context.transfer_code = offer_code(context, self._code_lifetime)
        elif name == "stop_reminders":
            stop_reminders(context)
        else:
            target = context.common.commands[name].goto  # menu: checked to exist by kyoso check
            await context.navigation.goto(target or context.common.home)

    async def _skip(self) -> None:
        context = self._context
        step = context.current()
        if isinstance(step, (TextStep, ChoiceStep)) and is_optional(step, context.state.values) and step.field:
            context.state.values[step.field] = ""
            await context.navigation.goto(context.navigation.next_after(step, ""))
        else:
            context.say(context.common.messages.cannot_skip)
            context.prompt_due = True

    async def _keep(self) -> None:
        """このまま: the current answer stays, and the form goes on as if it had been given again."""
        context = self._context
        step = context.current()
        field = getattr(step, "field", None)
        if not (field and context.state.values.get(field)):
            context.not_understood()
            return
        await context.navigation.goto(context.navigation.next_after(step, context.state.values[field]))

    async def _open_edit_menu(self) -> None:
        context = self._context
        target = context.common.commands["edit"].goto
        summary_ref = getattr(context.content.steps.get(target or ""), "summary", "")
        summary = context.content.steps.get(summary_ref)
        answered = isinstance(summary, SummaryStep) and any(context.state.values.get(row.field) for row in summary.rows)
        if not target or not answered:
            context.say(context.common.messages.nothing_to_edit)
            context.prompt_due = True
            return
        await context.navigation.goto(target)

    async def edit_field(self, name: str) -> None:
        context = self._context
        ref = field_steps(context.content, context.state.step or "").get(name)
        if ref is not None and context.revision.refuses(name):
            return
        if ref is None:
            context.not_understood()
            return
        await context.navigation.goto(ref, ask_even_if_answered=True)
