"""Who opened the form on LINE: the LIFF ID token the page got from LINE, checked by LINE's verify endpoint.

Never a profile the page sends: a page can send anything, an ID token only LINE can sign. LINE checks the
signature, the expiry and that the token was made for our LINE Login channel (``client_id``); we check again
that it names that channel and a LINE user. The user id is the one the Messaging API uses when the LINE Login
channel and the bot's channel are under the same provider.
"""

from __future__ import annotations

import aiohttp

from bot.channels.line.api import proxy_for

VERIFY_PATH = "/oauth2/v2.1/verify"
ISSUER = "https://access.line.me"


class LiffUnavailable(Exception):
    """LINE's verify endpoint could not be asked (network, timeout, 5xx): not the user's fault."""


class LiffIdentity:
    def __init__(self, liff_id: str, api_base_url: str, request_timeout: float = 10.0) -> None:
        self.liff_id = liff_id
        self.channel_id = liff_id.split("-", 1)[0]  # LINE's LIFF ids are "<LINE Login channel id>-<suffix>"
        self._url = api_base_url.rstrip("/") + VERIFY_PATH
        self._timeout = aiohttp.ClientTimeout(total=request_timeout)
        self._proxy = proxy_for(api_base_url)

    @property
    def app_url(self) -> str:
        """The link that opens the LIFF app (in the LINE app on a phone, in the browser elsewhere)."""
        return f"https://liff.line.me/{self.liff_id}"

    async def user_id(self, id_token: str) -> str | None:
        """The LINE user an ID token was issued to; None when LINE refuses it (forged, changed, expired, not ours)."""
        if not id_token or len(id_token) > 4096:
            return None
        data = {"id_token": id_token, "client_id": self.channel_id}
        try:
            async with aiohttp.ClientSession(timeout=self._timeout) as http, \
                    http.post(self._url, data=data, proxy=self._proxy) as answer:
                if 400 <= answer.status < 500:
                    return None
                if answer.status != 200:
                    raise LiffUnavailable(f"HTTP {answer.status}")
                claims = await answer.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as error:
            raise LiffUnavailable(type(error).__name__) from error
        if not isinstance(claims, dict) or claims.get("aud") != self.channel_id or claims.get("iss") != ISSUER:
            return None
        user = claims.get("sub")
        return user if isinstance(user, str) and user.startswith("U") else None
