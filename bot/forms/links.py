"""Signed short-lived links to the form: whose draft it is, and until when, under an HMAC.

The link is the only identity the page has (the user opened it from their own chat), so it names the
user, expires, and cannot be made or changed without the server's key.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta

from bot.core.messages import UserKey
from bot.signing import Signer, unpadded_base64

FORM_PATH = "/form/"


class FormLinks:
    def __init__(self, key: bytes, base_url: str, lifetime: timedelta, app_links: dict[str, str] | None = None) -> None:
        self._signer = Signer(key, b"kyoso form links")
        self._base_url = base_url.rstrip("/")
        self.lifetime = lifetime
        self._app_links = app_links or {}  # channel -> the channel's own link to the form (LINE: the LIFF app)

    def link(self, user: UserKey, now: datetime) -> str:
        """What the chat shows: the channel's app when it has one (the platform tells the page who opened it),
        else a signed link."""
        return self._app_links.get(user.channel) or self._base_url + self.path(user, now)

    def signed(self, user: UserKey) -> bool:
        """Whether ``user``'s link is a signed one (it expires and opens their draft: only they may see it)."""
        return user.channel not in self._app_links

    def path(self, user: UserKey, now: datetime) -> str:
        """The signed form path of ``user``'s draft, valid for ``lifetime`` from ``now``."""
        expires = int((now + self.lifetime).timestamp())
        payload = unpadded_base64(json.dumps([user.channel, user.user_id, expires], separators=(",", ":")).encode())
        return FORM_PATH + self._signer.sign(payload)

    def read(self, token: str, now: datetime) -> UserKey | None:
        """The user a token was made for; None when it is forged, changed or expired."""
        payload = self._signer.unsign(token)
        if payload is None:
            return None
        try:
            channel, user_id, expires = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
            user = UserKey(channel=channel, user_id=user_id)
        except (ValueError, TypeError):
            return None
        return user if isinstance(expires, int) and now.timestamp() < expires else None
