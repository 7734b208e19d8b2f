"""Staff sessions in encrypted, authenticated cookies (Fernet), each carrying its CSRF token.

A session lasts ``max_age`` (12 hours) from the log-in; the page warns before it ends and the staff
member can extend it by another ``max_age`` (WCAG 2.2.1), which only a logged-in page can ask for.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import secrets
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path

from aiohttp import web
from cryptography.fernet import Fernet, InvalidToken

from bot.core.ports import Clock

log = logging.getLogger(__name__)

COOKIE = "kyoso_staff"


@dataclass
class Session:
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    staff: str | None = None
    temporary_password: bool = False
    issued_at: float = 0.0  # POSIX time of the log-in; the account may have ended sessions issued before a moment
    expires_at: float = 0.0  # POSIX time the session ends (set when it is first saved; extended on request)
    flash: str = ""  # a confirmation to show once on the next page (「状態を変更しました」)

    def ended_by(self, valid_after: datetime | None) -> bool:
        return valid_after is not None and self.issued_at < valid_after.timestamp()


class SessionCookies:
    """Sessions live only in the cookie: encrypted and authenticated, and refused once they have expired."""

    def __init__(self, secret: bytes, clock: Clock, max_age: timedelta = timedelta(hours=12)) -> None:
        self._fernet = Fernet(base64.urlsafe_b64encode(hashlib.sha256(secret).digest()))
        self._clock = clock
        self.max_age = max_age

    def _now(self) -> float:
        return self._clock.now().timestamp()

    def load(self, request: web.Request) -> Session | None:
        token = request.cookies.get(COOKIE)
        if not token:
            return None
        now = self._now()
        try:
            # Every cookie was written within max_age (a save writes a new one): older ones are refused unread.
            data = json.loads(self._fernet.decrypt_at_time(token, int(self.max_age.total_seconds()), int(now)))
            session = Session(**data)
        except (InvalidToken, ValueError, TypeError):
            return None
        return session if session.expires_at == 0 or now < session.expires_at else None

    def extended(self, session: Session) -> Session:
        """The same session, ending ``max_age`` from now."""
        return replace(session, expires_at=self._now() + self.max_age.total_seconds())

    def seconds_left(self, session: Session) -> int:
        return max(0, int(session.expires_at - self._now())) if session.expires_at else int(self.max_age.total_seconds())

    def save(self, response: web.StreamResponse, session: Session, path: str, secure: bool) -> None:
        if session.staff is not None and not session.expires_at:
            session = self.extended(session)  # a new log-in
        token = self._fernet.encrypt_at_time(json.dumps(asdict(session)).encode(), int(self._now()))
        response.set_cookie(
            COOKIE,
            token.decode(),
            max_age=self.seconds_left(session),
            path=path,
            httponly=True,
            samesite="Lax",  # Strict would drop the session on links from staff mail
            secure=secure,
        )


def server_secret(configured: bytes) -> bytes:
    """KYOSO_SESSION_SECRET, or the development secret (the console's sessions and the web chat's visitor ids)."""
    return configured or dev_session_secret(Path.cwd() / "var" / "staff-session.key")


def dev_session_secret(path: Path) -> bytes:
    """A secret kept in ``path`` (made on first use) for development; production sets KYOSO_SESSION_SECRET."""
    log.warning("KYOSO_SESSION_SECRET is not set: using the development secret in %s", path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip().encode()


COOKIES = web.AppKey("cookies", SessionCookies)
