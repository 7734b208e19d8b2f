"""Signed short-lived links to the form: whose draft it is, and until when, under an HMAC.

The link is the only identity the page has (the user opened it from their own chat), so it names the
user, expires, and cannot be made or changed without the server's key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime, timedelta

from bot.core.messages import UserKey

FORM_PATH = "/form/"


class FormLinks:
    def __init__(self, key: bytes, base_url: str, lifetime: timedelta) -> None:
        self._key = hmac.new(key, b"kyoso form links", hashlib.sha256).digest()  # not the session key itself
        self._base_url = base_url.rstrip("/")
        self.lifetime = lifetime

    def link(self, user: UserKey, now: datetime) -> str:
        expires = int((now + self.lifetime).timestamp())
        payload = _encode(json.dumps([user.channel, user.user_id, expires], separators=(",", ":")).encode())
        return f"{self._base_url}{FORM_PATH}{payload}.{self._sign(payload)}"

    def read(self, token: str, now: datetime) -> UserKey | None:
        """The user a token was made for; None when it is forged, changed or expired."""
        payload, _, signature = token.partition(".")
        if not payload or not hmac.compare_digest(signature.encode(), self._sign(payload).encode()):
            return None
        try:
            channel, user_id, expires = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
            user = UserKey(channel=channel, user_id=user_id)
        except (ValueError, TypeError):
            return None
        return user if isinstance(expires, int) and now.timestamp() < expires else None

    def _sign(self, payload: str) -> str:
        return _encode(hmac.new(self._key, payload.encode(), hashlib.sha256).digest())


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")
