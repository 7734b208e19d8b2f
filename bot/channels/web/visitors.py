"""Web-chat visitor ids the server issued: random, signed (HMAC), in a cookie nobody else can set.

The cookie carries ``<id>.<signature>``; only the id is the conversation's
user id. A cookie the server did not sign (planted, guessed, copied from an
old dossier) names nobody: the visitor gets a fresh id. Behind HTTPS the cookie
is ``Secure`` and named with the ``__Host-`` prefix, so neither plain HTTP nor
a sibling subdomain can plant one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from aiohttp import web

COOKIE = "kyoso_web"
SECURE_COOKIE = "__Host-" + COOKIE
MAX_AGE = 180 * 24 * 3600
_ID_BYTES = 18  # 24 URL-safe characters


class VisitorIds:
    def __init__(self, secret: bytes) -> None:
        self._key = hmac.new(secret, b"kyoso web visitor id", hashlib.sha256).digest()  # not the session key itself

    def of(self, request: web.Request) -> str | None:
        """The visitor id the request's cookie proves, or None (no cookie, or one the server did not sign)."""
        cookie = request.cookies.get(SECURE_COOKIE if request.secure else COOKIE, "")
        visitor, _, signature = cookie.partition(".")
        if not visitor or not hmac.compare_digest(signature.encode(), self._sign(visitor).encode()):
            return None
        return visitor

    def new(self) -> str:
        return secrets.token_urlsafe(_ID_BYTES)

    def cookie_value(self, visitor: str) -> str:
        return f"{visitor}.{self._sign(visitor)}"

    def remember(self, response: web.StreamResponse, request: web.Request, visitor: str) -> None:
        value = self.cookie_value(visitor)
        if request.secure:
            response.set_cookie(SECURE_COOKIE, value, max_age=MAX_AGE, path="/", httponly=True, samesite="Lax", secure=True)
        else:
            response.set_cookie(COOKIE, value, max_age=MAX_AGE, path="/", httponly=True, samesite="Lax")

    def _sign(self, visitor: str) -> str:
        digest = hmac.new(self._key, visitor.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


VISITORS = web.AppKey("visitors", VisitorIds)
