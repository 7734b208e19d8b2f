"""The whole server with both platforms (their emulators), for tests that try to break it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from bot.app import App, build_app
from bot.emulators.line import LineEmulator
from bot.emulators.telegram import DEFAULT_TOKEN, TelegramEmulator
from bot.ingest.worker import Ingest
from bot.server.app import INGEST, create_server_app
from bot.settings import REPOSITORY_ROOT, Settings
from storage import tables
from storage.sql_store import create_engine_for
from tests.harness import FAST, NO_FLOOD, PATIENT_WEBHOOK, SECRET, TOKEN
from tests.helpers import serve_locally

TELEGRAM_SECRET = "trust-secret_1"


@dataclass
class Platforms:
    """A running server, the LINE and Telegram emulators it talks to, and its settings."""

    url: str
    settings: Settings
    app: App
    ingest: Ingest
    line: LineEmulator
    telegram: TelegramEmulator

    async def stored_events(self) -> int:
        """How many platform events the server accepted and stored."""
        engine = create_engine_for(self.settings.database_url)
        try:
            async with engine.connect() as connection:
                return (await connection.execute(select(func.count()).select_from(tables.inbound_events))).scalar_one()
        finally:
            await engine.dispose()


@pytest.fixture
async def platforms(database_url: str, request: pytest.FixtureRequest) -> AsyncIterator[Platforms]:
    """``@pytest.mark.settings(name=value)`` on a test overrides settings."""
    marker = request.node.get_closest_marker("settings")
    line = LineEmulator(channel_secret=SECRET, access_token=TOKEN)
    await line.start()
    telegram = TelegramEmulator(limits=NO_FLOOD, webhook_policy=PATIENT_WEBHOOK)
    await telegram.start()
    settings = Settings(
        database_url=database_url, content_dir=REPOSITORY_ROOT, faq_embeddings=False,
        LINE_CHANNEL_SECRET=SECRET, LINE_CHANNEL_ACCESS_TOKEN=TOKEN, LINE_API_BASE_URL=line.url,
        TELEGRAM_BOT_TOKEN=DEFAULT_TOKEN, TELEGRAM_API_BASE_URL=telegram.url, TELEGRAM_WEBHOOK_SECRET=TELEGRAM_SECRET,
        **(marker.kwargs if marker else {}),
    )
    app = await build_app(settings, FAST)
    server = create_server_app(app)
    runner, url = await serve_locally(server)
    line.webhook_url = f"{url}/webhooks/line"
    try:
        yield Platforms(url, settings, app, server[INGEST], line, telegram)
    finally:
        await runner.cleanup()
        await app.close()
        await telegram.stop()
        await line.close()
