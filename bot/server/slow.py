"""Slow clients are cut off: a request body must arrive within ``KYOSO_HTTP_BODY_SECONDS``.

aiohttp itself closes a connection whose request headers do not arrive within
its keep-alive timeout (``KYOSO_HTTP_IDLE_SECONDS``, set in ``run.py``), but it
waits for a body as long as the client trickles it. The body is read here,
under a deadline, and kept for the handler (``request.read()`` caches it). A
small body (a webhook's, a chat turn's) usually came with the headers: then
it is taken as it is, without a timer.
"""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

log = logging.getLogger(__name__)


def body_deadline(seconds: float) -> Middleware:
    @web.middleware
    async def read_in_time(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.body_exists and not request.content_type.startswith("multipart/"):
            too_slow = await read_body(request, seconds)
            if too_slow is not None:
                return too_slow
        return await handler(request)

    return read_in_time


async def read_body(request: web.Request, seconds: float) -> web.Response | None:
    """Read (and keep) the whole body; a 408 answer when it did not arrive within ``seconds``."""
    if request.content.is_eof():
        await request.read()  # all there: nothing to wait for
        return None
    try:
        async with asyncio.timeout(seconds):
            await request.read()
    except TimeoutError:
        log.info("a request body did not arrive within %s s: 408", seconds)
        return web.json_response({"error": "request body too slow"}, status=408, headers={"Connection": "close"})
    return None
