"""The staff console as an aiohttp sub-application: mount it with ``app.add_subapp("/staff", create_staff_app(...))``.

Every request passes the guard: nothing answers without a staff session
(pages redirect to the log-in, the JSON/CSV API answers 401), every POST needs
the session's CSRF token, and a one-time password must be changed first.
"""

from __future__ import annotations

import hmac

from aiohttp import web
from aiohttp.typedefs import Handler
from jinja2 import PackageLoader

from bot.handoff.render import template_environment
from bot.staff import answer_test, consultation_views, documents, gap_views, insight_views, views
from bot.staff.context import SERVICES, SESSION, TEMPLATES, redirect, render, root_path, url
from bot.staff.services import StaffServices
from bot.staff.sessions import COOKIES, Session, SessionCookies
from bot.staff.throttle import THROTTLE, LoginThrottle

# Reachable without a logged-in session (the CSRF check still applies to the POST).
_PUBLIC = {"login", "static"}
# Reachable with a one-time password that has not been changed yet.
_FIRST_LOGIN = _PUBLIC | {"password", "logout"}
_HEADERS = {
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}


def create_staff_app(services: StaffServices) -> web.Application:
    app = web.Application(middlewares=[_guard])
    app[SERVICES] = services
    app[COOKIES] = SessionCookies(services.session_secret, services.clock)
    app[THROTTLE] = LoginThrottle(services.lock_after, services.lock_for)
    app[TEMPLATES] = template_environment(PackageLoader("bot.staff", "templates"))
    views.add_routes(app.router)
    consultation_views.add_routes(app)
    insight_views.add_routes(app.router)
    gap_views.add_routes(app.router)
    answer_test.add_routes(app.router)
    documents.add_routes(app.router)
    return app


@web.middleware
async def _guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    cookies = request.app[COOKIES]
    loaded = cookies.load(request)
    request[SESSION] = session = loaded if loaded is not None and await _still_valid(request, loaded) else Session()
    route = request.match_info.route.name or ""
    response: web.StreamResponse
    if request.method == "POST" and not await _csrf_ok(request, session):
        response = render(request, "error.html", status=403, message=(
            "フォームの有効期限が切れたか、正しくない送信です。ページを読み込み直して、もう一度お試しください。"
        ))
    elif session.staff is None and route not in _PUBLIC:
        response = _refuse(request, route)
    elif session.temporary_password and route not in _FIRST_LOGIN:
        response = redirect(url(request, "password"))
    else:
        response = await handler(request)
    if request[SESSION] is not loaded:
        cookies.save(response, request[SESSION], path=root_path(request), secure=request.secure)
    if route != "static":
        response.headers["Cache-Control"] = "no-store"
    for header, value in _HEADERS.items():
        response.headers.setdefault(header, value)
    return response


async def _still_valid(request: web.Request, session: Session) -> bool:
    """A log-out or a new password ends the account's earlier sessions, on every device."""
    if session.staff is None:
        return True
    user = await request.app[SERVICES].accounts.get_user(session.staff)
    return user is not None and not session.ended_by(user.sessions_valid_after)


async def _csrf_ok(request: web.Request, session: Session) -> bool:
    token = (await request.post()).get("csrf_token")
    return isinstance(token, str) and hmac.compare_digest(token, session.csrf)


def _refuse(request: web.Request, route: str) -> web.StreamResponse:
    if route.startswith("api_"):
        return web.json_response({"error": "ログインが必要です。"}, status=401)
    return redirect(url(request, "login", query={"next": request.rel_url.path_qs}))
