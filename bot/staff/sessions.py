"""Staff sessions in encrypted, authenticated cookies (Fernet), each carrying its CSRF token."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import secrets
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from aiohttp import web
from cryptography.fernet import Fernet, InvalidToken

log = logging.getLogger(__name__)

COOKIE = "kyoso_staff"


@dataclass
class Session:
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    staff: str | None = None
    temporary_password: bool = False
    issued_at: float = 0.0  # POSIX time of the log-in; the account may have ended sessions issued before a moment

    def ended_by(self, valid_after: datetime | None) -> bool:
        return valid_after is not None and self.issued_at < valid_after.timestamp()


class SessionCookies:
    """Sessions live only in the cookie: encrypted and authenticated, and refused after ``max_age``."""

    def __init__(self, secret: bytes, max_age: timedelta = timedelta(hours=12)) -> None:
        self._fernet = Fernet(base64.urlsafe_b64encode(hashlib.sha256(secret).digest()))
        self._max_age = max_age

    def load(self, request: web.Request) -> Session | None:
        token = request.cookies.get(COOKIE)
        if not token:
            return None
        try:
            data = json.loads(self._fernet.decrypt(token, ttl=int(self._max_age.total_seconds())))
            return Session(**data)
        except (InvalidToken, ValueError, TypeError):
            return None

    def save(self, response: web.StreamResponse, session: Session, path: str, secure: bool) -> None:
        response.set_cookie(
            COOKIE,
            self._fernet.encrypt(json.dumps(asdict(session)).encode()).decode(),
            max_age=int(self._max_age.total_seconds()),
            path=path,
            httponly=True,
            samesite="Lax",  # Strict would drop the session on links from staff mail
            secure=secure,
        )


def dev_session_secret(path: Path) -> bytes:
    """A secret kept in ``path`` (made on first use) for development; production sets KYOSO_SESSION_SECRET."""
    log.warning("KYOSO_SESSION_SECRET is not set: using the development secret in %s", path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip().encode()


COOKIES = web.AppKey("cookies", SessionCookies)
