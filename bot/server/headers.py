"""Request headers the server cannot read are refused with 400 before any handler sees them.

aiohttp keeps header bytes that are not UTF-8 as lone surrogates; a handler
that encodes such a value (a secret to compare, a cookie to store) would fail
with a 500. No browser or platform sends them, so one log line is enough.
"""

from __future__ import annotations

import logging

from aiohttp import web
from aiohttp.typedefs import Handler

log = logging.getLogger(__name__)


@web.middleware
async def readable_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    for name, value in request.headers.items():
        if not value.isascii() and not _is_utf8(value):
            log.info("refused a request whose %s header is not UTF-8", name if name.isascii() else "(unreadable)")
            return web.json_response({"error": "request headers must be UTF-8"}, status=400)
    return await handler(request)


def _is_utf8(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
