"""503 while the database is away: the platforms redeliver what was not acknowledged.

A webhook answers 200 only after its events are stored; when storing fails
because the database cannot be reached, the answer is 503 with
``Retry-After``, nothing is half-written (the insert is one transaction), and
LINE and Telegram send the events again later.
"""

from __future__ import annotations

import logging

from aiohttp import web
from aiohttp.typedefs import Handler
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
UNREACHABLE = (DBAPIError, PoolTimeout, OSError)  # asyncpg raises a bare OSError when it cannot connect


@web.middleware
async def database_unavailable(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except UNREACHABLE as error:
        return unavailable(request, error)


def unavailable(request: web.Request, error: Exception) -> web.Response:
    """The answer to a request that failed because the database could not be reached."""
    log.warning("database unavailable on %s %s: %s", request.method, request.path, type(error).__name__)
    return web.json_response(
        {"message": "temporarily unavailable, try again later"},
        status=503,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )
