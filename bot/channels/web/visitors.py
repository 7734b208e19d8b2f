"""Web-chat visitor ids the server issued: random, signed (HMAC), in a cookie nobody else can set.

The cookie carries ``<id>.<signature>``; only the id is the conversation's
user id. A cookie the server did not sign (planted, guessed, copied from an
old dossier) names nobody: the visitor gets a fresh id. Behind HTTPS the cookie
is ``Secure`` and named with the ``__Host-`` prefix, so neither plain HTTP nor
a sibling subdomain can plant one.
"""

from __future__ import annotations

import secrets

from aiohttp import web

from bot.signing import Signer

COOKIE = "kyoso_web"
SECURE_COOKIE = "__Host-" + COOKIE
MAX_AGE = 180 * 24 * 3600
_ID_BYTES = 18  # 24 URL-safe characters


class VisitorIds:
    def __init__(self, secret: bytes) -> None:
        self._signer = Signer(secret, b"kyoso web visitor id")

    def of(self, request: web.Request) -> str | None:
        """The visitor id the request's cookie proves, or None (no cookie, or one the server did not sign)."""
        return self._signer.unsign(request.cookies.get(SECURE_COOKIE if request.secure else COOKIE, ""))

    def new(self) -> str:
        return secrets.token_urlsafe(_ID_BYTES)

    def cookie_value(self, visitor: str) -> str:
        return self._signer.sign(visitor)

    def remember(self, response: web.StreamResponse, request: web.Request, visitor: str) -> None:
        value = self.cookie_value(visitor)
        if request.secure:
            response.set_cookie(SECURE_COOKIE, value, max_age=MAX_AGE, path="/", httponly=True, samesite="Lax", secure=True)
        else:
            response.set_cookie(COOKIE, value, max_age=MAX_AGE, path="/", httponly=True, samesite="Lax")


VISITORS = web.AppKey("visitors", VisitorIds)
