"""Headers in and out: unreadable request headers get 400; every response gets the security headers.

aiohttp keeps header bytes that are not UTF-8 as lone surrogates; a handler
that encodes such a value (a secret to compare, a cookie to store) would fail
with a 500. No browser or platform sends them, so one log line is enough.

The web chat shares its origin with the staff console, so its pages and API
answers carry the same protections (the console's own pages set stricter ones
first): a CSP for HTML that allows only this origin's files, none at all for
JSON, no framing, no sniffing, no referrer beyond this origin, and a
``Server`` header that does not name the aiohttp version.
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


PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
DATA_POLICY = "default-src 'none'; frame-ancestors 'none'"
_ALWAYS = {"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin"}


async def security_headers(request: web.Request, response: web.StreamResponse) -> None:
    """``on_response_prepare``: every answer, errors included, before it is sent."""
    headers = response.headers
    headers["Server"] = "kyoso"
    for name, value in _ALWAYS.items():
        headers.setdefault(name, value)
    headers.setdefault("Content-Security-Policy", PAGE_POLICY if response.content_type == "text/html" else DATA_POLICY)
