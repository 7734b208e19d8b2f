"""Wiring of the reminders (bot/core/reminders.py): the settings, and each channel's push with its "blocked" answer.

LINE tells the bot of a block with an unfollow event (kept in ``channel_users``); Telegram only
answers a later message with 403 Forbidden, which becomes :class:`Blocked` here, kept the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.content.loader import Content
from bot.core.messages import Choice
from bot.core.ports import Clock, ConversationStore
from bot.core.reminders import Blocked, Messenger, ReminderPolicy, Reminders
from bot.settings import Settings
from storage.events import SqlEventLog
from storage.reminders import SqlIdleDrafts


class TelegramPush:
    """A Telegram messenger whose 403 (the user blocked the bot) is :class:`Blocked`."""

    def __init__(self, messenger: Messenger) -> None:
        self.channel = messenger.channel
        self._messenger = messenger

    async def send(self, user_id: str, text: str, key: str, choices: Sequence[Choice] = ()) -> None:
        from telegram.error import Forbidden  # python-telegram-bot: imported where Telegram is configured

        try:
            await self._messenger.send(user_id, text, key, choices)
        except Forbidden as error:
            raise Blocked(error.message) from error


def build_reminders(
    settings: Settings, content: Callable[[], Content], store: ConversationStore, drafts: SqlIdleDrafts,
    events: SqlEventLog, clock: Clock, line: Messenger | None, telegram: Messenger | None,
) -> Reminders:
    policy = ReminderPolicy(
        after=timedelta(days=settings.remind_after_days), quiet_from=settings.remind_quiet_from,
        quiet_until=settings.remind_quiet_until, zone=ZoneInfo(settings.timezone),
    )
    messengers = [*([line] if line else []), *([TelegramPush(telegram)] if telegram else [])]
    return Reminders(content, store, drafts, messengers, clock, policy, events.is_active, events.set_active)
