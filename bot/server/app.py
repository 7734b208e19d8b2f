"""The aiohttp application factory: every route of `kyoso serve` on one server.

Other parts mount themselves as sub-applications (the staff console under
``/staff``) through ``mounts``, so this module does not need to know them; they
receive the channels, which push staff replies to proposers.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.app import App
from bot.channels.line.delivery import RetryPolicy
from bot.channels.line.setup import LineChannel
from bot.channels.telegram.setup import TelegramChannel, TelegramConfig
from bot.channels.web.history import add_history_route
from bot.channels.web.pages import add_web_pages
from bot.channels.web.routes import add_web_chat
from bot.clock import SystemClock
from bot.core.ports import Clock
from bot.handoff.replies import ProposerMessenger
from bot.ingest.worker import Ingest, IngestPolicy, Processor
from bot.server.health import add_health_routes
from bot.server.proxy import forwarded
from bot.server.ratelimit import AddressLimiter, address_limit
from bot.server.unavailable import database_unavailable
from bot.settings import Settings

INGEST = web.AppKey("ingest", Ingest)
MAX_BODY = 1024 * 1024  # larger request bodies get 413; LINE and Telegram stay far below it


@dataclass(frozen=True)
class ServerOptions:
    """Timings that tests and the benchmark shorten; production keeps the defaults."""

    ingest: IngestPolicy = field(default_factory=IngestPolicy)
    line_retry: RetryPolicy = field(default_factory=RetryPolicy)
    telegram_polling: bool = False
    mounts: Mounts | None = None


Mounts = Callable[[Sequence[ProposerMessenger]], Mapping[str, web.Application]]


def create_server_app(
    app: App, settings: Settings, options: ServerOptions = ServerOptions(), clock: Clock | None = None
) -> web.Application:
    clock = clock or SystemClock(ZoneInfo(settings.timezone))
    limiter = AddressLimiter(settings.address_posts_per_minute, time.monotonic)
    notice = app.content.common.messages.slow_down
    middlewares = [forwarded(frozenset(settings.trusted_proxies)), database_unavailable, address_limit(limiter, notice)]
    server = web.Application(client_max_size=MAX_BODY, middlewares=middlewares)
    processors: dict[str, Processor] = {}
    messengers: list[ProposerMessenger] = []
    ingest = Ingest(app.events, processors, clock, options.ingest)
    server[INGEST] = ingest
    add_health_routes(server, app)
    add_web_chat(server, app.engine.handle, app.web_history)
    add_history_route(server, app.web_history)
    add_web_pages(server, app.current_content)
    if settings.line_enabled:
        assert settings.line_channel_secret is not None and settings.line_channel_access_token is not None
        line = LineChannel(
            settings.line_channel_secret.get_secret_value(),
            settings.line_channel_access_token.get_secret_value(),
            settings.line_api_base_url,
            app.engine.handle,
            app.events,
            clock,
            app.content.common.messages.one_to_one,
            options.line_retry,
        )
        line.install(server, ingest, processors)
        messengers.append(line)
    if settings.telegram_bot_token is not None:
        telegram = TelegramChannel(
            TelegramConfig(
                token=settings.telegram_bot_token.get_secret_value(),
                api_base_url=settings.telegram_api_base_url,
                webhook_secret=settings.telegram_webhook_secret.get_secret_value() if settings.telegram_webhook_secret else None,
                commands=settings.telegram_commands,
                one_to_one=app.content.common.messages.one_to_one,
                poll_timeout=settings.telegram_poll_timeout,
            ),
            app.engine.handle,
            app.events,
            clock,
        )
        telegram.install(server, ingest, processors, polling=options.telegram_polling)
        messengers.append(telegram)

    async def run_ingest(_: web.Application) -> AsyncIterator[None]:
        await ingest.start()  # after the channels' clients: recovered events are sent at once
        yield
        await ingest.stop()

    server.cleanup_ctx.append(run_ingest)
    for prefix, subapp in (options.mounts(messengers) if options.mounts else {}).items():
        server.add_subapp(prefix, subapp)
    return server
