"""The server (web chat only, no LINE settings) on a real socket."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from bot.app import build_app
from bot.server.app import create_server_app
from bot.settings import REPOSITORY_ROOT, Settings


@pytest.fixture
async def server_url(database_url: str) -> AsyncIterator[str]:
    settings = Settings(database_url=database_url, content_dir=REPOSITORY_ROOT)
    app = await build_app(settings)
    runner = web.AppRunner(create_server_app(app, settings), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    yield f"http://{host}:{port}"
    await runner.cleanup()
    await app.close()
