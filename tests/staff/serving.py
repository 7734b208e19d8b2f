"""The whole server as `kyoso serve` wires it (channels, ingest, staff console), on a free local port."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.app import App, build_app
from bot.clock import SystemClock
from bot.server.app import create_server_app
from bot.settings import Settings
from bot.staff.setup import build_staff_apps
from storage.queue import RetryPolicy
from storage.sql_store import create_engine_for
from storage.staff import SqlStaff
from tests.line.conftest import FAST
from tests.staff.conftest import PASSWORD_HASH


@dataclass
class Running:
    app: App
    url: str


@asynccontextmanager
async def running_server(settings: Settings) -> AsyncIterator[Running]:
    """Serve ``settings`` with a staff account 'sato' (password ``PASSWORD``) ready to log in."""
    app = await build_app(settings)
    clock = SystemClock(ZoneInfo(settings.timezone))
    options = replace(FAST, mounts=lambda messengers: build_staff_apps(settings, app.content, app.store, clock, messengers))
    runner = web.AppRunner(create_server_app(app, settings, options, clock), access_log=None)
    staff_engine = create_engine_for(settings.database_url)
    try:
        staff = SqlStaff(staff_engine, RetryPolicy())
        await staff.add_user("sato", PASSWORD_HASH, clock.now())
        await staff.set_password("sato", PASSWORD_HASH, temporary=False, now=clock.now())
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        host, port = runner.addresses[0][:2]
        yield Running(app, f"http://{host}:{port}")
    finally:
        await staff_engine.dispose()
        await runner.cleanup()
        await app.close()
