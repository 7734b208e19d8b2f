"""One turn of one user's conversation: read the input, move through the dialog, collect replies.

The wording and the flow come from the content files; this module only knows
the kinds of steps and the fixed set of commands (戻る, 修正, …) whose words
are themselves content.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from pydantic import ValidationError

from bot.content.choices import menu_options
from bot.content.loader import Content
from bot.content.models import (
    ALWAYS_CONFIRMED,
    ASKING_STEPS,
    ChoiceStep,
    Command,
    CommandName,
    ConsentStep,
    EditMenuStep,
    Intent,
    Option,
    ReportStep,
    SayStep,
    Step,
    SubmitStep,
    SummaryStep,
    TextStep,
    is_command,
)
from bot.core import payloads, usage
from bot.core.conditions import holds
from bot.core.dated import dated_note
from bot.core.documents import DocumentPolicy, receive
from bot.core.draft import ConsentRecord, DraftProposal, FaqAsked, Submission
from bot.core.handover import Handover
from bot.core.intents import find_intent, leaves_form, offer_intent, offer_named_actions
from bot.core.messages import CardMessage, Choice, Inbound, Outbound, TextMessage, UserKey
from bot.core.my_proposals import MyProposals
from bot.core.numbers import numbered_after, picked
from bot.core.options import Offered, field_is_active, field_steps, offered
from bot.core.ports import FaqHit, FaqLookup, FormLinks, Reading, Turn
from bot.core.progress import reused_answers
from bot.core.prompts import command_buttons, is_optional, prompt_messages
from bot.core.reminders import stop_reminders
from bot.core.required import required
from bot.core.revision import Revision
from bot.core.staff_replies import StaffReplies
from bot.core.state import ConversationState, Said
from bot.core.text import render
from bot.core.transfer import TransferLimits, offer_code
from bot.core.understanding import Decision, decide, named
from bot.core.usage import UsageEvent
from bot.core.validation import Refusal, validate
from bot.core.views import criteria_report, next_steps
from bot.core.withdrawal import withdraw

MAX_AUTOMATIC_STEPS = 200
MAX_HISTORY = 200
MAX_FAQ_LOG = 50
MAX_QUESTION_KEPT = 500
MAX_RECENT = 12  # lines of the recent conversation kept for staff
MAX_RECENT_CHARS = 300
MISSES_BEFORE_OFFER = 2  # unanswered questions in a row before the bot offers a person
INTENT_PENDING = "intent:"  # state.pending while asking 「…しますか？」 about a request typed in words
ANSWER_PENDING = "answer"  # state.pending while asking whether a typed 「はい」 is the answer to a free-text question


class Conversation:
    """Mutates ``state`` and fills ``outbox`` for one inbound message."""

    def __init__(
        self, content: Content, faq: FaqLookup, state: ConversationState, now: datetime, turn: Turn, user: UserKey,
        can_receive_replies: bool = True, reply_window: timedelta = timedelta(hours=72), form_links: FormLinks | None = None,
        documents: DocumentPolicy = DocumentPolicy(),
        code_lifetime: timedelta = TransferLimits.lifetime,
    ) -> None:
        self.content = content
        self.documents = documents
        self.form_links = form_links
        self.common = content.common
        self.faq = faq
        self.state = state
        self.now = now
        self.turn = turn
        self.user = user
        self.outbox: list[Outbound] = []
        self.prompt_due = False
        self.code_lifetime = code_lifetime
        self.transfer_code: str | None = None  # 「別の端末で続ける」 gave this code: kept after the turn (bot/core/transfer.py)
        self._readings: dict[str, Reading] = {}  # a line asked about twice in a turn (at the menu, then here) is read once
        self._facts = {**content.facts.facts, **content.common.words_for(user.channel)}
        self.handover = Handover(self, can_receive_replies)
        self.staff_replies = StaffReplies(self, reply_window)
        self.my_proposals = MyProposals(self)
        self.revision = Revision(self)
        # "In a row": a turn that is not another unanswered question starts the count again.
        self._misses_before, state.faq_misses = state.faq_misses, 0

    # --- entry point ---------------------------------------------------------

    async def respond(self, inbound: Inbound) -> None:
        if inbound.unsent:
            await withdraw(self, inbound.text or "", MAX_RECENT_CHARS)
            return
        numbered = self.state.numbered
        chosen = picked(inbound, numbered)
        if isinstance(chosen, int):  # a number that is none of the numbered answers: the same answers again
            self.say(render(self.common.messages.choose_number, {"last": chosen}), list(numbered))
            self._remember(self.said(inbound))
            self._number_answers()
            return
        inbound = chosen or inbound
        text = inbound.text or ""
        said = self.said(inbound)
        await self._respond(inbound, text)
        if self.prompt_due:
            self._prompt()
        if self.state.step in self.content.steps:
            offer_named_actions(self.content, self.state, self.state.step or "", self._current(), self.outbox)
        self._remember(said)
        self._number_answers()

    async def after_consultation(self) -> None:
        """Staff or the timer closed the consultation: the bot takes over again (nothing when it already did)."""
        await self.handover.catch_up()
        if self.prompt_due:
            self._prompt()
        self._number_answers()

    async def _respond(self, inbound: Inbound, text: str) -> None:
        if (self.state.consulting is not None and await self.handover.respond(inbound, text)) or await self.staff_replies.forward(inbound, text):
            pass
        elif self.state.step is None or self.state.step not in self.content.steps:
            await self._goto(self.common.start)
            command = self.command(inbound, text)
            if command is not None and inbound.payload is None:
                await self._run_command(command)  # e.g. 「人と話したい」 as the very first message
            elif inbound.document is not None:
                await receive(self, inbound.document, self.documents)
            elif payloads.split(inbound.payload or "")[0] in payloads.AFTER_HANDOFF:
                await self._dispatch(inbound, text)  # a button under a notice about a draft, after a purge
            elif inbound.payload is None:
                await self._answer_if_asked(text)
        elif await self._resume_if_returning(inbound, text):
            pass
        elif self.state.pending and self._confirmation(inbound, text) is not None:
            await self._settle_pending(self._confirmation(inbound, text) == "yes")
        else:
            self.state.pending = self.state.pending_answer = None
            await self._dispatch(inbound, text)

    async def _dispatch(self, inbound: Inbound, text: str) -> None:
        if inbound.document is not None and inbound.payload is None:
            await receive(self, inbound.document, self.documents)
            return
        if inbound.not_text and inbound.payload is None:
            self.say(self.common.validation.not_text)
            self.prompt_due = True
            return
        if await self.revision.start_if_typed(inbound, text):
            return
        command = self.command(inbound, text)
        if command is not None:
            await self._run_command(command)
            return
        prefix, value = payloads.split(inbound.payload or "")
        if prefix == payloads.FAQ:
            self._answer_entry(value)
        elif prefix == payloads.MENU_ITEM:
            await self._pick_menu_item(value)
        elif prefix == payloads.NONE_FITS:
            await self._none_fits()
        elif prefix == payloads.HELPFUL:
            await self._helpful(*value.partition(":")[::2])
        elif prefix == payloads.PROPOSAL:
            await self.my_proposals.show(value)
        elif prefix == payloads.REVISE:
            await self.revision.start(value)
        elif prefix == payloads.PAGE and value.isdigit():
            self.state.choice_page = int(value)
            self.prompt_due = True
        elif prefix == payloads.EDIT and isinstance(self._current(), EditMenuStep):
            await self._edit_field(value)
        else:
            await self._answer_step(inbound.payload, text)

    # --- commands --------------------------------------------------------------

    def command(self, inbound: Inbound, text: str) -> CommandName | None:
        prefix, value = payloads.split(inbound.payload or "")
        if prefix == payloads.COMMAND:
            return value if is_command(value) else None
        return None if inbound.payload is not None else named(text, self.common.commands)

    async def _run_command(self, name: CommandName) -> None:
        messages = self.common.messages
        if name == "back":
            self._go_back()
        elif name == "skip":
            await self._skip()
        elif name == "keep":
            await self._keep()
        elif name in ("restart", "delete_data"):
            self.state.pending = name
            self._ask_confirmation(messages.restart_confirm if name == "restart" else messages.delete_confirm)
        elif name == "pause":
            self.state.paused = True
            self.say(messages.paused)
        elif name == "resume":
            self.state.paused = False
            self.prompt_due = True
        elif name == "edit":
            await self._open_edit_menu()
        elif name == "human":
            self.handover.start("asked")
        elif name == "transfer":
            self.transfer_code = offer_code(self, self.code_lifetime)
        elif name == "stop_reminders":
            stop_reminders(self)
        else:
            target = self.common.commands[name].goto  # menu: checked to exist by kyoso check
            await self._goto(target or self.common.home)

    def _go_back(self) -> None:
        if len(self.state.history) < 2:
            self.say(self.common.messages.cannot_go_back)
        else:
            self.state.history.pop()
            self._set_step(self.state.history[-1])
        self.prompt_due = True

    async def _skip(self) -> None:
        step = self._current()
        if isinstance(step, (TextStep, ChoiceStep)) and is_optional(step, self.state.values) and step.field:
            self.state.values[step.field] = ""
            await self._goto(self._next_after(step, ""))
        else:
            self.say(self.common.messages.cannot_skip)
            self.prompt_due = True

    async def _keep(self) -> None:
        """このまま: the current answer stays, and the form goes on as if it had been given again."""
        step = self._current()
        field = getattr(step, "field", None)
        if not (field and self.state.values.get(field)):
            self._not_understood()
            return
        await self._goto(self._next_after(step, self.state.values[field]))

    async def _open_edit_menu(self) -> None:
        target = self.common.commands["edit"].goto
        summary_ref = getattr(self.content.steps.get(target or ""), "summary", "")
        summary = self.content.steps.get(summary_ref)
        answered = isinstance(summary, SummaryStep) and any(self.state.values.get(row.field) for row in summary.rows)
        if not target or not answered:
            self.say(self.common.messages.nothing_to_edit)
            self.prompt_due = True
            return
        await self._goto(target)

    async def _edit_field(self, name: str) -> None:
        ref = field_steps(self.content, self.state.step or "").get(name)
        if ref is not None and self.revision.refuses(name):
            return
        if ref is None:
            self._not_understood()
            return
        await self._goto(ref, ask_even_if_answered=True)

    # --- confirmations (最初から) --------------------------------------------------

    def _ask_confirmation(self, question: str) -> None:
        choices = [
            Choice(label=command.label, payload=payloads.CONFIRM + answer)
            for answer, command in self.common.confirm.items()
        ]
        self.outbox.append(TextMessage(text=self._render(question), choices=choices))

    def _confirmation(self, inbound: Inbound, text: str) -> str | None:
        prefix, value = payloads.split(inbound.payload or "")
        if prefix == payloads.CONFIRM and value in self.common.confirm:
            return value
        return None if inbound.payload is not None else named(text, self.common.confirm)

    async def _settle_pending(self, confirmed: bool) -> None:
        kind, self.state.pending = self.state.pending, None
        answer, self.state.pending_answer = self.state.pending_answer, None
        messages = self.common.messages
        if kind and kind.startswith(INTENT_PENDING):
            await self._settle_request(kind.removeprefix(INTENT_PENDING), confirmed, answer)
        elif kind == ANSWER_PENDING and confirmed and answer is not None:
            await self._take_as_answer(answer)
        elif kind == ANSWER_PENDING:
            self.prompt_due = True  # いいえ: the question again
        elif not confirmed and answer is not None and kind in ALWAYS_CONFIRMED:
            await self._take_as_answer(answer)  # 「株式会社やり直し工房」 was the answer after all
        elif kind == "consult":
            if confirmed:
                self.handover.start("faq")
            else:
                self.say(self.content.consultation.offer_declined)
                self.prompt_due = True
        elif not confirmed:
            self.say(messages.delete_cancelled if kind == "delete_data" else messages.restart_cancelled)
            self.prompt_due = True
        elif kind == "delete_data":
            await self._erase_user_data()
        else:
            await self.turn.discard_documents()
            self._forget_everything()
            self.say(messages.restart_done)
            await self._goto(self.common.home)

    async def _erase_user_data(self) -> None:
        """データ削除: nothing of the conversation remains; submitted drafts are kept for staff, and we say so."""
        kept = await self.turn.erase_user_data()
        self.state = ConversationState()
        self.say(self.common.messages.deleted)
        if kept:
            self.say(render(self.common.messages.submitted_drafts_kept, {**self._facts, "references": "、".join(kept)}))
        self.prompt_due = False

    def _forget_everything(self) -> None:
        """Start over: keep only the log of FAQ questions (it is not the user's draft)."""
        self.state = ConversationState(faq_log=self.state.faq_log, step=self.state.step, reminders_off=self.state.reminders_off)

    # --- resuming after a pause or a long absence ---------------------------------

    async def _resume_if_returning(self, inbound: Inbound, text: str) -> bool:
        """Say where the user was; a typed greeting is not taken as the answer to the pending question."""
        last = self.state.last_seen
        away = last is not None and self.now - last > timedelta(hours=self.common.resume_after_hours)
        if not (self.state.paused or (away and self.state.values)):
            return False
        about_a_sent_draft = await self.my_proposals.answer_if_asked(inbound, text, self._read)
        if about_a_sent_draft or await self.revision.start_if_typed(inbound, text):
            return True  # the draft being written stays as it was (paused, or set aside for the revision)
        self.state.paused = False
        self.say(self.common.messages.resumed)
        if inbound.payload is not None or inbound.document is not None or self.command(inbound, text) is not None:
            return False
        self.prompt_due = True
        await self._answer_if_asked(text)
        return True

    # --- answering the current step -------------------------------------------------

    async def _answer_step(self, payload: str | None, text: str) -> None:
        step = self._current()
        if payload is not None:
            choices = [] if isinstance(step, TextStep) else offered(step, self.content, self.state.values)
            chosen = next((choice for choice in choices if choice.payload == payload), None)
            if chosen is None:
                self._not_understood()
            else:
                await self._take_option(step, chosen)
            return
        await self._act(step, decide(self.content, step, self.state.values, text, self._read), text)

    async def _act(self, step: Step, decision: Decision, text: str) -> None:
        if decision.kind == "option" and decision.option is not None:
            await self._take_option(step, decision.option)
        elif decision.kind == "confirm_answer" and self.content.intents is not None:
            self.state.pending, self.state.pending_answer = ANSWER_PENDING, text
            self._ask_confirmation(render(self.content.intents.confirm_answer, {"answer": text}))
        elif decision.kind in ("answer", "invalid", "confirm_answer") and isinstance(step, TextStep) and decision.value is not None:
            await self._store_answer(step, decision.value)
        elif decision.intent is not None:
            await self._requested(decision, text if isinstance(decision.value, str) else None)
        elif decision.kind == "question":
            await self._answer_question(text, decision.reading, decision.offer)
        else:
            self._not_understood()

    async def _take_option(self, step: Step, chosen: Offered) -> None:
        if isinstance(step, EditMenuStep):
            await self._edit_field(chosen.option.value)
        else:
            await self._choose(step, chosen.option)

    async def _choose(self, step: Step, option: Option) -> None:
        if option.reply:
            self.say(option.reply)
        if option.command:
            await self._run_command(option.command)
            return
        if option.show:
            await self.my_proposals.list()
            return
        if option.faq:
            self._answer_entry(option.faq)
            return
        if isinstance(step, ConsentStep) and option.value == "agree":
            self.state.consent = ConsentRecord(notice_version=self.content.privacy.version, agreed_at=self.now)
        field = getattr(step, "field", None)
        if field:
            self.state.values[field] = option.value
        target = option.next or (self._next_after(step, option.value) if isinstance(step, ChoiceStep) else None)
        await self._goto(target or self.state.step or self.common.home)

    async def _store_answer(self, step: TextStep, result: str | Refusal) -> None:
        if isinstance(result, Refusal):
            message = getattr(self.common.validation, result.reason)
            self.say(render(message, {"max": result.max, "length": result.length}))
            self.prompt_due = True
            return
        self.state.values[step.field] = result
        await self._goto(step.next)

    # --- FAQ ---------------------------------------------------------------------

    def _read(self, text: str) -> Reading:
        """The one lookup of a typed line: FAQ, intents and outside topics from one embedding (once per turn)."""
        # A pasted document is not a question: match on its beginning only, so lookups stay fast.
        line = text[:MAX_QUESTION_KEPT]
        if line not in self._readings:
            self._readings[line] = self.faq.read(line) if line.strip() else Reading()
        return self._readings[line]

    async def _answer_if_asked(self, text: str) -> None:
        """A first or returning message: act on it only if it names an answer, a request, or a question the bot knows."""
        step = self._current()
        decision = decide(self.content, step, self.state.values, text, self._read)
        found = decision.reading
        intent = find_intent(self.content, decision.intent)
        wanted = (
            (intent is not None and intent.command != "resume")  # 「下書きを再開したい」 on return: just resumed
            or (decision.kind == "question" and bool(found.faq.answer or found.faq.suggestions or found.outside))
            or (decision.kind == "option" and not getattr(step, "field", None))  # 「提案の下書きをつくる」 typed at the menu
        )
        if wanted:  # not 「こんにちは」: the greeting (or the pending question) is answer enough
            self.prompt_due = False
            await self._act(step, decision, text)

    # --- requests in words (dialogs/intents.yaml) ----------------------------------

    async def _requested(self, understood: Decision, answer: str | None) -> None:
        """Do what the user asked for, or first ask: when unsure, or when it would leave a half-filled form.

        ``answer`` is the line itself when it could also be the answer to the current question: then
        いいえ takes it as that answer.
        """
        intent = find_intent(self.content, understood.intent)
        texts = self.content.intents
        if intent is None or texts is None:
            self._not_understood()
            return
        unsure = understood.kind == "ask_intent"
        kept = answer if unsure else None
        note = [render(texts.or_answer, {"answer": kept})] if kept is not None else []  # what else the line was taken for
        if intent.command in ALWAYS_CONFIRMED:
            await self._run_command(intent.command)  # it asks its own question
            self.state.pending_answer = kept
            last = self.outbox[-1]
            if note and isinstance(last, TextMessage):
                last.text = "\n".join([last.text, *note])
            return
        leaving = leaves_form(self.content, intent, self.state.step or "", self._current(), self.state)
        if not unsure and not leaving:
            await self._run_intent(intent)
            return
        ask = required(intent.ask, "the intent's question")  # checked when the content is loaded
        self.state.pending = INTENT_PENDING + intent.id
        self.state.pending_answer = kept
        self._ask_confirmation("\n".join([*([texts.leaving_form] if leaving else []), ask, *note]))

    async def _settle_request(self, intent_id: str, confirmed: bool, answer: str | None) -> None:
        intent = find_intent(self.content, intent_id)
        if confirmed and intent is not None:
            await self._run_intent(intent)
        elif answer is not None:
            await self._take_as_answer(answer)
        elif self.content.intents is not None:
            self.say(self.content.intents.declined)
            self.prompt_due = True

    async def _run_intent(self, intent: Intent) -> None:
        if intent.command is not None:
            await self._run_command(intent.command)
        else:
            await self._pick_menu_item(intent.option or "")

    async def _take_as_answer(self, text: str) -> None:
        step = self._current()
        if isinstance(step, TextStep):
            await self._store_answer(step, validate(step, text))
        else:
            self.prompt_due = True

    async def _pick_menu_item(self, value: str) -> None:
        """An item of the menu, from wherever the user is (a button under an FAQ answer, or a request in words)."""
        option = menu_options(self.content).get(value)
        menu = self.content.steps.get(self.common.commands["menu"].goto or "")
        if option is None or menu is None:
            self._not_understood()
            return
        await self._choose(menu, option)

    async def _none_fits(self) -> None:
        """どれでもない: say honestly there is no answer, keep the question for staff, offer a person."""
        asked = next((asked for asked in reversed(self.state.faq_log) if asked.outcome == "suggested"), None)
        if asked is not None:
            asked.outcome = "unanswered"
            await self.turn.record_question(FaqAsked(question=asked.question, faq_id=None, outcome="unanswered", asked_at=self.now))
        self.say(self.common.messages.none_fits)  # it names 「担当者に相談」, so that button is offered with the question
        self.prompt_due = True

    async def _answer_question(self, text: str, reading: Reading, offer: str | None = None) -> None:
        """Answer; or ask "did you mean" in the middle band; or say that the topic is another window's, or honestly that nothing fits.

        ``offer``: an intent the line may also mean (「担当者について知りたい」), whose button goes with the
        answer or the "did you mean" (not inside a form, where the pending question comes next).
        Every such question is kept with its outcome, for the dossier and for staff.
        """
        outside, found = reading.outside, reading.faq
        outcome = "answered" if found.answer else "suggested" if found.suggestions else "unanswered"
        asked = FaqAsked(
            question=text[:MAX_QUESTION_KEPT],
            faq_id=found.answer.entry_id if found.answer else None,
            outcome=outcome,
            asked_at=self.now,
        )
        self.state.faq_log.append(asked)
        del self.state.faq_log[:-MAX_FAQ_LOG]
        await self.turn.record_question(asked)
        if found.answer or found.suggestions:
            in_form = self._at_form_question()
            if found.answer:
                self._say_answer(found.answer)
            else:
                self._offer_suggestions(found.suggestions)
            last = self.outbox[-1]
            if offer and not (found.answer and in_form) and isinstance(last, TextMessage):
                offer_intent(self.content, offer, last, before=len(last.choices) - 1)  # before メニュー / どれでもない
        elif outside is not None:
            out_of_scope = required(self.content.out_of_scope, "faq/out_of_scope")
            self.say(render(out_of_scope.answer, {**self._facts, "topic": outside}))
            self.prompt_due = True
        elif self._misses_before + 1 >= MISSES_BEFORE_OFFER:
            self.state.pending = "consult"
            self._ask_confirmation(self.content.consultation.offer)
        else:
            self.state.faq_misses = self._misses_before + 1
            self.say(self.common.messages.faq_not_found)
            self.prompt_due = True

    def _answer_entry(self, entry_id: str) -> None:
        hit = self.faq.get(entry_id)
        if hit is None:
            self._not_understood()
            return
        self._say_answer(hit)

    def _say_answer(self, hit: FaqHit) -> None:
        """In a form, answer and ask the pending question again; elsewhere offer related questions.

        An answer built on a fact of a past fiscal year says where the latest is; an entry may offer
        commands too (担当者に相談 where the page has no answer).
        """
        entry = self.content.faq_entry(hit.entry_id)
        years, dated = self.content.facts.years, self.common.messages.dated_fact
        note = dated_note([entry.answer] if entry else [], years, self.now, dated, self._facts)
        answer = hit.answer + (f"\n{note}" if note else "")
        if self._at_form_question():
            self.say(answer)
            self.say(self.common.messages.back_to_question)
            self.prompt_due = True
            return
        related = [found for entry_id in hit.related if (found := self.faq.get(entry_id))]
        choices = [Choice(label=found.label, payload=payloads.FAQ + found.entry_id) for found in related]
        commands = command_buttons(self.common, [*(entry.commands if entry else []), "menu"])
        if (feedback := self.common.feedback) is not None:  # once per answer: until pressed, or the next answer
            answer += f"\n\n{feedback.question}"
            choices += [Choice(label=label, payload=f"{payloads.HELPFUL}{said}:{hit.entry_id}")
                        for said, label in (("yes", feedback.yes), ("no", feedback.no))]
            self.state.feedback_for = hit.entry_id
        self.outbox.append(TextMessage(text=self._render(answer), choices=choices + commands))
        self.prompt_due = False

    def _at_form_question(self) -> bool:
        """At a question that fills a draft field: an answer there asks the pending question again."""
        return bool(getattr(self._current(), "field", None))

    async def _helpful(self, said: str, entry_id: str) -> None:
        """はい/いいえ under an answer: counted once (a button of an earlier answer, or pressed again, is not)."""
        feedback = self.common.feedback
        if feedback is None or said not in ("yes", "no") or self.state.feedback_for != entry_id:
            self.prompt_due = True
            return
        self.state.feedback_for = None
        await self.turn.record_usage([UsageEvent(usage.FEEDBACK, self.now, subject=entry_id, outcome=said)])
        self.say(feedback.thanks_yes if said == "yes" else feedback.thanks_no)
        self.prompt_due = True

    def _offer_suggestions(self, suggestions: tuple[FaqHit, ...]) -> None:
        choices = [Choice(label=hit.label, payload=payloads.FAQ + hit.entry_id) for hit in suggestions]
        choices.append(Choice(label=self.common.messages.none_of_these, payload=payloads.NONE_FITS))
        self.outbox.append(TextMessage(text=self._render(self.common.messages.did_you_mean), choices=choices))
        self.prompt_due = False

    def _not_understood(self) -> None:
        self.say(self.common.messages.not_understood)
        self.prompt_due = True

    # --- moving through the dialog ----------------------------------------------

    async def _goto(self, ref: str, ask_even_if_answered: bool = False) -> None:
        """Run automatic steps from ``ref`` until a step that needs the user's answer."""
        came_from = self.state.step
        reused: list[str] = []  # answers given earlier that this form takes over without asking
        for _ in range(MAX_AUTOMATIC_STEPS):
            step = self.content.step(ref)
            field = getattr(step, "field", None)
            if step.when is not None and not holds(step.when, self.state.values):
                ref = self._next_after(step, self.state.values.get(field or "", ""))
                continue
            editing = self.state.return_to is not None and ref != self.state.return_to
            if isinstance(step, ASKING_STEPS):
                answered = field is not None and field in self.state.values
                filled = field is not None and bool(self.state.values.get(field))
                skip = (editing and answered) or (getattr(step, "skip_if_filled", False) and filled)
                if skip and not ask_even_if_answered:
                    if filled and not editing:
                        reused.append(field or "")
                    ref = self._next_after(step, self.state.values[field or ""])
                    continue
                self._say_reused(ref, reused)
                if isinstance(step, EditMenuStep) and self.state.return_to is None:
                    self.state.return_to = came_from
                self._set_step(ref)
                self.prompt_due = True
                return
            ask_even_if_answered = False
            self._say_reused(ref, reused)
            reused = []
            next_ref = await self._run_automatic(step, quiet=editing)
            if next_ref is None:
                return
            ref = next_ref
        raise RuntimeError(f"the dialog loops without asking anything (at {ref})")

    def _say_reused(self, ref: str, fields: list[str]) -> None:
        """Say which earlier answers the form took over (the user's own words: no facts filled into them)."""
        if fields:
            self.outbox.append(TextMessage(text=reused_answers(self.content, ref, fields, self.state.values)))

    async def _run_automatic(self, step: Step, quiet: bool) -> str | None:
        if isinstance(step, SayStep):
            if not quiet:
                self.say(step.text)
            return step.next
        if isinstance(step, ReportStep):
            self.outbox.append(TextMessage(text=criteria_report(step, self.state.values, self._facts)))
            return step.next
        if isinstance(step, SubmitStep):
            return await self._submit(step)
        raise TypeError(f"not an automatic step: {type(step).__name__}")

    def _next_after(self, step: Step, value: str) -> str:
        if isinstance(step, ChoiceStep):
            target = step.branches.get(value) or step.next
            if target is None:
                chosen = next((o for o in step.options if o.value == value), None)
                target = chosen.next if chosen and chosen.next else None
            return target or self.common.home
        return getattr(step, "next", None) or self.common.home

    def _set_step(self, ref: str) -> None:
        if self.state.step != ref:
            self.state.choice_page = 0
        self.state.step = ref
        if ref == self.state.return_to:
            self.state.return_to = None
        if not self.state.history or self.state.history[-1] != ref:
            self.state.history.append(ref)
            del self.state.history[:-MAX_HISTORY]

    def _current(self) -> Step:
        return self.content.step(self.state.step or self.common.start)

    # --- submitting -------------------------------------------------------------

    async def _submit(self, step: SubmitStep) -> str:
        values = self.state.values
        near = self.state.step or ""
        fields = {
            name: values.get(name) or None
            for name in DraftProposal.model_fields
            if name in values and field_is_active(self.content, near, name, values)
        }
        consent = self.state.consent
        try:
            draft = DraftProposal.model_validate(fields)
            if consent is None or consent.notice_version != self.content.privacy.version:
                raise ValueError("consent to the current privacy notice is missing")
        except (ValidationError, ValueError):
            self.say(step.invalid)
            return step.on_invalid
        if (revising := self.state.revising) is not None:
            return await self.revision.resubmit(step, revising, draft, consent)
        criteria = {name: value for name, value in values.items() if name not in DraftProposal.model_fields}
        submission = Submission(
            user=self.user, draft=draft, criteria=criteria, consent=consent,
            faq_log=self.state.faq_log, submitted_at=self.now, documents=self.state.documents,
        )
        reference = await self.turn.submit(submission)
        self.say(render(step.text, {**self._facts, "reference": reference, "next_steps": next_steps(self.content)}))
        self.state = ConversationState(step=self.state.step, reminders_off=self.state.reminders_off)
        return step.next

    # --- output ------------------------------------------------------------------

    def say(self, text: str, choices: list[Choice] | None = None) -> None:
        self.outbox.append(TextMessage(text=self._render(text), choices=choices or []))


    def said(self, inbound: Inbound) -> str:
        """What the user did, in words: the typed text, or the label of the button pressed."""
        if inbound.payload is None:
            return self.common.messages.not_text if inbound.not_text else inbound.text or ""
        prefix, value = payloads.split(inbound.payload)
        buttons: dict[str, Iterable[tuple[str, Command]]] = {
            payloads.COMMAND: self.common.commands.items(), payloads.CONFIRM: self.common.confirm.items(),
        }
        label = next((command.label for name, command in buttons.get(prefix, ()) if name == value), None)
        if label is not None:
            return label
        if prefix == payloads.NONE_FITS:
            return self.common.messages.none_of_these
        if prefix in (payloads.PROPOSAL, payloads.REVISE):
            return value
        if prefix == payloads.HELPFUL and self.common.feedback is not None:
            return self.common.feedback.yes if value.startswith("yes:") else self.common.feedback.no
        if prefix == payloads.MENU_ITEM and value in menu_options(self.content):
            return menu_options(self.content)[value].label
        hit = self.faq.get(value) if prefix == payloads.FAQ else None
        if hit is not None:
            return hit.label
        if self.state.step in self.content.steps:
            for choice in offered(self._current(), self.content, self.state.values):
                if choice.payload == inbound.payload:
                    return choice.option.label
        return inbound.payload

    def _remember(self, said: str) -> None:
        """Keep the last lines of the conversation, for the staff member a consultation goes to."""
        lines = [Said(who="user", text=said)] if said else []
        for message in self.outbox:
            shown = message.title if isinstance(message, CardMessage) else message.for_staff or message.text
            lines.append(Said(who="bot", text=shown))
        recent = self.state.recent + [Said(who=line.who, text=line.text[:MAX_RECENT_CHARS]) for line in lines]
        self.state.recent = recent[-MAX_RECENT:]

    def _number_answers(self) -> None:
        at_text_question = self.state.step in self.content.steps and isinstance(self._current(), TextStep)
        typed_text_wanted = at_text_question and not self.state.pending
        self.state.numbered = numbered_after(self.outbox, self.state.numbered, typed_text_wanted)

    def _render(self, text: str) -> str:
        return render(text, self._facts)

    def _prompt(self) -> None:
        messages = prompt_messages(self.content, self.state, self.now)
        offer = self._form_offer()
        self.outbox += [*messages[:-1], offer, messages[-1]] if offer else messages

    def _form_offer(self) -> TextMessage | None:
        """Above the question of the form's first field: the link to 「フォームでまとめて入力」."""
        form = self.common.form
        if form is None or self.form_links is None or self.state.step != form.step_ref(self.content.steps, form.fields[0]):
            return None
        url = self.form_links.link(self.user, self.now)
        minutes = int(self.form_links.lifetime.total_seconds() // 60)
        values = {"form_url": url, "minutes": minutes}
        if not self.form_links.signed(self.user):  # the channel's own app (LIFF): no secret, no expiry
            return TextMessage(text=render(self._render(form.app_link), values))
        return TextMessage(
            text=render(self._render(form.link), values), for_staff=render(self._render(form.link_for_staff), values)
        )

    def tell(self, text: str) -> None:
        """What happened outside the dialog (a draft moved here, or why not), then the pending question."""
        self.say(text)
        if self.state.step in self.content.steps:
            self._prompt()
        self._remember("")
        self._number_answers()

    async def fill(self, answers: dict[str, str]) -> None:
        """Answers saved in the form: kept in the draft; a user at one of its questions goes on past those answered."""
        form = self.common.form
        self.state.values.update(answers)
        refs = {form.step_ref(self.content.steps, field) for field in form.fields} if form is not None else set()
        for _ in refs:
            step = self._current() if self.state.step in refs else None
            if not (isinstance(step, TextStep) and self.state.values.get(step.field)):
                break
            await self._goto(step.next)
        if self.state.step in self.content.steps and isinstance(self._current(), SummaryStep):
            self.prompt_due = True  # the card again, with the new answers
        if self.prompt_due:
            self._prompt()
        self._number_answers()
