"""The core's single entry point: one inbound message in, the replies out."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import datetime, timedelta

from bot.content.loader import Content
from bot.core.conversation import Conversation
from bot.core.documents import DocumentPolicy
from bot.core.language import asked_for, first_language, in_language_of, switch, translated
from bot.core.messages import Inbound, Outbound, TextMessage, UserKey
from bot.core.ports import Clock, ConversationStore, FaqLookup, FormLinks, Turn
from bot.core.throttle import Admission, TurnLimit
from bot.core.transfer import TransferLimits, Transfers, tell_redeemed
from bot.core.usage import UsageEvent, snapshot, usage_events


class Engine:
    """Channel-agnostic: it returns replies and never sends anything itself.

    ``content`` is fixed, or a function giving the content for each turn (the running bot's follows
    edits to the files). ``reply_channels`` are the channels staff can answer a consultation on;
    elsewhere the bot also asks the user where to reply. What a user types within ``reply_window``
    of a staff reply about their draft goes to staff.
    """

    def __init__(
        self, content: Content | Callable[[], Content], store: ConversationStore, faq: FaqLookup, clock: Clock,
        reply_channels: Collection[str] = (), limit: TurnLimit = TurnLimit(), reply_window: timedelta = timedelta(hours=72),
        form_links: FormLinks | None = None, documents: DocumentPolicy = DocumentPolicy(), transfers: Transfers | None = None,
    ) -> None:
        self._form_links = form_links
        self._documents = documents
        self._transfers = transfers  # None (some tests): codes are shown but not kept
        self._code_lifetime = (transfers.limits if transfers else TransferLimits()).lifetime
        self._content = content if callable(content) else lambda: content
        self._store = store
        self._faq = faq
        self._clock = clock
        self._reply_channels = frozenset(reply_channels)
        self._limit = limit
        self._reply_window = reply_window

    async def handle(self, inbound: Inbound) -> list[Outbound]:
        return await self.handle_event([inbound], inbound.key)

    async def handle_event(self, inbounds: Sequence[Inbound], key: str | None, first_try: bool = False) -> list[Outbound]:
        """The inputs of one user's event, one after the other, as one turn: the replies to the last.

        A LINE rich-menu button plays several inputs (open the menu, then choose). Under a ``key``
        the replies are stored in the turn's own transaction; the same key again gets them back
        (``first_try``: the caller knows it is the key's first turn).
        """
        user = inbounds[0].user
        # A typed code of 「別の端末で続ける」 moves the draft here in its own transaction, before the turn.
        redeemed = await self._transfers.redeem(inbounds, self._clock.now()) if self._transfers else None
        async with self._store.turn(user, key, first_try) as turn:
            if turn.answered is not None:  # handled before a crash or redelivery: the same answer, no second turn
                return turn.answered
            state, now = turn.state, self._clock.now()
            unsent = all(inbound.unsent for inbound in inbounds)  # a withdrawal is no message: not counted, not answered
            if not unsent and (admission := self._limit.admit(state, now)) is not Admission.ADMITTED:
                turn.state = state
                notice = in_language_of(self._content(), state).common.messages.slow_down
                turn.replies = [TextMessage(text=notice)] if admission is Admission.REFUSED_WITH_NOTICE else []
                return turn.replies
            used: list[UsageEvent] = []
            first_language(self._content(), turn.state, inbounds[0].language_hint)
            for inbound in inbounds:
                conversation = self._conversation(turn, user, now)
                before = snapshot(turn.state)
                if redeemed is not None:
                    tell_redeemed(conversation, redeemed)
                elif (language := asked_for(self._content(), turn.state, inbound)) is not None:
                    conversation = await switch(language, turn.state, lambda: self._conversation(turn, user, now))
                else:
                    await conversation.respond(inbound)
                turn.state = conversation.state
                used += usage_events(conversation.content, before, turn.state, now)
            if used:
                await turn.record_usage(used)
            if not unsent:
                conversation.state.last_seen = now
            turn.replies = conversation.outbox
        if conversation.transfer_code is not None and self._transfers is not None:
            await self._transfers.issue(user, conversation.transfer_code, now)
        return conversation.outbox

    async def after_consultation(self, user: UserKey) -> list[Outbound]:
        """What to tell the user once staff (or the timer) closed their consultation; nothing if already told."""
        async with self._store.turn(user) as turn:
            conversation = self._conversation(turn, user, self._clock.now())
            await conversation.after_consultation()
            turn.state = conversation.state
        return conversation.outbox

    async def fill(self, user: UserKey, answers: dict[str, str]) -> list[Outbound]:
        """Answers saved in 「フォームでまとめて入力」 (already checked): into the draft; the replies say what comes next."""
        async with self._store.turn(user) as turn:
            now = self._clock.now()
            conversation = self._conversation(turn, user, now)
            before = snapshot(turn.state)
            await conversation.fill(answers)
            turn.state = conversation.state
            if used := usage_events(conversation.content, before, turn.state, now):
                await turn.record_usage(used)
        return conversation.outbox

    def _conversation(self, turn: Turn, user: UserKey, now: datetime) -> Conversation:
        # The turn's state is this transaction's own copy, read from storage: the conversation may change it in place.
        content = in_language_of(self._content(), turn.state)
        return Conversation(
            content, translated(self._faq, content), turn.state, now, turn, user,
            can_receive_replies=user.channel in self._reply_channels, reply_window=self._reply_window,
            form_links=self._form_links, documents=self._documents, code_lifetime=self._code_lifetime,
        )
