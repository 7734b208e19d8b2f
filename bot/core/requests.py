"""Requests typed in words (dialogs/intents.yaml): done at once, or first asked about."""

from __future__ import annotations

from bot.content.choices import menu_options
from bot.content.models import ALWAYS_CONFIRMED, Intent
from bot.core.confirmations import INTENT_PENDING
from bot.core.intents import find_intent, leaves_form
from bot.core.messages import TextMessage
from bot.core.required import required
from bot.core.text import render
from bot.core.turn_context import TurnContext
from bot.core.understanding import Decision


class Requests:
    def __init__(self, context: TurnContext) -> None:
        self._context = context

    async def requested(self, understood: Decision, answer: str | None) -> None:
        """Do what the user asked for, or first ask: when unsure, or when it would leave a half-filled form.

        ``answer`` is the line itself when it could also be the answer to the current question: then
        いいえ takes it as that answer.
        """
        context = self._context
        intent = find_intent(context.content, understood.intent)
        texts = context.content.intents
        if intent is None or texts is None:
            context.not_understood()
            return
        unsure = understood.kind == "ask_intent"
        kept = answer if unsure else None
        note = [render(texts.or_answer, {"answer": kept})] if kept is not None else []  # what else the line was taken for
        if intent.command in ALWAYS_CONFIRMED:
            await context.commands.run(intent.command)  # it asks its own question
            context.state.pending_answer = kept
            last = context.outbox[-1]
            if note and isinstance(last, TextMessage):
                last.text = "\n".join([last.text, *note])
            return
        leaving = leaves_form(context.content, intent, context.state.step or "", context.current(), context.state)
        if not unsure and not leaving:
            await self._run_intent(intent)
            return
        ask = required(intent.ask, "the intent's question")  # checked when the content is loaded
        context.state.pending = INTENT_PENDING + intent.id
        context.state.pending_answer = kept
        context.ask_confirmation("\n".join([*([texts.leaving_form] if leaving else []), ask, *note]))

    async def settle(self, intent_id: str, confirmed: bool, answer: str | None) -> None:
        context = self._context
        intent = find_intent(context.content, intent_id)
        if confirmed and intent is not None:
            await self._run_intent(intent)
        elif answer is not None:
            await context.answers.take_as_answer(answer)
        elif context.content.intents is not None:
            context.say(context.content.intents.declined)
            context.prompt_due = True

    async def _run_intent(self, intent: Intent) -> None:
        context = self._context
        if intent.command is not None:
            await context.commands.run(intent.command)
        elif intent.reply is not None:
            context.say(intent.reply)  # small talk (こんにちは), then the question the user is at
            context.prompt_due = True
        else:
            await self.pick_menu_item(intent.option or "")

    async def pick_menu_item(self, value: str) -> None:
        """An item of the menu, from wherever the user is (a button under an FAQ answer, or a request in words)."""
        context = self._context
        option = menu_options(context.content).get(value)
        menu = context.content.steps.get(context.common.commands["menu"].goto or "")
        if option is None or menu is None:
            context.not_understood()
            return
        await context.answers.choose(menu, option)
