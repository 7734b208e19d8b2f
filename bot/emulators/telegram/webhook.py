"""Pushing updates to the bot's webhook like Telegram: one at a time per chat, chats in parallel, retried until taken.

A failed delivery (non-2xx, a timeout, a refused connection) is sent again
with the same ``update_id``; later updates of that chat wait behind it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp

from bot.emulators.telegram.updates import PendingUpdates

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WebhookPolicy:
    retry_delays: tuple[float, ...] = (1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 60.0)
    """Waits between attempts; after the last one the update is dropped, as Telegram eventually does."""
    request_timeout: float = 10.0


@dataclass
class Webhook:
    url: str
    secret_token: str | None
    max_connections: int
    allowed_updates: list[str] | None
    last_error_date: int | None = None
    last_error_message: str | None = None

    def info(self, pending: int) -> dict[str, Any]:
        body: dict[str, Any] = {
            "url": self.url, "has_custom_certificate": False, "pending_update_count": pending,
            "max_connections": self.max_connections,
        }
        if self.allowed_updates:
            body["allowed_updates"] = self.allowed_updates
        if self.last_error_date is not None:
            body["last_error_date"] = self.last_error_date
            body["last_error_message"] = self.last_error_message
        return body


def chat_of(update: dict[str, Any]) -> int | None:
    """The chat an update belongs to (its ordering lane)."""
    for value in update.values():
        if isinstance(value, dict):
            message = value.get("message", value)
            chat = message.get("chat") if isinstance(message, dict) else None
            if isinstance(chat, dict):
                return int(chat["id"])
    return None


class WebhookDelivery:
    """Runs while a webhook is set; ``wake()`` after new updates arrive."""

    def __init__(self, webhook: Webhook, pending: PendingUpdates, policy: WebhookPolicy,
                 delivered: Callable[[dict[str, Any]], Awaitable[None]]) -> None:
        self._webhook = webhook
        self._pending = pending
        self._policy = policy
        self._delivered = delivered
        self._lanes: dict[int | None, asyncio.Task[None]] = {}
        self._slots = asyncio.Semaphore(webhook.max_connections)
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=policy.request_timeout))

    def wake(self) -> None:
        for update in self._pending.items():
            lane = chat_of(update)
            if lane not in self._lanes:
                self._lanes[lane] = asyncio.create_task(self._run_lane(lane))

    async def close(self) -> None:
        for task in self._lanes.values():
            task.cancel()
        await asyncio.gather(*self._lanes.values(), return_exceptions=True)
        self._lanes.clear()
        await self._session.close()

    async def _run_lane(self, lane: int | None) -> None:
        try:
            while (update := next((u for u in self._pending.items() if chat_of(u) == lane), None)) is not None:
                await self._deliver(update)
                await self._pending.remove(update["update_id"])
        finally:
            self._lanes.pop(lane, None)

    async def _deliver(self, update: dict[str, Any]) -> None:
        body = json.dumps(update, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json"}
        if self._webhook.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = self._webhook.secret_token
        for delay in (*self._policy.retry_delays, None):
            async with self._slots:
                error = await self._post(body, headers)
            if error is None:
                await self._delivered(update)
                return
            self._webhook.last_error_date, self._webhook.last_error_message = int(time.time()), error
            if delay is None:
                log.warning("dropping update %s after %s", update["update_id"], error)
                return
            await asyncio.sleep(delay)

    async def _post(self, body: bytes, headers: dict[str, str]) -> str | None:
        """None when the bot took the update, else the reason getWebhookInfo reports."""
        try:
            async with self._session.post(self._webhook.url, data=body, headers=headers) as response:
                if 200 <= response.status < 300:
                    return None
                return f"Wrong response from the webhook: {response.status} {response.reason}"
        except TimeoutError:
            return "Read timeout expired"
        except aiohttp.ClientError as error:
            return f"Connection failed: {error}"
