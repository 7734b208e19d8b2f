"""Per-address limit on what browsers post (web chat turns, staff log-ins): a polite 429, not a fall-over.

Platform webhooks are exempt (they go past this middleware: ``webhooks.py``):
LINE and Telegram deliver every user's events from a few addresses, and their
users are limited one by one in the core (``bot.core.throttle``). The counts
are per worker process, so N workers allow N times the limit; that bounds
abuse, which is all this is for.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

Clock = Callable[[], float]


@dataclass
class AddressLimiter:
    """A token bucket per client address; the least recently seen addresses are forgotten beyond ``max_tracked``."""

    per_minute: int
    clock: Clock
    max_tracked: int = 100_000
    _buckets: OrderedDict[str, tuple[float, float]] = field(default_factory=OrderedDict)

    def allow(self, address: str) -> bool:
        now = self.clock()
        tokens, since = self._buckets.pop(address, (float(self.per_minute), now))
        tokens = min(float(self.per_minute), tokens + (now - since) * self.per_minute / 60)
        allowed = tokens >= 1
        self._buckets[address] = (tokens - 1 if allowed else tokens, now)
        while len(self._buckets) > self.max_tracked:
            self._buckets.popitem(last=False)
        return allowed


def address_limit(limiter: AddressLimiter, notice: Callable[[], str]) -> Middleware:
    """Middleware: POSTs count against the client's address (see ``bot.server.proxy``).

    ``notice`` gives the current wording of the polite refusal (content follows edits).
    """

    @web.middleware
    async def limit(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.method != "POST":
            return await handler(request)
        if limiter.allow(request.remote or ""):
            return await handler(request)
        return _too_many(request, notice())

    return limit


def _too_many(request: web.Request, notice: str) -> web.Response:
    headers = {"Retry-After": "60"}
    if request.path.startswith("/api/"):
        # The web chat shows this like any reply.
        body = {"messages": [{"kind": "text", "text": notice, "choices": []}]}
        return web.json_response(body, status=429, headers=headers, dumps=lambda value: json.dumps(value, ensure_ascii=False))
    return web.Response(text=notice, status=429, headers=headers, content_type="text/plain", charset="utf-8")
