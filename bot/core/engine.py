"""The core's single entry point: one inbound message in, the replies out."""

from __future__ import annotations

from bot.content.loader import Content
from bot.core.conversation import Conversation
from bot.core.messages import Inbound, Outbound, TextMessage
from bot.core.ports import Clock, ConversationStore, FaqLookup
from bot.core.throttle import Admission, TurnLimit


class Engine:
    """Channel-agnostic: it returns replies and never sends anything itself."""

    def __init__(
        self, content: Content, store: ConversationStore, faq: FaqLookup, clock: Clock, limit: TurnLimit = TurnLimit()
    ) -> None:
        self._content = content
        self._store = store
        self._faq = faq
        self._clock = clock
        self._limit = limit

    async def handle(self, inbound: Inbound) -> list[Outbound]:
        async with self._store.turn(inbound.user) as turn:
            now = self._clock.now()
            state = turn.state.model_copy(deep=True)
            admission = self._limit.admit(state, now)
            if admission is not Admission.ADMITTED:
                turn.state = state
                notice = self._content.common.messages.slow_down
                return [TextMessage(text=notice)] if admission is Admission.REFUSED_WITH_NOTICE else []
            conversation = Conversation(self._content, self._faq, state, now, turn, inbound.user)
            await conversation.respond(inbound)
            conversation.state.last_seen = now
            turn.state = conversation.state
        return conversation.outbox
