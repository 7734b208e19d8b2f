"""One Telegram update handled completely: the core's turn (``respond``), then delivery (``deliver``).

The two halves are separate so the durable ingest can store the replies
between them and, after a crash, deliver without asking the core again;
``handle_update`` runs both for callers that need no such split (polling
without the ingest, tests).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from telegram import Update

from bot.channels.telegram.sender import TelegramSender
from bot.channels.telegram.updates import GroupNotice, update_to_inbound
from bot.core.messages import Handler, Outbound, TextMessage


class TelegramProcessor:
    def __init__(self, handle: Handler, sender: TelegramSender, commands: Mapping[str, str], one_to_one: str) -> None:
        self._handle = handle
        self._sender = sender
        self._commands = commands
        self._one_to_one = one_to_one

    def parse(self, update_json: dict[str, Any]) -> Update:
        return Update.de_json(update_json, self._sender.bot)

    async def respond(self, update: Update, key: str | None = None) -> list[Outbound]:
        """The core's answer; ``key`` (the stored update's id) makes a retry after a crash get the same answer."""
        target = update_to_inbound(update, self._commands)
        if isinstance(target, GroupNotice):
            return [TextMessage(text=self._one_to_one)]
        return [] if target is None else await self._handle(target.model_copy(update={"key": key}))

    async def deliver(self, update: Update, replies: list[Outbound]) -> None:
        if update.callback_query is not None:
            await self._sender.acknowledge(update.callback_query.id)
        if replies and update.effective_chat is not None:
            await self._sender.send(update.effective_chat.id, replies)

    async def handle_update(self, update_json: dict[str, Any]) -> None:
        update = self.parse(update_json)
        await self.deliver(update, await self.respond(update))
