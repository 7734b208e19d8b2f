"""Questions for the FAQ: the answer, a "did you mean", another desk's topic, or honestly nothing (then a person)."""

from __future__ import annotations

from bot.core import payloads, usage
from bot.core.dated import dated_note
from bot.core.draft import FaqAsked
from bot.core.intents import offer_intent
from bot.core.messages import Choice, TextMessage
from bot.core.ports import FaqHit, Reading
from bot.core.prompts import command_buttons
from bot.core.required import required
from bot.core.text import render
from bot.core.turn_context import MAX_QUESTION_KEPT, TurnContext
from bot.core.usage import UsageEvent

MAX_FAQ_LOG = 50
MISSES_BEFORE_OFFER = 2  # unanswered questions in a row before the bot offers a person


class FaqAnswers:
    def __init__(self, context: TurnContext) -> None:
        self._context = context
        # "In a row": a turn that is not another unanswered question starts the count again.
        self._misses_before, context.state.faq_misses = context.state.faq_misses, 0

    async def none_fits(self) -> None:
        """どれでもない: say honestly there is no answer, keep the question for staff, offer a person."""
        context = self._context
        asked = next((asked for asked in reversed(context.state.faq_log) if asked.outcome == "suggested"), None)
        if asked is not None:
            asked.outcome = "unanswered"
            await context.turn.record_question(FaqAsked(question=asked.question, faq_id=None, outcome="unanswered", asked_at=context.now))
        context.say(context.common.messages.none_fits)  # it names 「担当者に相談」, so that button is offered with the question
        context.prompt_due = True

    async def answer_question(self, text: str, reading: Reading, offer: str | None = None) -> None:
        """Answer; or ask "did you mean" in the middle band; or say that the topic is another window's, or honestly that nothing fits.

        ``offer``: an intent the line may also mean (「担当者について知りたい」), whose button goes with the
        answer or the "did you mean" (not inside a form, where the pending question comes next).
        Every such question is kept with its outcome, for the dossier and for staff.
        """
        context = self._context
        outside, found = reading.outside, reading.faq
        outcome = "answered" if found.answer else "suggested" if found.suggestions else "unanswered"
        asked = FaqAsked(
            question=text[:MAX_QUESTION_KEPT],
            faq_id=found.answer.entry_id if found.answer else None,
            outcome=outcome,
            asked_at=context.now,
        )
        context.state.faq_log.append(asked)
        del context.state.faq_log[:-MAX_FAQ_LOG]
        await context.turn.record_question(asked)
        if found.answer or found.suggestions:
            in_form = context.at_form_question()
            if found.answer:
                self._say_answer(found.answer)
            else:
                self._offer_suggestions(found.suggestions)
            last = context.outbox[-1]
            if offer and not (found.answer and in_form) and isinstance(last, TextMessage):
                offer_intent(context.content, offer, last, before=len(last.choices) - 1)  # before メニュー / どれでもない
        elif outside is not None:
            out_of_scope = required(context.content.out_of_scope, "faq/out_of_scope")
            context.say(render(out_of_scope.answer, {**context.facts, "topic": outside}))
            context.prompt_due = True
        elif self._misses_before + 1 >= MISSES_BEFORE_OFFER:
            context.state.pending = "consult"
            context.ask_confirmation(context.content.consultation.offer)
        else:
            context.state.faq_misses = self._misses_before + 1
            context.say(context.common.messages.faq_not_found)
            context.prompt_due = True

    def answer_entry(self, entry_id: str) -> None:
        context = self._context
        hit = context.faq.get(entry_id)
        if hit is None:
            context.not_understood()
            return
        self._say_answer(hit)

    def _say_answer(self, hit: FaqHit) -> None:
        """In a form, answer and ask the pending question again; elsewhere offer related questions.

        An answer built on a fact of a past fiscal year says where the latest is; an entry may offer
        commands too (担当者に相談 where the page has no answer).
        """
        context = self._context
        entry = context.content.faq_entry(hit.entry_id)
        years, dated = context.content.facts.years, context.common.messages.dated_fact
        note = dated_note([entry.answer] if entry else [], years, context.now, dated, context.facts)
        answer = hit.answer + (f"\n{note}" if note else "")
        if context.at_form_question():
            context.say(answer)
            context.say(context.common.messages.back_to_question)
            context.prompt_due = True
            return
        related = [found for entry_id in hit.related if (found := context.faq.get(entry_id))]
        choices = [Choice(label=found.label, payload=payloads.FAQ + found.entry_id) for found in related]
        commands = command_buttons(context.common, [*(entry.commands if entry else []), "menu"])
        if (feedback := context.common.feedback) is not None:  # once per answer: until pressed, or the next answer
            answer += f"\n\n{feedback.question}"
            choices += [Choice(label=label, payload=f"{payloads.HELPFUL}{said}:{hit.entry_id}")
                        for said, label in (("yes", feedback.yes), ("no", feedback.no))]
            context.state.feedback_for = hit.entry_id
        context.outbox.append(TextMessage(text=context.render(answer), choices=choices + commands))
        context.prompt_due = False

    async def helpful(self, said: str, entry_id: str) -> None:
        """はい/いいえ under an answer: counted once (a button of an earlier answer, or pressed again, is not)."""
        context = self._context
        feedback = context.common.feedback
        if feedback is None or said not in ("yes", "no") or context.state.feedback_for != entry_id:
            context.prompt_due = True
            return
        context.state.feedback_for = None
        await context.turn.record_usage([UsageEvent(usage.FEEDBACK, context.now, subject=entry_id, outcome=said)])
        context.say(feedback.thanks_yes if said == "yes" else feedback.thanks_no)
        context.prompt_due = True

    def _offer_suggestions(self, suggestions: tuple[FaqHit, ...]) -> None:
        context = self._context
        choices = [Choice(label=hit.label, payload=payloads.FAQ + hit.entry_id) for hit in suggestions]
        choices.append(Choice(label=context.common.messages.none_of_these, payload=payloads.NONE_FITS))
        context.outbox.append(TextMessage(text=context.render(context.common.messages.did_you_mean), choices=choices))
        context.prompt_due = False
