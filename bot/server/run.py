"""`kyoso serve`: build the app, start the server, run until Ctrl-C or SIGTERM (then stop cleanly)."""

from __future__ import annotations

import asyncio
import logging
import signal

from aiohttp import web
from aiohttp.log import access_logger

from bot.app import AppOptions, build_app
from bot.server.app import create_server_app
from bot.settings import Settings


async def serve(settings: Settings, telegram_polling: bool = False) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its request lines carry the Telegram token in the URL
    app = await build_app(settings, AppOptions(telegram_polling=telegram_polling))
    # One line per request costs the acknowledgement path; the reverse proxy keeps the access log (KYOSO_ACCESS_LOG).
    runner = web.AppRunner(
        create_server_app(app), keepalive_timeout=settings.http_idle_seconds,
        access_log=access_logger if settings.access_log else None,
    )
    try:
        await runner.setup()
        await web.TCPSite(runner, settings.host, settings.port).start()
        line = "on" if app.line else "off (set LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN)"
        telegram = "off (set TELEGRAM_BOT_TOKEN)" if app.telegram is None else "polling" if telegram_polling else "webhook"
        base = f"http://{settings.host}:{settings.port}"
        print(f"kyoso is serving on {base}/ (web chat) and {base}/staff (staff console); LINE: {line}; Telegram: {telegram}", flush=True)
        stopping = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stopping.set)
        await stopping.wait()
    finally:
        await runner.cleanup()
        await app.close()
