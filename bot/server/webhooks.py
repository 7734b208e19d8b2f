"""Platform webhooks go past the middleware chain: the two things they need of it are done here.

LINE and Telegram post every user's events from a few addresses (hundreds a
second in a broadcast) and wait for the 200 (LINE gives up after 2 s). Each
middleware is a call layer and a coroutine more per request; the webhooks
need only the body deadline (``slow.py``) and the 503 while the database is
away (``unavailable.py``). The others do not apply to them: the per-address
limit exempts them, no webhook handler looks at the client's address or
scheme that ``proxy.py`` rewrites, and each reads its one header (the
signature, the secret token) as bytes, readable or not. The security
headers are added to their answers as to every other (``on_response_prepare``).

This middleware comes first and calls the route's own handler directly.
"""

from __future__ import annotations

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from bot.server.slow import read_body
from bot.server.unavailable import UNREACHABLE, unavailable

PREFIX = "/webhooks/"  # the platforms' routes, and only theirs


def platform_webhooks(body_seconds: float) -> Middleware:
    @web.middleware
    async def straight_to_the_webhook(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith(PREFIX):
            return await handler(request)
        if request.body_exists:
            too_slow = await read_body(request, body_seconds)
            if too_slow is not None:
                return too_slow
        try:
            return await request.match_info.handler(request)
        except UNREACHABLE as error:
            return unavailable(request, error)

    return straight_to_the_webhook
