"""Per-request helpers shared by the guard and the views: the session, the services, forms, rendering, URLs."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from aiohttp import web
from jinja2 import Environment

from bot.staff.services import StaffServices
from bot.staff.sessions import COOKIES, Session

NOTE_MAX = 4000
REPLY_MAX = 2000  # well inside LINE's 5,000 and Telegram's 4,096 characters
SERVICES = web.AppKey("services", StaffServices)
TEMPLATES = web.AppKey("templates", Environment)
SESSION = web.RequestKey("session", Session)


def services_of(request: web.Request) -> StaffServices:
    return request.app[SERVICES]


def session_of(request: web.Request) -> Session:
    session: Session = request[SESSION]
    return session


def staff_name(request: web.Request) -> str:
    """Who is logged in (the guard lets no view run without a staff session)."""
    return session_of(request).staff or ""


async def posted_text(request: web.Request, most: int, what: str) -> tuple[str, str]:
    """The form's trimmed ``text``, and the message to show when it is empty or longer than ``most`` ("" if fine)."""
    text = str((await request.post()).get("text", "")).strip()
    return text, "" if 0 < len(text) <= most else f"{what}は1〜{most}文字で入力してください。"


def replace_session(request: web.Request, session: Session) -> None:
    """Log-in, log-out and password changes start a new session (and a new CSRF token)."""
    request[SESSION] = session


def url(request: web.Request, name: str, query: dict[str, str] | None = None, **parts: str) -> str:
    target = request.app.router[name].url_for(**parts)
    return str(target.with_query(query) if query else target)


def root_path(request: web.Request) -> str:
    """Where the console is mounted ("/staff/"): the session cookie is scoped to it."""
    return url(request, "login").rsplit("/", 1)[0] + "/"


def flash(request: web.Request, message: str) -> None:
    """Say ``message`` once, on the next page shown (after the redirect that follows a form)."""
    replace_session(request, replace(session_of(request), flash=message))


def render(request: web.Request, template: str, status: int = 200, **values: Any) -> web.Response:
    session = session_of(request)
    if session.flash:
        replace_session(request, replace(session, flash=""))  # shown once
    page = request.app[TEMPLATES].get_template(template).render(
        session=session, flash=session.flash, session_left=request.app[COOKIES].seconds_left(session),
        url=lambda name, **parts: url(request, name, **parts), **values,
    )
    return web.Response(text=page, status=status, content_type="text/html")


def redirect(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location})
