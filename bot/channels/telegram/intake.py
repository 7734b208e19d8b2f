"""Taking an update in (from the webhook or from polling): store it durably, then wake the worker of its chat.

The ``update_id`` is the event id, so an update Telegram sends twice is
stored once. The chat is the ordering key: one chat's updates are handled in
order, different chats in parallel.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from telegram import Update

from bot.channels.telegram import CHANNEL
from bot.core.ports import Clock
from bot.ingest.events import EventLog, NewEvent


class UpdateIntake:
    def __init__(self, events: EventLog, kick: Callable[[str, str], None], clock: Clock) -> None:
        self._events = events
        self._kick = kick
        self._clock = clock

    async def __call__(self, update_json: dict[str, Any]) -> None:
        """Returns once the update is stored (or ignored: no chat, e.g. an update kind we do not ask for)."""
        chat = Update.de_json(update_json, None).effective_chat
        if chat is None:
            return
        now = self._clock.now()
        event = NewEvent(
            channel=CHANNEL,
            event_id=str(update_json["update_id"]),
            user_id=str(chat.id),
            occurred_at=int(now.timestamp() * 1000),
            body=json.dumps(update_json, ensure_ascii=False),
        )
        await self._events.add([event], now)
        self._kick(CHANNEL, event.user_id)
