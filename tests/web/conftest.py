"""The server (web chat only, no LINE settings) on a real socket."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.app import build_app
from bot.server.app import create_server_app
from bot.settings import REPOSITORY_ROOT, Settings
from tests.helpers import serve_locally


@pytest.fixture
async def server_url(database_url: str) -> AsyncIterator[str]:
    settings = Settings(database_url=database_url, content_dir=REPOSITORY_ROOT)
    app = await build_app(settings)
    runner, url = await serve_locally(create_server_app(app))
    yield url
    await runner.cleanup()
    await app.close()
