"""Behind a trusted reverse proxy: the client's address and scheme come from its X-Forwarded-* headers.

Only the proxies named in ``KYOSO_TRUSTED_PROXIES`` are believed; from anyone
else the headers are ignored, so a client cannot pick its own address (to dodge
the per-address limit) or pretend to use HTTPS.
"""

from __future__ import annotations

from ipaddress import ip_address

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware


def forwarded(trusted_proxies: frozenset[str]) -> Middleware:
    @web.middleware
    async def from_proxy(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.remote not in trusted_proxies:
            return await handler(request)
        client = _last_address(request.headers.get("X-Forwarded-For", ""))
        if client is not None:
            request = request.clone(remote=client)
        scheme = request.headers.get("X-Forwarded-Proto", "").split(",")[-1].strip().lower()
        if scheme in ("http", "https"):
            request = request.clone(scheme=scheme)
        return await handler(request)

    return from_proxy


def _last_address(header: str) -> str | None:
    """The address the trusted proxy added (the last one); earlier ones were written by the client."""
    candidate = header.split(",")[-1].strip()
    try:
        return str(ip_address(candidate)) if candidate else None
    except ValueError:
        return None
