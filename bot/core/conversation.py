"""One turn of one user's conversation: read the input once, hand it to the part that handles it, collect replies.

The wording and the flow come from the content files. The parts of a turn share one
``TurnContext`` (bot/core/turn_context.py): ``navigation`` (moving through the dialog),
``answers`` (the answer to the current step), ``faq_answers``, ``commands``, ``requests``
(requests in words), ``confirmations`` (answers to the bot's yes/no questions), ``submitting``,
and the conversations beside the dialog (``handover`` to a person, ``my_proposals``,
``revision`` of a returned draft, answers to ``staff_replies``). This module decides which part
an input goes to, and what is said after (the pending question, the numbered answers).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.content.loader import Content
from bot.content.models import EditMenuStep, SummaryStep, TextStep
from bot.core import payloads
from bot.core.answers import Answers
from bot.core.commands import Commands
from bot.core.confirmations import Confirmations
from bot.core.documents import DocumentPolicy, receive
from bot.core.faq_answers import FaqAnswers
from bot.core.handover import Handover
from bot.core.intents import offer_named_actions
from bot.core.messages import CardMessage, Inbound, Outbound, TextMessage, UserKey
from bot.core.my_proposals import MyProposals
from bot.core.navigation import Navigation
from bot.core.numbers import numbered_after, picked
from bot.core.parsed import Parsed, parse
from bot.core.ports import FaqLookup, FormLinks, Turn
from bot.core.prompts import prompt_messages
from bot.core.requests import Requests
from bot.core.revision import Revision
from bot.core.staff_replies import StaffReplies
from bot.core.state import ConversationState, Said
from bot.core.submitting import Submitting
from bot.core.text import render
from bot.core.transfer import TransferLimits
from bot.core.turn_context import TurnContext
from bot.core.withdrawal import withdraw

MAX_RECENT = 12  # lines of the recent conversation kept for staff
MAX_RECENT_CHARS = 300


class Conversation:
    """Mutates ``state`` and fills ``outbox`` for one inbound message."""

    def __init__(
        self, content: Content, faq: FaqLookup, state: ConversationState, now: datetime, turn: Turn, user: UserKey,
        can_receive_replies: bool = True, reply_window: timedelta = timedelta(hours=72), form_links: FormLinks | None = None,
        documents: DocumentPolicy = DocumentPolicy(),
        code_lifetime: timedelta = TransferLimits.lifetime,
    ) -> None:
        self.context = context = TurnContext(content, faq, state, now, turn, user)
        self.documents = documents
        self.form_links = form_links
        context.navigation = Navigation(context)
        context.answers = Answers(context)
        context.faq_answers = FaqAnswers(context)
        context.commands = Commands(context, code_lifetime)
        context.confirmations = Confirmations(context)
        context.requests = Requests(context)
        context.submitting = Submitting(context)
        context.handover = Handover(context, can_receive_replies)
        context.my_proposals = MyProposals(context)
        context.revision = Revision(context)
        self.staff_replies = StaffReplies(context, reply_window)

    @property
    def content(self) -> Content:
        return self.context.content

    @property
    def state(self) -> ConversationState:
        return self.context.state

    @property
    def outbox(self) -> list[Outbound]:
        return self.context.outbox

    @property
    def transfer_code(self) -> str | None:
        """「別の端末で続ける」 gave this code: kept after the turn (bot/core/transfer.py)."""
        return self.context.transfer_code

    # --- entry points ----------------------------------------------------------------

    async def respond(self, inbound: Inbound) -> None:
        context = self.context
        if inbound.unsent:
            await withdraw(context, inbound.text or "", MAX_RECENT_CHARS)
            return
        numbered = context.state.numbered
        chosen = picked(inbound, numbered)
        if isinstance(chosen, int):  # a number that is none of the numbered answers: the same answers again
            context.say(render(context.common.messages.choose_number, {"last": chosen}), list(numbered))
            self._remember(parse(context, inbound).said)
            self._number_answers()
            return
        parsed = parse(context, chosen or inbound)
        await self._respond(parsed)
        if context.prompt_due:
            self._prompt()
        if context.state.step in context.content.steps:
            offer_named_actions(context.content, context.state, context.state.step or "", context.current(), context.outbox)
        self._remember(parsed.said)
        self._number_answers()

    async def after_consultation(self) -> None:
        """Staff or the timer closed the consultation: the bot takes over again (nothing when it already did)."""
        await self.context.handover.catch_up()
        if self.context.prompt_due:
            self._prompt()
        self._number_answers()

    def tell(self, text: str) -> None:
        """What happened outside the dialog (a draft moved here, or why not), then the pending question."""
        context = self.context
        context.say(text)
        if context.state.step in context.content.steps:
            self._prompt()
        self._remember("")
        self._number_answers()

    async def fill(self, answers: dict[str, str]) -> None:
        """Answers saved in the form: kept in the draft; a user at one of its questions goes on past those answered."""
        context = self.context
        form = context.common.form
        context.state.values.update(answers)
        refs = {form.step_ref(context.content.steps, field) for field in form.fields} if form is not None else set()
        for _ in refs:
            step = context.current() if context.state.step in refs else None
            if not (isinstance(step, TextStep) and context.state.values.get(step.field)):
                break
            await context.navigation.goto(step.next)
        if context.state.step in context.content.steps and isinstance(context.current(), SummaryStep):
            context.prompt_due = True  # the card again, with the new answers
        if context.prompt_due:
            self._prompt()
        self._number_answers()

    # --- which part handles the input ---------------------------------------------------

    async def _respond(self, parsed: Parsed) -> None:
        context = self.context
        inbound = parsed.inbound
        if context.state.consulting is not None and await context.handover.respond(parsed):
            return
        if await self.staff_replies.forward(parsed):
            return
        if context.state.step is None or context.state.step not in context.content.steps:
            await context.navigation.goto(context.common.start)
            if parsed.command is not None and parsed.typed:
                await context.commands.run(parsed.command)  # e.g. 「人と話したい」 as the very first message
            elif inbound.document is not None:
                await receive(context, inbound.document, self.documents)
            elif parsed.prefix in payloads.AFTER_HANDOFF:
                await self._dispatch(parsed)  # a button under a notice about a draft, after a purge
            elif parsed.typed:
                await context.answers.answer_if_asked(parsed.text)
        elif await self._resume_if_returning(parsed):
            pass
        elif context.state.pending and parsed.confirmation is not None:
            await context.confirmations.settle(parsed.confirmation == "yes")
        else:
            context.state.pending = context.state.pending_answer = None
            await self._dispatch(parsed)

    async def _dispatch(self, parsed: Parsed) -> None:
        context = self.context
        inbound, prefix, value = parsed.inbound, parsed.prefix, parsed.value
        if inbound.document is not None and parsed.typed:
            await receive(context, inbound.document, self.documents)
            return
        if inbound.not_text and parsed.typed:
            context.say(context.common.validation.not_text)
            context.prompt_due = True
            return
        if await context.revision.start_if_typed(parsed):
            return
        if parsed.command is not None:
            await context.commands.run(parsed.command)
            return
        if prefix == payloads.FAQ:
            context.faq_answers.answer_entry(value)
        elif prefix == payloads.MENU_ITEM:
            await context.requests.pick_menu_item(value)
        elif prefix == payloads.NONE_FITS:
            await context.faq_answers.none_fits()
        elif prefix == payloads.HELPFUL:
            await context.faq_answers.helpful(*value.partition(":")[::2])
        elif prefix == payloads.PROPOSAL:
            await context.my_proposals.show(value)
        elif prefix == payloads.REVISE:
            await context.revision.start(value)
        elif prefix == payloads.PAGE and value.isdigit():
            context.state.choice_page = int(value)
            context.prompt_due = True
        elif prefix == payloads.EDIT and isinstance(context.current(), EditMenuStep):
            await context.commands.edit_field(value)
        else:
            await context.answers.answer_step(inbound.payload, parsed.text)

    async def _resume_if_returning(self, parsed: Parsed) -> bool:
        """After a pause or a long absence, say where the user was; a typed greeting is not taken as the answer."""
        context = self.context
        state = context.state
        last = state.last_seen
        away = last is not None and context.now - last > timedelta(hours=context.common.resume_after_hours)
        if not (state.paused or (away and state.values)):
            return False
        if await context.my_proposals.answer_if_asked(parsed) or await context.revision.start_if_typed(parsed):
            return True  # the draft being written stays as it was (paused, or set aside for the revision)
        state.paused = False
        context.say(context.common.messages.resumed)
        if not parsed.typed or parsed.inbound.document is not None or parsed.command is not None:
            return False
        context.prompt_due = True
        await context.answers.answer_if_asked(parsed.text)
        return True

    # --- after the input: the pending question, and what staff and numbers see ----------

    def _remember(self, said: str) -> None:
        """Keep the last lines of the conversation, for the staff member a consultation goes to."""
        context = self.context
        lines = [Said(who="user", text=said)] if said else []
        for message in context.outbox:
            shown = message.title if isinstance(message, CardMessage) else message.for_staff or message.text
            lines.append(Said(who="bot", text=shown))
        recent = context.state.recent + [Said(who=line.who, text=line.text[:MAX_RECENT_CHARS]) for line in lines]
        context.state.recent = recent[-MAX_RECENT:]

    def _number_answers(self) -> None:
        context = self.context
        at_text_question = context.state.step in context.content.steps and isinstance(context.current(), TextStep)
        typed_text_wanted = at_text_question and not context.state.pending
        context.state.numbered = numbered_after(context.outbox, context.state.numbered, typed_text_wanted)

    def _prompt(self) -> None:
        context = self.context
        messages = prompt_messages(context.content, context.state, context.now)
        offer = self._form_offer()
        context.outbox += [*messages[:-1], offer, messages[-1]] if offer else messages

    def _form_offer(self) -> TextMessage | None:
        """Above the question of the form's first field: the link to 「フォームでまとめて入力」."""
        context, links = self.context, self.form_links
        form = context.common.form
        if form is None or links is None or context.state.step != form.step_ref(context.content.steps, form.fields[0]):
            return None
        url = links.link(context.user, context.now)
        minutes = int(links.lifetime.total_seconds() // 60)
        values = {"form_url": url, "minutes": minutes}
        if not links.signed(context.user):  # the channel's own app (LIFF): no secret, no expiry
            return TextMessage(text=render(context.render(form.app_link), values))
        return TextMessage(
            text=render(context.render(form.link), values), for_staff=render(context.render(form.link_for_staff), values)
        )
