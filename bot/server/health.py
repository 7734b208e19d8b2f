"""``/healthz`` (the process answers) and ``/readyz`` (the database answers and the content is loaded)."""

from __future__ import annotations

import logging

from aiohttp import web

from bot.app import App

log = logging.getLogger(__name__)


def add_health_routes(server: web.Application, app: App) -> None:
    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def readyz(request: web.Request) -> web.Response:
        try:
            await app.store.ping()
        except Exception as error:  # noqa: BLE001 - any failure means "not ready", and says why
            log.warning("not ready: database: %s", error)
            return web.json_response({"status": "unavailable", "database": str(error)}, status=503)
        content = app.content  # as it is now: an edit is seen within seconds
        return web.json_response({"status": "ok", "database": "ok", "dialogs": len(content.dialogs), "faq": len(content.faq)})

    server.router.add_get("/healthz", healthz)
    server.router.add_get("/readyz", readyz)
