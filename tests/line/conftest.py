"""A LINE stack over real sockets: the emulator, and `kyoso serve`'s server app using the real SDK client."""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any
from datetime import timedelta

import pytest
import aiohttp
from aiohttp import web

from bot.app import App, AppOptions, build_app
from bot.channels.line.delivery import RetryPolicy
from bot.emulators.line import LineEmulator
from bot.ingest.worker import IngestPolicy
from bot.server.app import INGEST, create_server_app
from bot.settings import REPOSITORY_ROOT, Settings
from tests.helpers import serve_locally

SECRET = "0123456789abcdef0123456789abcdef"
TOKEN = "emulator-access-token"
FAST = AppOptions(
    ingest=IngestPolicy(first_backoff=timedelta(milliseconds=50), sweep_every=0.2),
    # The loading animation only for answers 30 s late (a backlog): a test's calls do not depend on the machine's load.
    line_retry=RetryPolicy(delays=(0.05, 0.1, 0.2), request_timeout=2.0, loading_after=30.0),
)

os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")


@dataclass
class LineStack:
    """The emulator plus a (re)startable bot server on one database."""

    database_url: str
    emulator: LineEmulator
    runner: web.AppRunner | None = None
    app: App | None = None
    started: list[web.Application] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)  # more Settings for the next start()

    async def start(self, options: AppOptions = FAST) -> None:
        settings = Settings(
            database_url=self.database_url,
            content_dir=REPOSITORY_ROOT,
            LINE_CHANNEL_SECRET=SECRET,
            LINE_CHANNEL_ACCESS_TOKEN=TOKEN,
            LINE_API_BASE_URL=self.emulator.url,
            **self.settings,
        )
        self.app = await build_app(settings, options)
        server = create_server_app(self.app)
        self.runner, url = await serve_locally(server)
        self.emulator.webhook_url = f"{url}/webhooks/line"
        self.started.append(server)

    async def stop(self) -> None:
        """Stop the server as a dying process would: unfinished work stays in the database only."""
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None
        if self.app is not None:
            await self.app.close()
            self.app = None

    @property
    def base_url(self) -> str:
        return self.emulator.webhook_url.removesuffix("/webhooks/line")

    async def staff_page(self, path: str, name: str = "sato") -> str:
        """A staff member (made if new) logs in to the console and opens ``path``; the page's HTML."""
        from tests.staff.conftest import PASSWORD, PASSWORD_HASH  # tests/staff's stack reuses this one: imported late

        assert self.app is not None
        staff, now = self.app.staff.services.staff, self.app.clock.now()
        await staff.add_user(name, PASSWORD_HASH, now)
        await staff.set_password(name, PASSWORD_HASH, temporary=False, now=now)
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:
            page = await (await browser.get(f"{self.base_url}/staff/login")).text()
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
            assert csrf is not None
            await browser.post(f"{self.base_url}/staff/login", data={"name": name, "password": PASSWORD, "csrf_token": csrf.group(1)})
            shown = await browser.get(f"{self.base_url}{path}")
            assert shown.status == 200, (path, shown.status)
            return await shown.text()

    async def settled(self) -> None:
        """Wait until the server has handled and delivered everything it was sent."""
        await self.started[-1][INGEST].idle()


@pytest.fixture
async def line(database_url: str) -> AsyncIterator[LineStack]:
    emulator = LineEmulator(channel_secret=SECRET, access_token=TOKEN)
    await emulator.start()
    stack = LineStack(database_url, emulator)
    await stack.start()
    yield stack
    await stack.stop()
    await emulator.close()
