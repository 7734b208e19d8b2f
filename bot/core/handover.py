"""担当者に相談: the bot asks for the question, opens a consultation for staff, stays quiet while a person
answers, and takes over again where the user was when the consultation is closed.

Staff take and close consultations outside the user's turn, so every turn reads where the consultation
stands (``Turn.consultation``) instead of trusting the saved state.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from bot.core.consultation import CLOSED, OPEN, TAKEN, ConsultationRequest, ConsultationView
from bot.core.draft import DraftProposal
from bot.core.prompts import command_buttons
from bot.core.required import required
from bot.core.state import Consulting
from bot.core.text import has_content, render

if TYPE_CHECKING:
    from bot.core.parsed import Parsed
    from bot.core.turn_context import TurnContext

MAX_QUESTION = 2000


class Handover:
    def __init__(self, context: TurnContext, can_receive_replies: bool) -> None:
        self._context = context
        self._texts = context.content.consultation
        self._can_receive_replies = can_receive_replies

    def start(self, reason: str) -> None:
        """Ask for the question in one message (and where to reply, on a channel staff cannot reply on)."""
        context = self._context
        context.state.consulting = Consulting(phase="asking", reason=reason)
        ask = self._texts.ask if self._can_receive_replies else self._texts.ask_with_contact
        context.say(self._render(ask), command_buttons(context.common, ["back"]))
        context.prompt_due = False

    async def respond(self, parsed: Parsed) -> bool:
        """Handle the input while consulting; False when it is for the bot after all (the rest of the turn runs)."""
        consulting = required(self._context.state.consulting, "the consultation")
        if consulting.phase == "asking":
            return await self._asking(parsed)
        view = await self._context.turn.consultation(required(consulting.id, "the consultation's id"))
        command = parsed.command
        if view is None or view.status == CLOSED:
            self._ended(view)
            # Typed text was meant for the person, not an answer to the bot's pending question.
            return parsed.typed and command is None
        if (
            view.status == OPEN and command == "back"
            and await self._context.turn.withdraw_consultation(required(consulting.id, "the consultation's id"), self._context.now)
        ):
            self._back_to_the_bot(self._texts.withdrawn)
            return True
        if command == "resume":
            # A reload of the web chat or a LINE re-follow: where the user is, again; nothing for staff.
            self._note(consulting, view, again=True)
            return True
        # A command typed to the bot (メニュー, 最初から …) goes to the person too, and the note says again why
        # the bot does not act on it; other messages get the note once per phase.
        await self._pass_on(consulting, view, parsed.said, again=command is not None)
        return True

    async def catch_up(self) -> None:
        """After staff (or the timer) closed the consultation: say so, and ask the pending question again."""
        consulting = self._context.state.consulting
        if consulting is None or consulting.id is None:
            return
        view = await self._context.turn.consultation(consulting.id)
        if view is None or view.status == CLOSED:
            self._ended(view)

    async def _asking(self, parsed: Parsed) -> bool:
        context, text, command = self._context, parsed.text, parsed.command
        if not parsed.typed or command is not None:
            self._back_to_the_bot(self._texts.cancelled)
            return command == "back"  # 戻る returns to the question; any other button or command runs as usual
        if not has_content(text):
            self.start(context.state.consulting.reason if context.state.consulting else "asked")
            return True
        await self._open(text.strip()[:MAX_QUESTION])
        return True

    async def _open(self, question: str) -> None:
        context = self._context
        state = context.state
        reason = required(state.consulting, "the consultation").reason
        values = state.values
        request = ConsultationRequest(
            user=context.user, reason=reason, question=question, opened_at=context.now,
            step=state.step, recent=state.recent, faq_log=state.faq_log,
            draft={name: value for name, value in values.items() if name in DraftProposal.model_fields},
            criteria={name: value for name, value in values.items() if name not in DraftProposal.model_fields},
        )
        consultation_id = await context.turn.open_consultation(request)
        state.consulting = Consulting(phase="open", reason=reason, id=consultation_id)
        opened = self._texts.opened if self._can_receive_replies else self._texts.opened_with_contact
        context.say(render(self._render(opened), {"consultation": consultation_id}))

    async def _pass_on(self, consulting: Consulting, view: ConsultationView, said: str, again: bool) -> None:
        """Everything goes to the console; the bot says one short note (per phase, or ``again``) and nothing else."""
        context = self._context
        await context.turn.add_consultation_message(required(consulting.id, "the consultation's id"), said, context.now)
        self._note(consulting, view, again)

    def _note(self, consulting: Consulting, view: ConsultationView, again: bool = False) -> None:
        """The short note of the phase (waiting for a person, or a person answers): once, unless ``again``."""
        note: Literal["waiting", "taken"] = "taken" if view.status == TAKEN else "waiting"
        if consulting.noted != note or again:
            consulting.noted = note
            if note == "taken":
                self._context.say(self._texts.taken_note)
            else:
                self._context.say(self._texts.waiting_note, command_buttons(self._context.common, ["back"]))

    def _ended(self, view: ConsultationView | None) -> None:
        abandoned = view is not None and view.close_reason == "abandoned"
        self._back_to_the_bot(self._texts.abandoned if abandoned else self._texts.closed)

    def _back_to_the_bot(self, text: str) -> None:
        self._context.state.consulting = None
        self._context.say(text)
        self._context.prompt_due = True

    def _render(self, text: str) -> str:
        """Fill in ``{answer_time}`` from the staff-edited hours (only what is filled in is said)."""
        answer_time = self._texts.answer_time
        if answer_time.business_hours:
            said = render(answer_time.with_hours, {"business_hours": answer_time.business_hours})
        else:
            said = answer_time.without_hours
        if answer_time.typical_delay:
            said += render(answer_time.delay, {"typical_delay": answer_time.typical_delay})
        return render(text, {"answer_time": said})
