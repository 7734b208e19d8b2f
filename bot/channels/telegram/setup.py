"""The Telegram channel: its settings, the webhook route or polling task, the durable turn's two Telegram parts.

Both modes feed the same durable intake; the ingest worker's durable turn
calls ``read`` and ``deliver`` for each stored update.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass

from aiohttp import web

from bot.channels.telegram import CHANNEL
from bot.channels.telegram.client import build_application
from bot.channels.telegram.content import TelegramFiles
from bot.channels.telegram.intake import UpdateIntake
from bot.channels.telegram.polling import poll
from bot.channels.telegram.processor import TelegramUpdates
from bot.channels.telegram.sender import FLOOD_CONTROL, TelegramSender
from bot.channels.telegram.webhook import TelegramWebhook
from bot.core.messages import Choice, Outbound, TextMessage
from bot.core.ports import Clock
from bot.ingest.events import NewEvent, StoredEvent
from bot.ingest.turns import Said
from bot.retry import RetryPolicy

WEBHOOK_PATH = "/webhooks/telegram"


@dataclass(frozen=True)
class TelegramConfig:
    token: str
    api_base_url: str
    webhook_secret: str | None  # required for the webhook; polling needs none
    commands: Mapping[str, str]
    send: RetryPolicy = FLOOD_CONTROL
    poll_timeout: int = 30
    polling: bool = False  # fetch updates with getUpdates instead of the webhook
    max_document_bytes: int = 10 * 1024 * 1024  # a larger file is not fetched (bot/channels/telegram/content.py)


class ClientNotRunning(RuntimeError):
    """The Telegram client lives as long as the server: nothing can be read or sent outside it."""


class TelegramChannel:
    """A :class:`bot.ingest.turns.DurableChannel`; owns the python-telegram-bot client (created and closed with the server).

    It is also the staff side's messenger for Telegram: ``send`` delivers a staff reply.
    """

    channel = CHANNEL

    def __init__(self, config: TelegramConfig, clock: Clock, one_to_one: Callable[[], str]) -> None:
        if not config.polling and not config.webhook_secret:
            raise ValueError("TELEGRAM_WEBHOOK_SECRET must be set for the Telegram webhook")
        self._config = config
        self._clock = clock
        self._one_to_one = one_to_one
        self._updates: TelegramUpdates | None = None
        self._files: TelegramFiles | None = None
        self._sender: TelegramSender | None = None

    async def read(self, event: StoredEvent) -> Said:
        said = await self._running().read(event)
        return await self._files.fetched(said) if self._files is not None else said

    async def deliver(self, event: StoredEvent, said: Said, replies: list[Outbound]) -> None:
        await self._running().deliver(event, said, replies)

    async def send(self, user_id: str, text: str, key: str, choices: Sequence[Choice] = ()) -> None:
        """A staff reply to the proposer's private chat (Telegram has no idempotency key to pass on)."""
        if self._sender is None:
            raise ClientNotRunning("the Telegram client is not running")
        await self._sender.send(int(user_id), [TextMessage(text=text, choices=list(choices))])

    def install(self, server: web.Application, store: Callable[[list[NewEvent]], Awaitable[None]], kick: Callable[[], None]) -> None:
        """``POST /webhooks/telegram`` or a ``getUpdates`` loop, both storing with ``store`` then kicking the ingest."""
        intake = UpdateIntake(store, kick, self._clock)
        if self._config.webhook_secret and not self._config.polling:
            server.router.add_post(WEBHOOK_PATH, TelegramWebhook(self._config.webhook_secret, intake).handle)

        async def client_context(server: web.Application) -> AsyncIterator[None]:
            config = self._config
            async with build_application(config.token, config.api_base_url) as application:
                sender = self._sender = TelegramSender(application.bot, config.send)
                self._updates = TelegramUpdates(sender, config.commands, self._one_to_one)
                self._files = TelegramFiles(application.bot, config.max_document_bytes)
                poller = asyncio.create_task(poll(application.bot, intake, config.poll_timeout)) if config.polling else None
                yield
                if poller is not None:
                    poller.cancel()
                    await asyncio.gather(poller, return_exceptions=True)
                self._updates = self._sender = self._files = None

        server.cleanup_ctx.append(client_context)

    def _running(self) -> TelegramUpdates:
        if self._updates is None:
            raise ClientNotRunning("the Telegram client is not running")
        return self._updates
