"""The Messaging API calls of the bot's turns (reply, push, loading animation, mark as read), over aiohttp.

The JSON is what ``messages.py`` builds (a test reads it back through the
line-bot-sdk's models). Not the SDK's client: per worker it cost 33 MB of
memory for its models, about 1 ms of CPU per reply to build and serialize
them, and 0.7 ms per call for looking up ~/.netrc and the proxy variables
in a thread again each time. The proxy of the environment is looked up
once here. The rich menu (``kyoso line richmenu``) still uses the SDK.
"""

from __future__ import annotations

import json
import urllib.request
from urllib.parse import urlsplit

import aiohttp

REPLY_PATH, PUSH_PATH = "/v2/bot/message/reply", "/v2/bot/message/push"
LOADING_PATH, MARK_READ_PATH = "/v2/bot/chat/loading/start", "/v2/bot/chat/markAsRead"


class LineApiError(Exception):
    """LINE answered with an error status; ``body`` is its answer as text."""

    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"HTTP {status}: {body[:200]}")
        self.status = status
        self.body = body


class MessagingApi:
    def __init__(self, base_url: str, access_token: str, request_timeout: float) -> None:
        self._base_url = base_url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {access_token}", "Content-Type": "application/json"}
        self._timeout = aiohttp.ClientTimeout(total=request_timeout)
        self._proxy = proxy_for(base_url)
        self._http: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> MessagingApi:
        self._http = aiohttp.ClientSession(timeout=self._timeout, json_serialize=_compact)
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._http is not None:
            await self._http.close()
            self._http = None

    async def post(self, path: str, body: dict[str, object], retry_key: str | None = None) -> None:
        """Raises ``LineApiError`` for an error answer; timeouts and network errors as aiohttp raises them."""
        if self._http is None:
            raise RuntimeError("the LINE client is not open")
        headers = self._headers if retry_key is None else {**self._headers, "X-Line-Retry-Key": retry_key}
        async with self._http.post(self._base_url + path, json=body, headers=headers, proxy=self._proxy) as answer:
            text = await answer.text()
            if not 200 <= answer.status < 300:
                raise LineApiError(answer.status, text)


def proxy_for(url: str) -> str | None:
    """The proxy the environment names for ``url`` (HTTPS_PROXY, NO_PROXY …), or None."""
    parts = urlsplit(url)
    if urllib.request.proxy_bypass(parts.hostname or ""):
        return None
    return urllib.request.getproxies().get(parts.scheme)


def _compact(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
