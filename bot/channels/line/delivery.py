"""Sending a turn's messages to LINE: the reply token first, push as the fallback, bounded retries.

LINE takes a reply token once, so the token is the reply's idempotency key:
after a reply that may have reached the platform (a 5xx, a timeout, a dropped
connection, or a process that died while sending) the same reply
is sent again, and "Invalid reply token" then means the earlier one got
through. Push carries an ``X-Line-Retry-Key`` derived from the event, so a
retried push, even after a restart, is delivered at most once (409 = already
accepted).
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.channels.line.api import PUSH_PATH, REPLY_PATH, LineApiError, MessagingApi
from bot.channels.line.messages import Message
from bot.core.required import required
from bot.ingest.turns import PartlySent
from bot.retry import RetryPolicy

log = logging.getLogger(__name__)

_RETRY_KEYS = uuid.UUID("6b796f73-6f00-4c49-4e45-000000000001")
_INVALID_TOKEN = "Invalid reply token"


class DeliveryFailed(Exception):
    """LINE did not take the messages within the retry budget; the event is retried later."""


LINE_RETRY = RetryPolicy(max_attempts=6, first_delay=timedelta(seconds=0.5))  # waits 0.5, 1, 2, 4, 8 s between tries


@dataclass(frozen=True)
class DeliveryPolicy:
    retry: RetryPolicy = LINE_RETRY
    request_timeout: float = 10.0
    reply_window_seconds: float = 50.0  # LINE keeps a reply token for about a minute
    loading_after: float = 1.0  # the loading animation shows when a turn has run this long without its answer (bot/channels/line/signs.py)


@dataclass(frozen=True)
class Delivery:
    """Where a turn's answer goes: ``to`` for push, ``reply_token`` while it is fresh."""

    to: str
    reply_token: str | None
    occurred_at_ms: int
    key: str
    resumed: bool = False  # an earlier attempt may have used the reply token


class LineSender:
    def __init__(self, api: MessagingApi, policy: DeliveryPolicy = DeliveryPolicy()) -> None:
        self._api = api
        self._policy = policy

    async def send(self, delivery: Delivery, batches: Sequence[list[Message]], now: datetime, first: int = 0) -> None:
        """Send ``batches[first:]`` (an earlier attempt sent the ones before); ``PartlySent`` when only some went out."""
        token_left = self._token_seconds_left(delivery, now)
        for index in range(first, len(batches)):
            batch = batches[index]
            try:
                if index == 0 and token_left > 0 and await self._reply(delivery, batch, time.monotonic() + token_left):
                    continue
                await self._push(delivery, batch, retry_key=str(uuid.uuid5(_RETRY_KEYS, f"{delivery.key}/{index}")))
            except DeliveryFailed as failed:
                if index == first:
                    raise
                raise PartlySent(index - first) from failed

    def _token_seconds_left(self, delivery: Delivery, now: datetime) -> float:
        if delivery.reply_token is None:
            return 0.0
        return self._policy.reply_window_seconds - (now.timestamp() - delivery.occurred_at_ms / 1000)

    async def _reply(self, delivery: Delivery, batch: list[Message], token_deadline: float) -> bool:
        """True when LINE has the reply (now or from an earlier try); False means: push instead.

        ``token_deadline`` (``time.monotonic()``) is when the reply token stops being safe to use.
        """
        request: dict[str, object] = {"replyToken": required(delivery.reply_token, "the reply token"), "messages": batch}
        maybe_sent = delivery.resumed
        for delay in (*self._policy.retry.delays(), None):
            try:
                await self._api.post(REPLY_PATH, request)
                return True
            except LineApiError as error:
                if maybe_sent and error.status == 400 and _INVALID_TOKEN in str(error.body):
                    log.info("reply token to %s already used: an earlier reply got through", delivery.to)
                    return True
                if error.status != 429 and error.status < 500:  # refused: nothing was sent
                    log.info("reply to %s failed (%s), pushing instead", delivery.to, error.status)
                    return False
                maybe_sent = maybe_sent or error.status != 429  # only a 429 certainly sent nothing
            except Exception as error:  # noqa: BLE001 - timeouts, resets, unreadable answers: maybe sent
                log.info("reply to %s may have failed (%s), trying the same token again", delivery.to, type(error).__name__)
                maybe_sent = True
            if delay is None or time.monotonic() + delay >= token_deadline:
                break
            await asyncio.sleep(delay)
        return False

    async def _push(self, delivery: Delivery, batch: list[Message], retry_key: str) -> None:
        request: dict[str, object] = {"to": delivery.to, "messages": batch}
        reason = ""
        for delay in (*self._policy.retry.delays(), None):
            try:
                await self._api.post(PUSH_PATH, request, retry_key)
                return
            except LineApiError as error:
                if error.status == 409:  # this retry key was accepted before: delivered
                    return
                reason = f"HTTP {error.status}: {error.body!r}"
                if error.status != 429 and error.status < 500:
                    break
            except Exception as error:  # noqa: BLE001 - network failures surface as raw aiohttp/asyncio errors
                reason = type(error).__name__
            if delay is not None:
                await asyncio.sleep(delay)
        log.error("push to %s gave up: %s", delivery.to, reason)
        raise DeliveryFailed(reason)
