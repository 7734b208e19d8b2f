"""The web chat's other files: its script and styles (no inline code, so a strict CSP fits), the icon,
and ``/accessibility``, the accessibility policy that municipal pages publish (みんなの公共サイト運用ガイドライン)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from aiohttp import web
from jinja2 import Environment, PackageLoader, select_autoescape

from bot.content.loader import Content

STATIC = Path(__file__).parent / "static"
ICON = STATIC / "favicon.svg"
_HEADERS = {"Cache-Control": "no-cache"}


def add_web_pages(server: web.Application, content: Callable[[], Content]) -> None:
    """``content`` gives the content in force (staff edits take effect without a restart)."""
    templates = Environment(loader=PackageLoader("bot.channels.web", "templates"), autoescape=select_autoescape(["html"]))

    async def icon(request: web.Request) -> web.FileResponse:
        return web.FileResponse(ICON, headers={"Content-Type": "image/svg+xml", "Cache-Control": "max-age=86400"})

    async def accessibility(request: web.Request) -> web.Response:
        facts = content().facts.facts
        page = templates.get_template("accessibility.html").render(facts={k: str(v) for k, v in facts.items()})
        return web.Response(text=page, content_type="text/html", headers=_HEADERS)

    for path in ("/favicon.svg", "/favicon.ico"):  # browsers ask for /favicon.ico when a page names none
        server.router.add_get(path, icon)
    server.router.add_get("/accessibility", accessibility)
    for name in ("chat.css", "chat.js", "page.css"):
        server.router.add_get(f"/assets/{name}", _file(STATIC / name))


def _file(path: Path) -> Callable[[web.Request], Awaitable[web.FileResponse]]:
    async def serve(request: web.Request) -> web.FileResponse:
        return web.FileResponse(path, headers=_HEADERS)

    return serve
