"""The durable turn's two Telegram parts: what a stored update asks of the bot, and the delivery of the replies."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping

from telegram import Update

from bot.channels.telegram.sender import TelegramSender
from bot.channels.telegram.updates import GroupNotice, update_to_inbound
from bot.core.messages import Outbound, TextMessage
from bot.ingest.events import StoredEvent
from bot.ingest.turns import Said


class TelegramUpdates:
    """``one_to_one`` gives the current wording of the group answer (content follows edits)."""

    def __init__(self, sender: TelegramSender, commands: Mapping[str, str], one_to_one: Callable[[], str]) -> None:
        self._sender = sender
        self._commands = commands
        self._one_to_one = one_to_one

    async def read(self, event: StoredEvent) -> Said:
        update = Update.de_json(json.loads(event.body), self._sender.bot)
        target = update_to_inbound(update, self._commands)
        if isinstance(target, GroupNotice):
            return Said(replies=[TextMessage(text=self._one_to_one())], reply_to=update)
        return Said(inbounds=[target] if target else [], reply_to=update)

    async def deliver(self, event: StoredEvent, said: Said, replies: list[Outbound]) -> None:
        update: Update = said.reply_to
        if update.callback_query is not None and event.sent == 0:
            await self._sender.acknowledge(update.callback_query.id)
        if replies and update.effective_chat is not None:
            await self._sender.send(update.effective_chat.id, replies, first=event.sent)
