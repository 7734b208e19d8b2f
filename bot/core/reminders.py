"""One friendly reminder about a draft left unsent: pushed on the user's channel after N days, outside quiet hours.

Never to a user who blocked the bot (LINE unfollow; a Telegram 403 seen before), nor after データ削除
(the draft is gone), nor after 「もう送らないで」. A reminder is claimed in the user's context
(``reminded_at``, saved under the conversation's lock, as a turn is), so with several workers one
pushes it and the others find it claimed; a push that fails after the claim is not tried again (at
most one). The web chat has no push: its visitors see 「おかえりなさい」 and their question when they
come back (``Conversation._resume_if_returning``), and get no reminder.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Protocol

from bot.content.loader import Content
from bot.content.models import CommandName
from bot.core import payloads
from bot.core.messages import Choice, UserKey
from bot.core.ports import Clock, ConversationStore
from bot.core.state import ConversationState
from bot.core.text import render
from bot.core.transfer import has_draft

if TYPE_CHECKING:
    from bot.core.turn_context import TurnContext

log = logging.getLogger(__name__)
BUTTONS: tuple[CommandName, ...] = ("resume", "transfer", "stop_reminders")  # under the reminder


class Blocked(Exception):
    """The platform refused the push because the user blocked the bot (Telegram: 403 Forbidden)."""


class Messenger(Protocol):
    channel: str

    async def send(self, user_id: str, text: str, key: str, choices: Sequence[Choice] = ()) -> None: ...


class IdleDrafts(Protocol):
    async def idle_drafts(self, channels: Sequence[str]) -> list[tuple[UserKey, ConversationState]]:
        """Conversations on these channels that may hold an unsent draft nobody was reminded of (a cheap pre-selection)."""
        ...


@dataclass(frozen=True)
class ReminderPolicy:
    after: timedelta = timedelta(days=3)
    quiet_from: int = 21  # hour of the day (city time) from which nothing is pushed …
    quiet_until: int = 9  # … until this hour
    zone: tzinfo | None = None  # the city's time zone (None: the clock's own)

    def quiet(self, now: datetime) -> bool:
        hour = (now.astimezone(self.zone) if self.zone else now).hour
        if self.quiet_from <= self.quiet_until:
            return self.quiet_from <= hour < self.quiet_until
        return hour >= self.quiet_from or hour < self.quiet_until

    def due(self, state: ConversationState, now: datetime) -> bool:
        """An unsent draft, untouched for ``after``, not reminded of, reminders not refused, no person in the chat."""
        return (
            has_draft(state) and state.last_seen is not None and now - state.last_seen >= self.after
            and state.reminded_at is None and not state.reminders_off
            and state.consulting is None and not state.answering_staff
        )


class Reminders:
    def __init__(
        self, content: Callable[[], Content], store: ConversationStore, drafts: IdleDrafts, messengers: Sequence[Messenger],
        clock: Clock, policy: ReminderPolicy, is_active: Callable[[str, str], Awaitable[bool | None]],
        set_active: Callable[[str, str, bool, datetime], Awaitable[None]],
    ) -> None:
        self._content = content
        self._store = store
        self._drafts = drafts
        self._messengers: Mapping[str, Messenger] = {messenger.channel: messenger for messenger in messengers}
        self._clock = clock
        self.policy = policy
        self._is_active = is_active
        self._set_active = set_active

    async def run_once(self) -> int:
        """Push the reminders due now; the number pushed. Nothing in quiet hours: they wait for the morning."""
        now = self._clock.now()
        if self.policy.quiet(now) or not self._messengers:
            return 0
        pushed = 0
        for user, state in await self._drafts.idle_drafts(list(self._messengers)):
            if not self.policy.due(state, now) or await self._is_active(user.channel, user.user_id) is False:
                continue
            if await self._claim(user, now):
                pushed += await self._push(user, now)
        return pushed

    async def run(self, every: float) -> None:
        """In the server: a sweep every ``every`` seconds, until cancelled."""
        while True:
            try:
                await self.run_once()
            except Exception:  # the next sweep tries again; a claimed reminder is not pushed twice
                log.exception("the reminder sweep failed")
            await asyncio.sleep(every)

    async def _claim(self, user: UserKey, now: datetime) -> bool:
        """Mark the reminder as this worker's under the conversation's lock (another worker, or the user, may have come first)."""
        async with self._store.turn(user) as turn:
            if not self.policy.due(turn.state, now):
                return False
            turn.state.reminded_at = now
            return True

    async def _push(self, user: UserKey, now: datetime) -> int:
        content = self._content()
        common = content.common
        text = render(content.continuation.reminder.text, {
            **content.facts.facts, **common.words_for(user.channel), "days": self.policy.after.days,
        })
        choices = [Choice(label=common.commands[name].label, payload=payloads.COMMAND + name) for name in BUTTONS]
        key = f"remind-{user.channel}-{user.user_id}-{now.isoformat()}"
        try:
            await self._messengers[user.channel].send(user.user_id, text, key, choices)
        except Blocked:
            await self._set_active(user.channel, user.user_id, False, now)
            return 0
        except Exception as error:  # noqa: BLE001 - claimed: not tried again (at most one reminder)
            log.warning("the reminder to %s was not delivered: %s", user, type(error).__name__)
            return 0
        return 1


def stop_reminders(context: TurnContext) -> None:
    """「もう送らないで」: no reminder any more (kept through 最初から and after sending a draft); then the question again."""
    context.state.reminders_off = True
    context.say(context.content.continuation.reminder.stopped)
    context.prompt_due = True
