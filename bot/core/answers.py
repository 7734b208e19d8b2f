"""The answer to the current step: a button of its, or a typed line decided once (an answer, a request, a question)."""

from __future__ import annotations

from bot.content.models import ChoiceStep, ConsentStep, EditMenuStep, Option, Step, TextStep
from bot.core.confirmations import ANSWER_PENDING
from bot.core.draft import ConsentRecord
from bot.core.intents import find_intent
from bot.core.options import Offered, offered
from bot.core.text import render
from bot.core.turn_context import TurnContext
from bot.core.understanding import Decision, decide
from bot.core.validation import Refusal, validate


class Answers:
    def __init__(self, context: TurnContext) -> None:
        self._context = context

    async def answer_step(self, payload: str | None, text: str) -> None:
        context = self._context
        step = context.current()
        if payload is not None:
            choices = [] if isinstance(step, TextStep) else offered(step, context.content, context.state.values)
            chosen = next((choice for choice in choices if choice.payload == payload), None)
            if chosen is None:
                context.not_understood()
            else:
                await self._take_option(step, chosen)
            return
        await self.act(step, decide(context.content, step, context.state.values, text, context.read), text)

    async def act(self, step: Step, decision: Decision, text: str) -> None:
        context = self._context
        if decision.kind == "option" and decision.option is not None:
            await self._take_option(step, decision.option)
        elif decision.kind == "confirm_answer" and context.content.intents is not None:
            context.state.pending, context.state.pending_answer = ANSWER_PENDING, text
            context.ask_confirmation(render(context.content.intents.confirm_answer, {"answer": text}))
        elif decision.kind in ("answer", "invalid", "confirm_answer") and isinstance(step, TextStep) and decision.value is not None:
            await self._store_answer(step, decision.value)
        elif decision.intent is not None:
            await context.requests.requested(decision, text if isinstance(decision.value, str) else None)
        elif decision.kind == "question":
            await context.faq_answers.answer_question(text, decision.reading, decision.offer)
        else:
            context.not_understood()

    async def _take_option(self, step: Step, chosen: Offered) -> None:
        context = self._context
        if isinstance(step, EditMenuStep):
            await context.commands.edit_field(chosen.option.value)
        else:
            await self.choose(step, chosen.option)

    async def choose(self, step: Step, option: Option) -> None:
        context = self._context
        if option.reply:
            context.say(option.reply)
        if option.command:
            await context.commands.run(option.command)
            return
        if option.show:
            await context.my_proposals.list()
            return
        if option.faq:
            context.faq_answers.answer_entry(option.faq)
            return
        if isinstance(step, ConsentStep) and option.value == "agree":
            context.state.consent = ConsentRecord(notice_version=context.content.privacy.version, agreed_at=context.now)
        field = getattr(step, "field", None)
        if field:
            context.state.values[field] = option.value
        target = option.next or (context.navigation.next_after(step, option.value) if isinstance(step, ChoiceStep) else None)
        await context.navigation.goto(target or context.state.step or context.common.home)

    async def _store_answer(self, step: TextStep, result: str | Refusal) -> None:
        context = self._context
        if isinstance(result, Refusal):
            message = getattr(context.common.validation, result.reason)
            context.say(render(message, {"max": result.max, "length": result.length}))
            context.prompt_due = True
            return
        context.state.values[step.field] = result
        await context.navigation.goto(step.next)

    async def answer_if_asked(self, text: str) -> None:
        """A first or returning message: act on it only if it names an answer, a request, or a question the bot knows."""
        context = self._context
        step = context.current()
        decision = decide(context.content, step, context.state.values, text, context.read)
        found = decision.reading
        intent = find_intent(context.content, decision.intent)
        wanted = (
            (intent is not None and intent.command != "resume" and intent.reply is None)  # 「下書きを再開したい」 on return: just resumed
            or (decision.kind == "question" and bool(found.faq.answer or found.faq.suggestions or found.outside))
            or (decision.kind == "option" and not getattr(step, "field", None))  # 「提案の下書きをつくる」 typed at the menu
        )
        if wanted:  # not 「こんにちは」: the greeting (or the pending question) is answer enough
            context.prompt_due = False
            await self.act(step, decision, text)

    async def take_as_answer(self, text: str) -> None:
        context = self._context
        step = context.current()
        if isinstance(step, TextStep):
            await self._store_answer(step, validate(step, text))
        else:
            context.prompt_due = True
