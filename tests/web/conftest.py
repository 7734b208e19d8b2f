"""The server (web chat only, no LINE settings) on a real socket."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.app import build_app
from bot.server.app import create_server_app
from bot.settings import REPOSITORY_ROOT, Settings
from tests.harness import WebChat
from tests.helpers import serve_locally


@pytest.fixture
async def web_chat(database_url: str) -> AsyncIterator[WebChat]:
    settings = Settings(database_url=database_url, content_dir=REPOSITORY_ROOT)
    app = await build_app(settings)
    runner, url = await serve_locally(create_server_app(app))
    yield WebChat(app, url)
    await runner.cleanup()
    await app.close()


@pytest.fixture
def server_url(web_chat: WebChat) -> str:
    return web_chat.url
