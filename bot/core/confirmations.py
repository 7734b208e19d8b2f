"""The answer to a yes/no question the bot asked (最初から？, データ削除？, a request typed in words, a typed はい …)."""

from __future__ import annotations

from bot.content.models import ALWAYS_CONFIRMED
from bot.core.state import ConversationState
from bot.core.text import render
from bot.core.turn_context import TurnContext

INTENT_PENDING = "intent:"  # state.pending while asking 「…しますか？」 about a request typed in words
ANSWER_PENDING = "answer"  # state.pending while asking whether a typed 「はい」 is the answer to a free-text question


class Confirmations:
    def __init__(self, context: TurnContext) -> None:
        self._context = context

    async def settle(self, confirmed: bool) -> None:
        context = self._context
        kind, context.state.pending = context.state.pending, None
        answer, context.state.pending_answer = context.state.pending_answer, None
        messages = context.common.messages
        if kind and kind.startswith(INTENT_PENDING):
            await context.requests.settle(kind.removeprefix(INTENT_PENDING), confirmed, answer)
        elif kind == ANSWER_PENDING and confirmed and answer is not None:
            await context.answers.take_as_answer(answer)
        elif kind == ANSWER_PENDING:
            context.prompt_due = True  # いいえ: the question again
        elif not confirmed and answer is not None and kind in ALWAYS_CONFIRMED:
            await context.answers.take_as_answer(answer)  # 「株式会社やり直し工房」 was the answer after all
        elif kind == "consult":
            if confirmed:
                context.handover.start("faq")
            else:
                context.say(context.content.consultation.offer_declined)
                context.prompt_due = True
        elif not confirmed:
            context.say(messages.delete_cancelled if kind == "delete_data" else messages.restart_cancelled)
            context.prompt_due = True
        elif kind == "delete_data":
            await self._erase_user_data()
        else:
            await context.turn.discard_documents()
            self._forget_everything()
            context.say(messages.restart_done)
            await context.navigation.goto(context.common.home)

    async def _erase_user_data(self) -> None:
        """データ削除: nothing of the conversation remains; submitted drafts are kept for staff, and we say so."""
        context = self._context
        kept = await context.turn.erase_user_data()
        context.state = ConversationState()
        context.say(context.common.messages.deleted)
        if kept:
            context.say(render(context.common.messages.submitted_drafts_kept, {**context.facts, "references": "、".join(kept)}))
        context.prompt_due = False

    def _forget_everything(self) -> None:
        """Start over: keep only the log of FAQ questions (it is not the user's draft)."""
        context = self._context
        context.state = ConversationState(
            faq_log=context.state.faq_log, step=context.state.step, reminders_off=context.state.reminders_off,
            language=context.state.language,
        )
