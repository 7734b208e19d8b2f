"""``POST /api/chat/upload``: a file the web chat visitor sends (a 企画書), as one turn like ``/api/chat``.

The body is ``multipart/form-data`` with one part named ``file``. It is read as a stream, never more
than the document limit into memory: beyond it the rest is read and dropped (up to ``DISCARD_LIMIT``,
so the browser sees the answer rather than a reset connection), and the core is told the file was too
large. The answer is the turn's, with 413 (too large) or 415 (not a kind kept) when the file is refused;
a body that is not such a form gets 400 and no turn.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from urllib.parse import unquote

from aiohttp import BodyPartReader, MultipartReader, web
from aiohttp.http_exceptions import HttpProcessingError

from bot.channels.web import CHANNEL
from bot.channels.web.replies import turn_response
from bot.channels.web.visitors import VisitorIds
from bot.core.documents import DocumentPolicy, check
from bot.core.messages import Attachment, Handler, Inbound, UserKey
from storage.web_history import SqlWebHistory

log = logging.getLogger(__name__)

PATH = "/api/chat/upload"
FIELD = "file"
MAX_PARTS = 4  # a browser sends one; a form with more is not ours
DISCARD_LIMIT = 64 * 1024 * 1024  # beyond this the connection is cut (413 without reading on)
CHUNK = 64 * 1024
REFUSED_STATUS = {"too_large": 413, "wrong_type": 415}


class BadUpload(ValueError):
    """Not a multipart form with a file part as the chat page sends it."""


def add_web_upload(
    server: web.Application, handle: Handler, history: SqlWebHistory, visitors: VisitorIds, policy: DocumentPolicy,
    body_seconds: float = 30.0,
) -> None:
    """``body_seconds``: the whole form must arrive within this long (the server's body deadline skips multipart)."""

    async def upload(request: web.Request) -> web.Response:
        try:
            async with asyncio.timeout(body_seconds):
                attachment = await _read_file(request, policy.max_bytes)
        except TimeoutError:
            log.info("an upload did not arrive within %s s: 408", body_seconds)
            return web.json_response({"error": "request body too slow"}, status=408, headers={"Connection": "close"})
        except BadUpload as error:
            return web.json_response({"error": str(error)}, status=400)
        except _TooMuch:
            raise web.HTTPRequestEntityTooLarge(max_size=DISCARD_LIMIT, actual_size=DISCARD_LIMIT + 1) from None
        visitor = visitors.of(request) or visitors.new()
        user = UserKey(channel=CHANNEL, user_id=visitor)
        replies = await handle(Inbound(user=user, not_text=True, document=attachment))
        await history.add(user, attachment.name or None, replies, datetime.now(UTC))
        found = check(attachment, policy)
        response = turn_response(replies, status=REFUSED_STATUS.get(found, 200))
        visitors.remember(response, request, visitor)
        return response

    server.router.add_post(PATH, upload)


class _TooMuch(Exception):
    """The body goes on past ``DISCARD_LIMIT``."""


async def _read_file(request: web.Request, max_bytes: int) -> Attachment:
    """The file part, its bytes when within ``max_bytes`` (else only how large it was)."""
    if request.content_type != "multipart/form-data":
        raise BadUpload("send multipart/form-data with a 'file' part")
    try:
        reader = await request.multipart()
        found: Attachment | None = None
        for _ in range(MAX_PARTS):
            part = await reader.next()
            if part is None:  # the closing boundary: the form is complete
                if found is None:
                    raise BadUpload("no 'file' part")
                return found
            if isinstance(part, MultipartReader):
                raise BadUpload("nested multipart")
            if found is None and part.name == FIELD and part.filename is not None:
                found = await _read_part(part, max_bytes)
            else:
                await part.release()
        raise BadUpload("too many parts")
    except (ValueError, AssertionError, asyncio.IncompleteReadError, EOFError, HttpProcessingError) as error:
        if isinstance(error, BadUpload):
            raise
        log.info("malformed upload: %s", type(error).__name__)
        raise BadUpload("malformed multipart body") from None


async def _read_part(part: BodyPartReader, max_bytes: int) -> Attachment:
    received, size = bytearray(), 0
    while not part.at_eof():  # a body cut short raises ValueError: the form is malformed
        chunk = await part.read_chunk(CHUNK)
        size += len(chunk)
        if size <= max_bytes:
            received += chunk
        elif size > DISCARD_LIMIT:
            raise _TooMuch
        else:
            received.clear()
    # Browsers send the name as UTF-8 with only '"' and line breaks percent-encoded; some clients (aiohttp) encode it all.
    name = unquote(part.filename or "")
    return Attachment(name=name, size=size, data=bytes(received) if size <= max_bytes else None)
