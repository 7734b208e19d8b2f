"""The LINE channel: its settings, the webhook route, the durable turn's two LINE parts, and the API client's lifetime."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Protocol

from aiohttp import web

from bot.channels.line import CHANNEL
from bot.channels.line.api import MessagingApi
from bot.channels.line.content import LineContent
from bot.channels.line.delivery import Delivery, DeliveryFailed, DeliveryPolicy, LineSender
from bot.channels.line.inbound import LineEvents, UserEvents
from bot.channels.line.messages import to_batches
from bot.channels.line.signs import ReadTokens, Signs
from bot.channels.line.webhook import LineWebhook, Store
from bot.content.models import Messages
from bot.core.messages import Choice, Outbound, TextMessage
from bot.core.ports import Clock
from bot.ingest.events import StoredEvent
from bot.ingest.turns import Said

WEBHOOK_PATH = "/webhooks/line"


@dataclass(frozen=True)
class LineConfig:
    secret: str
    access_token: str
    api_base_url: str
    delivery: DeliveryPolicy = field(default_factory=DeliveryPolicy)
    max_age: timedelta = timedelta(hours=24)  # older events are acknowledged, not answered (replays)
    max_document_bytes: int = 10 * 1024 * 1024  # a larger file or image is not fetched (bot/channels/line/content.py)
    content_timeout: float = 60.0  # seconds to fetch one file


class LineEventStore(UserEvents, ReadTokens, Protocol):
    """The stored events as the LINE channel uses them (``storage.events.SqlEventLog``)."""


class LineChannel:
    """A :class:`bot.ingest.turns.DurableChannel`; owns the API client (created inside the running event loop).

    It is also the staff side's messenger for LINE: ``send`` pushes a staff reply, and ``signs`` marks the
    messages a staff member read in the console as read.
    """

    channel = CHANNEL

    def __init__(self, config: LineConfig, events: LineEventStore, clock: Clock, messages: Callable[[], Messages]) -> None:
        self._config = config
        self._clock = clock
        self._messages = messages
        self._events = LineEvents(events, clock, lambda: messages().one_to_one)
        self._api: MessagingApi | None = None
        self._content = LineContent(config.api_base_url, config.access_token, config.content_timeout, config.max_document_bytes)
        self._sender: LineSender | None = None
        self.signs = Signs(lambda: self._api.post if self._api is not None else None, events, config.delivery.loading_after)

    async def read(self, event: StoredEvent) -> Said:
        said = await self._events.read(event)
        if said.inbounds and said.reply_to is not None:  # a one-to-one message, button or follow: a turn to answer
            self.signs.expect_answer(event.id, event.user_id)  # a slow download of the user's file is a slow turn too
        return await self._content.fetched(said)

    async def deliver(self, event: StoredEvent, said: Said, replies: list[Outbound]) -> None:
        self.signs.answered(event.id)
        delivery = Delivery(
            to=event.user_id, reply_token=said.reply_to, occurred_at_ms=event.occurred_at, key=event.event_id,
            resumed=event.interrupted,  # the attempt before was cut off: it may have used the reply token
        )
        batches = to_batches(replies, numbered_hint=self._messages().numbered_hint)
        await self._running().send(delivery, batches, self._clock.now(), first=event.sent)
        await self._events.forget_if_unsent(event)

    async def send(self, user_id: str, text: str, key: str, choices: Sequence[Choice] = ()) -> None:
        """Push a staff reply; ``key`` (stable across retries) becomes the X-Line-Retry-Key, so it shows once."""
        delivery = Delivery(to=user_id, reply_token=None, occurred_at_ms=0, key=key)
        await self._running().send(delivery, to_batches([TextMessage(text=text, choices=list(choices))]), self._clock.now())

    def install(self, server: web.Application, store: Store, kick: Callable[[], None]) -> None:
        """``POST /webhooks/line`` (stored with ``store``, then ``kick`` the ingest); the client lives as long as the server."""
        server.router.add_post(WEBHOOK_PATH, LineWebhook(self._config.secret, store, kick, self._clock, self._config.max_age).handle)
        server.cleanup_ctx.append(self._client_context)

    def _running(self) -> LineSender:
        if self._sender is None:
            raise DeliveryFailed("the LINE client is not running")
        return self._sender

    async def _client_context(self, server: web.Application) -> AsyncIterator[None]:
        config = self._config
        async with MessagingApi(config.api_base_url, config.access_token, config.delivery.request_timeout) as api, self._content:
            self._api, self._sender = api, LineSender(api, config.delivery)
            try:
                yield
            finally:
                await self.signs.idle()
                self._api = self._sender = None
