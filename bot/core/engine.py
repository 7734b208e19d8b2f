"""The core's single entry point: one inbound message in, the replies out."""

from __future__ import annotations

from bot.content.loader import Content
from bot.core.conversation import Conversation
from bot.core.messages import Inbound, Outbound
from bot.core.ports import Clock, ConversationStore, FaqLookup


class Engine:
    """Channel-agnostic: it returns replies and never sends anything itself."""

    def __init__(self, content: Content, store: ConversationStore, faq: FaqLookup, clock: Clock) -> None:
        self._content = content
        self._store = store
        self._faq = faq
        self._clock = clock

    async def handle(self, inbound: Inbound) -> list[Outbound]:
        async with self._store.turn(inbound.user, inbound.key) as turn:
            if turn.answered is not None:  # handled before a crash or redelivery: the same answer, no second turn
                return turn.answered
            now = self._clock.now()
            conversation = Conversation(self._content, self._faq, turn.state.model_copy(deep=True), now, turn, inbound.user)
            await conversation.respond(inbound)
            conversation.state.last_seen = now
            turn.state = conversation.state
            turn.replies = conversation.outbox
        return conversation.outbox
