"""Wiring the LINE channel into the server: the webhook route and the API client's lifetime."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

from aiohttp import web
from linebot.v3 import WebhookParser
from linebot.v3.messaging import AsyncApiClient, AsyncMessagingApi, Configuration

from bot.channels.line import CHANNEL
from bot.channels.line.delivery import Delivery, DeliveryFailed, LineSender, RetryPolicy
from bot.channels.line.messages import to_batches
from bot.channels.line.processor import LineProcessor
from bot.channels.line.webhook import LineWebhook
from bot.core.messages import Choice, Handler, TextMessage
from bot.core.ports import Clock
from bot.ingest.batching import GroupCommit
from bot.ingest.events import StoredEvent
from bot.ingest.worker import Ingest, Processor
from storage.events import SqlEventLog

WEBHOOK_PATH = "/webhooks/line"


class LineChannel:
    """Owns the SDK client (it must be created inside the running event loop).

    It is also the staff side's messenger for LINE: ``send`` pushes a staff reply.
    """

    channel = CHANNEL

    def __init__(
        self, secret: str, access_token: str, api_base_url: str, handle: Handler, events: SqlEventLog,
        clock: Clock, one_to_one: str, retry: RetryPolicy,
    ) -> None:
        self._parser = WebhookParser(secret)
        self._configuration = Configuration(host=api_base_url, access_token=access_token)
        self._handle = handle
        self._events = events
        self._clock = clock
        self._one_to_one = one_to_one
        self._retry = retry
        self._processor: LineProcessor | None = None
        self._sender: LineSender | None = None

    async def process(self, event: StoredEvent) -> None:
        assert self._processor is not None, "the LINE client is not running"
        await self._processor(event)

    async def send(self, user_id: str, text: str, key: str, choices: Sequence[Choice] = ()) -> None:
        """Push a staff reply; ``key`` (stable across retries) becomes the X-Line-Retry-Key, so it shows once."""
        if self._sender is None:
            raise DeliveryFailed("the LINE client is not running")
        delivery = Delivery(to=user_id, reply_token=None, occurred_at_ms=0, key=key)
        await self._sender.send(delivery, to_batches([TextMessage(text=text, choices=list(choices))]), self._clock.now())

    def install(self, server: web.Application, ingest: Ingest, processors: dict[str, Processor]) -> None:
        """Add the webhook route and this channel's processor; the client lives as long as the server."""
        processors[CHANNEL] = self.process
        server.router.add_post(WEBHOOK_PATH, LineWebhook(self._parser, GroupCommit(self._events.add).add, ingest.kick, self._clock).handle)
        server.cleanup_ctx.append(self._client_context)

    async def _client_context(self, server: web.Application) -> AsyncIterator[None]:
        async with AsyncApiClient(self._configuration) as client:
            sender = self._sender = LineSender(AsyncMessagingApi(client), self._retry)
            self._processor = LineProcessor(self._handle, sender, self._events, self._events, self._clock, self._one_to_one)
            yield
            self._processor = self._sender = None
