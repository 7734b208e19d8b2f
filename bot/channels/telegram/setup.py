"""Wiring the Telegram channel into the server: webhook route or polling task, and the client's lifetime.

Both modes feed the same durable intake; the ingest worker calls
``process`` for each stored update.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field

from aiohttp import web

from bot.channels.telegram import CHANNEL
from bot.channels.telegram.client import build_application
from bot.channels.telegram.intake import UpdateIntake
from bot.channels.telegram.polling import poll
from bot.channels.telegram.processor import TelegramProcessor
from bot.channels.telegram.sender import SendPolicy, TelegramSender
from bot.channels.telegram.stored import StoredUpdateProcessor
from bot.channels.telegram.webhook import TelegramWebhook
from bot.core.messages import Choice, Handler, TextMessage
from bot.core.ports import Clock
from bot.ingest.events import EventLog, StoredEvent
from bot.ingest.worker import Ingest, Processor

WEBHOOK_PATH = "/webhooks/telegram"


@dataclass(frozen=True)
class TelegramConfig:
    token: str
    api_base_url: str
    webhook_secret: str | None  # required for the webhook; polling needs none
    commands: Mapping[str, str]
    one_to_one: str
    send: SendPolicy = field(default_factory=SendPolicy)
    poll_timeout: int = 30


class TelegramChannel:
    """Owns the python-telegram-bot client (created and closed with the server).

    It is also the staff side's messenger for Telegram: ``send`` delivers a staff reply.
    """

    channel = CHANNEL

    def __init__(self, config: TelegramConfig, handle: Handler, events: EventLog, clock: Clock) -> None:
        self._config = config
        self._handle = handle
        self._events = events
        self._clock = clock
        self._processor: StoredUpdateProcessor | None = None
        self._sender: TelegramSender | None = None

    async def process(self, event: StoredEvent) -> None:
        assert self._processor is not None, "the Telegram client is not running"
        await self._processor(event)

    async def send(self, user_id: str, text: str, key: str, choices: Sequence[Choice] = ()) -> None:
        """A staff reply to the proposer's private chat (Telegram has no idempotency key to pass on)."""
        if self._sender is None:
            raise RuntimeError("the Telegram client is not running")
        await self._sender.send(int(user_id), [TextMessage(text=text, choices=list(choices))])

    def install(self, server: web.Application, ingest: Ingest, processors: dict[str, Processor], polling: bool) -> None:
        """Add this channel's processor and either ``POST /webhooks/telegram`` or a ``getUpdates`` loop."""
        processors[CHANNEL] = self.process
        intake = UpdateIntake(self._events, ingest.kick, self._clock)
        if not polling:
            if not self._config.webhook_secret:
                raise ValueError("TELEGRAM_WEBHOOK_SECRET must be set for the Telegram webhook")
            server.router.add_post(WEBHOOK_PATH, TelegramWebhook(self._config.webhook_secret, intake).handle)

        async def client_context(server: web.Application) -> AsyncIterator[None]:
            config = self._config
            async with build_application(config.token, config.api_base_url) as application:
                sender = self._sender = TelegramSender(application.bot, config.send)
                processor = TelegramProcessor(self._handle, sender, config.commands, config.one_to_one)
                self._processor = StoredUpdateProcessor(processor, self._events)
                poller = asyncio.create_task(poll(application.bot, intake, config.poll_timeout)) if polling else None
                yield
                if poller is not None:
                    poller.cancel()
                    await asyncio.gather(poller, return_exceptions=True)
                self._processor = self._sender = None

        server.cleanup_ctx.append(client_context)
