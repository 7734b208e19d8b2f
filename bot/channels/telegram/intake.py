"""Taking an update in (from the webhook or from polling): store it durably, then wake the ingest worker.

The ``update_id`` is the event id, so an update Telegram sends twice is
stored once. The chat is the ordering key: one chat's updates are handled in
order, different chats in parallel.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update

from bot.channels.telegram import CHANNEL
from bot.core.ports import Clock
from bot.ingest.events import NewEvent


class MalformedUpdate(ValueError):
    """The update does not parse as a Telegram Update (only a forged or broken request sends one)."""


class UpdateIntake:
    def __init__(self, store: Callable[[list[NewEvent]], Awaitable[None]], kick: Callable[[], None], clock: Clock) -> None:
        self._store = store
        self._kick = kick
        self._clock = clock

    async def __call__(self, update_json: dict[str, Any]) -> None:
        """Returns once the update is stored (or ignored: no chat, e.g. an update kind we do not ask for)."""
        body = json.dumps(update_json)  # ASCII escapes: a lone surrogate in the text must not make the row unstorable
        event_id = str(update_json.get("update_id"))
        try:
            update = Update.de_json(update_json, None)  # de_json pops keys: the body is kept above
        except (TypeError, ValueError, KeyError, AttributeError) as error:
            raise MalformedUpdate(type(error).__name__) from error
        _check_what_is_read(update)
        chat = update.effective_chat
        if chat is None:
            return
        now = self._clock.now()
        event = NewEvent(
            channel=CHANNEL, event_id=event_id, user_id=str(chat.id), occurred_at=int(now.timestamp() * 1000), body=body,
        )
        await self._store([event])
        self._kick()


def _check_what_is_read(update: Update) -> None:
    """The SDK keeps whatever a field held: the fields the bot reads must have their documented types."""
    message, query, chat = update.message, update.callback_query, update.effective_chat
    if chat is not None and not isinstance(chat.id, int):
        raise MalformedUpdate("chat id")
    if message is not None:
        if not isinstance(message.text, str | None):
            raise MalformedUpdate("message text")
        for entity in message.entities or ():
            if not (isinstance(entity.offset, int) and isinstance(entity.length, int) and isinstance(entity.type, str)):
                raise MalformedUpdate("message entity")
    if query is not None and not isinstance(query.data, str | None):
        raise MalformedUpdate("callback data")
