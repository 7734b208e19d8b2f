"""Text signed with an HMAC: ``<text>.<signature>``, under a key derived from a secret for one purpose.

The web chat's visitor ids and the form's links both hand a value to the browser and must know it
back as their own; a purpose keeps one kind of token from passing for the other, and neither is the
secret itself.
"""

from __future__ import annotations

import base64
import hashlib
import hmac


class Signer:
    def __init__(self, secret: bytes, purpose: bytes) -> None:
        self._key = hmac.new(secret, purpose, hashlib.sha256).digest()

    def sign(self, text: str) -> str:
        """``text`` (which holds no ".") with its signature."""
        return f"{text}.{self._signature(text)}"

    def unsign(self, token: str) -> str | None:
        """The text a token was signed for; None when it is empty, forged or changed."""
        text, _, signature = token.partition(".")
        if not text or not hmac.compare_digest(signature.encode(), self._signature(text).encode()):
            return None
        return text

    def _signature(self, text: str) -> str:
        return unpadded_base64(hmac.new(self._key, text.encode(), hashlib.sha256).digest())


def unpadded_base64(raw: bytes) -> str:
    """URL-safe base64 without the trailing "=" (safe in cookies and URL paths)."""
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")
