"""Files and images sent on LINE: fetched from the message content API before the turn, within the size limit.

``GET https://api-data.line.me/v2/bot/message/{id}/content`` (the data host; a test's
``LINE_API_BASE_URL`` serves both). LINE keeps content for a limited time only: a file it no longer
has (404) reaches the core without its bytes, and the user is asked to send it again. Any other
failure raises, so the ingest tries the event again later.
"""

from __future__ import annotations

from typing import Any

import aiohttp

from bot.channels.attachments import fetched
from bot.channels.line.api import proxy_for
from bot.core.messages import Attachment, Inbound, UserKey
from bot.ingest.turns import Said

CONTENT_PATH = "/v2/bot/message/{message_id}/content"
FETCHED_KINDS = ("file", "image")
GONE = (400, 404, 410)  # LINE answers 404 for content past its keeping time, 400 for an id it never had


class ContentUnavailable(Exception):
    """LINE answered with an error that a later try may not have (raised: the event is tried again)."""


def data_host(api_base_url: str) -> str:
    """LINE serves content from api-data.line.me; any other base URL (an emulator) serves both."""
    return api_base_url.rstrip("/").replace("://api.line.me", "://api-data.line.me")


def attachment_of(message: dict[str, Any]) -> Attachment | None:
    """A file or image message as an attachment to fetch (None for other messages, or one LINE does not host)."""
    kind, message_id = message.get("type"), message.get("id")
    if kind not in FETCHED_KINDS or not isinstance(message_id, str) or not message_id:
        return None
    provider = message.get("contentProvider")
    if kind == "image" and isinstance(provider, dict) and provider.get("type") != "line":
        return Attachment()  # an image on another server (originalContentUrl): not fetched, answered as unavailable
    name, size = message.get("fileName"), message.get("fileSize")
    return Attachment(
        name=name if isinstance(name, str) else "", size=size if isinstance(size, int) and size >= 0 else None,
        ref=message_id[:256],
    )


class LineContent:
    """Fetches the bytes of the attachments a stored event's inputs carry; lives as long as the LINE client."""

    def __init__(self, api_base_url: str, access_token: str, timeout: float, max_bytes: int) -> None:
        self._base_url = data_host(api_base_url)
        self._headers = {"Authorization": f"Bearer {access_token}"}
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._proxy = proxy_for(self._base_url)
        self._max_bytes = max_bytes
        self._http: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> LineContent:
        self._http = aiohttp.ClientSession(timeout=self._timeout)
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._http is not None:
            await self._http.close()
            self._http = None

    async def fetched(self, said: Said) -> Said:
        """``said`` with each attachment's bytes (or, when too large or gone, without them)."""
        return await fetched(said, self._fetch, self._max_bytes)

    async def _fetch(self, document: Attachment, message_id: str) -> Attachment:
        data, size = await self._download(message_id)
        return document.model_copy(update={"data": data, "size": size})

    async def _download(self, message_id: str) -> tuple[bytes | None, int | None]:
        """The bytes, or (None, size so far) beyond the limit, or (None, None) when LINE no longer has them."""
        if self._http is None:
            raise ContentUnavailable("the LINE client is not running")
        url = self._base_url + CONTENT_PATH.format(message_id=message_id)
        async with self._http.get(url, headers=self._headers, proxy=self._proxy) as answer:
            if answer.status in GONE:
                return None, None
            if answer.status != 200:
                raise ContentUnavailable(f"HTTP {answer.status} for the content of a message")
            received = bytearray()
            async for chunk in answer.content.iter_chunked(64 * 1024):
                received += chunk
                if len(received) > self._max_bytes:
                    return None, len(received)
            return bytes(received), len(received)


def file_inbound(user: UserKey, message: dict[str, Any]) -> Inbound:
    """A message that is not text: a document to keep when it is a file or image, else just "not text"."""
    return Inbound(user=user, not_text=True, document=attachment_of(message))
