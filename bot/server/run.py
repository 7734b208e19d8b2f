"""`kyoso serve`: build the app, start the server, run until Ctrl-C or SIGTERM (then stop cleanly)."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Sequence
from datetime import timedelta
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.app import build_app
from bot.clock import SystemClock
from bot.handoff.replies import ProposerMessenger
from bot.ingest.worker import IngestPolicy
from bot.server.app import ServerOptions, create_server_app
from bot.settings import Settings
from bot.staff.setup import build_staff_apps


async def serve(settings: Settings, telegram_polling: bool = False) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its request lines carry the Telegram token in the URL
    app = await build_app(settings)
    clock = SystemClock(ZoneInfo(settings.timezone))

    def staff(messengers: Sequence[ProposerMessenger]) -> dict[str, web.Application]:
        return build_staff_apps(settings, app.content, app.store, app.engine.after_consultation, clock, messengers)

    ingest = IngestPolicy(lease=timedelta(seconds=settings.ingest_lease_seconds), sweep_every=settings.ingest_sweep_seconds)
    options = ServerOptions(ingest=ingest, telegram_polling=telegram_polling, mounts=staff)
    runner = web.AppRunner(create_server_app(app, settings, options, clock))
    try:
        await runner.setup()
        await web.TCPSite(runner, settings.host, settings.port).start()
        line = "on" if settings.line_enabled else "off (set LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN)"
        telegram = "off (set TELEGRAM_BOT_TOKEN)" if settings.telegram_bot_token is None else "polling" if telegram_polling else "webhook"
        base = f"http://{settings.host}:{settings.port}"
        print(f"kyoso is serving on {base}/ (web chat) and {base}/staff (staff console); LINE: {line}; Telegram: {telegram}", flush=True)
        stopping = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stopping.set)
        await stopping.wait()
    finally:
        await runner.cleanup()
        await app.close()
