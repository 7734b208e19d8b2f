"""The aiohttp application of `kyoso serve`: the routes and lifetimes of what ``bot/app.py`` built, on one server.

The web chat, the health checks, each configured channel's webhook (and its
API client's lifetime), the ingest worker, and the staff console with its
background work (mounted as sub-applications).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

from aiohttp import web

from bot.app import App
from bot.channels.web.history import add_history_route
from bot.channels.web.pages import add_web_pages
from bot.channels.web.routes import add_web_chat
from bot.channels.web.staff_replies import add_staff_replies
from bot.channels.web.upload import add_web_upload
from bot.channels.web.visitors import VisitorIds
from bot.ingest.worker import Ingest
from bot.server.headers import readable_headers, security_headers
from bot.server.health import add_health_routes
from bot.server.proxy import forwarded
from bot.server.ratelimit import AddressLimiter, address_limit
from bot.server.slow import body_deadline
from bot.server.unavailable import database_unavailable
from bot.server.webhooks import platform_webhooks
from bot.staff.sessions import server_secret
from bot.staff.setup import staff_apps

INGEST = web.AppKey("ingest", Ingest)
MAX_BODY = 1024 * 1024  # larger request bodies get 413; LINE and Telegram stay far below it


def create_server_app(app: App) -> web.Application:
    settings = app.settings
    limiter = AddressLimiter(settings.address_posts_per_minute, time.monotonic)
    slow_down = address_limit(limiter, lambda: app.content.common.messages.slow_down)
    middlewares = [  # the webhooks go straight to their handlers; forwarded next: it clones the request, which
        # cannot be done once the body is read
        platform_webhooks(settings.http_body_seconds), forwarded(frozenset(settings.trusted_proxies)), readable_headers,
        body_deadline(settings.http_body_seconds), database_unavailable, slow_down,
    ]
    server = web.Application(client_max_size=MAX_BODY, middlewares=middlewares)
    server[INGEST] = app.ingest
    server.on_response_prepare.append(security_headers)
    add_health_routes(server, app)
    visitors = VisitorIds(server_secret(app.staff.services.session_secret))
    add_web_chat(server, app.engine.handle, app.web_history, visitors)
    add_web_upload(server, app.engine.handle, app.web_history, visitors, settings.documents, settings.http_body_seconds)
    add_history_route(server, app.web_history)
    add_staff_replies(server, app.staff.services.staff, app.staff.services.consultations, visitors)
    add_web_pages(server, app.live.current)
    if app.forms is not None:
        app.forms.install(server)
    for channel in (app.line, app.telegram):
        if channel is not None:
            channel.install(server, app.accept.add, app.ingest.kick)

    async def run_ingest(_: web.Application) -> AsyncIterator[None]:
        await app.ingest.start()  # after the channels' clients: recovered events are sent at once
        yield
        await app.ingest.stop()

    server.cleanup_ctx.append(run_ingest)

    async def run_reminders(_: web.Application) -> AsyncIterator[None]:
        sweeping = asyncio.create_task(app.reminders.run(settings.remind_every_minutes * 60)) if app.reminders else None
        yield
        if sweeping is not None:
            sweeping.cancel()
            await asyncio.gather(sweeping, return_exceptions=True)

    server.cleanup_ctx.append(run_reminders)
    for prefix, subapp in staff_apps(app.staff).items():
        server.add_subapp(prefix, subapp)
    return server

