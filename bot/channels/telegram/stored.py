"""The ingest worker's processor for Telegram: one stored update, handled completely.

The core's replies are stored with the event before anything is sent, so an
update whose delivery failed (or whose process died) is delivered again
without asking the core a second time; after a partial failure only the
replies that did not get through are kept for the retry.
"""

from __future__ import annotations

import json

from bot.channels.telegram.processor import TelegramProcessor
from bot.channels.telegram.sender import PartlySent
from bot.core.messages import REPLIES
from bot.ingest.events import EventLog, StoredEvent


class StoredUpdateProcessor:
    def __init__(self, processor: TelegramProcessor, events: EventLog) -> None:
        self._processor = processor
        self._events = events

    async def __call__(self, event: StoredEvent) -> None:
        update = self._processor.parse(json.loads(event.body))
        if event.replies is None:
            replies = await self._processor.respond(update, key=event.event_id)
            await self._events.mark_handled(event.id, REPLIES.dump_json(replies).decode())
        else:
            replies = REPLIES.validate_json(event.replies)
        try:
            await self._processor.deliver(update, replies)
        except PartlySent as partly:  # the retry sends only what did not reach the chat
            await self._events.mark_handled(event.id, REPLIES.dump_json(replies[partly.sent:]).decode())
            raise
