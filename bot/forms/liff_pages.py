"""The form on LINE as a LIFF app: ``/liff/form`` (the app's endpoint URL) asks LINE who opened it, then opens the form.

The page loads the LIFF SDK from this server (``/liff/sdk.js``, bundled from the npm registry by
scripts/install-liff: no CDN at run time), logs in through LINE and sends the ID token to ``/liff/session``.
The server has LINE verify the token and answers with the user's own signed form link; the page goes there.
A token LINE refuses gets 403 and the form's ``expired`` text; LINE not answering gets 503 and ``not_opened``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from bot.channels.json_body import BadJson, parse
from bot.channels.line import CHANNEL as LINE
from bot.channels.line.liff import LiffIdentity, LiffUnavailable
from bot.content.loader import Content
from bot.core.messages import UserKey
from bot.core.ports import Clock
from bot.forms import LIFF_SDK as SDK
from bot.forms.links import FormLinks
from bot.forms.pages import TEMPLATES

LIFF_DIR = Path(__file__).parent / "liff"
PAGE_PATH, SESSION_PATH = "/liff/form", "/liff/session"
_LINE_HOSTS = "https://api.line.me https://access.line.me https://liff.line.me"
_HEADERS = {  # the page: its script talks to LINE's hosts
    "Cache-Control": "no-store", "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": f"default-src 'self'; connect-src 'self' {_LINE_HOSTS}; frame-ancestors 'none'",
}
_MAX_BODY = 16 * 1024  # an ID token is about 1 KB
_ANSWER = {"Cache-Control": "no-store"}  # the session's JSON (the server's policy for data applies)


@dataclass(frozen=True)
class LiffForm:
    identity: LiffIdentity
    links: FormLinks
    content: Callable[[], Content]
    clock: Clock

    def install(self, server: web.Application) -> None:
        server.router.add_get(PAGE_PATH, self._page)
        server.router.add_get("/liff/sdk.js", self._sdk)
        server.router.add_get("/liff/form.js", self._script)
        server.router.add_post(SESSION_PATH, self._session)

    async def _page(self, _: web.Request) -> web.Response:
        form = self.content().common.form
        if form is None:
            return web.Response(status=404, text="not found")
        desk_name = str(self.content().facts.facts.get("desk_name", ""))
        page = TEMPLATES.get_template("liff.html").render(form=form, desk_name=desk_name, liff_id=self.identity.liff_id)
        return web.Response(text=page, content_type="text/html", headers=_HEADERS)

    async def _sdk(self, _: web.Request) -> web.StreamResponse:
        if not SDK.exists():
            return web.Response(status=404, text="the LIFF SDK is not installed: run scripts/install-liff")
        return web.FileResponse(SDK, headers={"Content-Type": "text/javascript", "Cache-Control": "max-age=3600"})

    async def _script(self, _: web.Request) -> web.StreamResponse:
        return web.FileResponse(LIFF_DIR / "form.js", headers={"Content-Type": "text/javascript", "Cache-Control": "no-cache"})

    async def _session(self, request: web.Request) -> web.Response:
        """An ID token in, the form link of the LINE user LINE says it belongs to out."""
        form = self.content().common.form
        if form is None:
            return web.json_response({"message": "not found"}, status=404)
        raw = await request.read()  # the server read it already, under its size and time limits
        try:
            body = parse(raw) if len(raw) <= _MAX_BODY else None
        except BadJson:  # not JSON, not UTF-8, nested beyond reason
            body = None
        token = body.get("id_token") if isinstance(body, dict) else None
        if not isinstance(token, str):
            return web.json_response({"message": form.expired}, status=400, headers=_ANSWER)
        try:
            user_id = await self.identity.user_id(token)
        except LiffUnavailable:
            return web.json_response({"message": form.not_opened}, status=503, headers=_ANSWER)
        if user_id is None:
            return web.json_response({"message": form.expired}, status=403, headers=_ANSWER)
        path = self.links.path(UserKey(channel=LINE, user_id=user_id), self.clock.now())
        return web.json_response({"url": path}, headers=_ANSWER)
