"""The server with LINE (its emulator) and the web chat, on a clock the test moves: days pass in no time."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from aiohttp import web

from bot.app import App, build_app
from bot.emulators.line import LineEmulator
from bot.server.app import INGEST, create_server_app
from bot.settings import REPOSITORY_ROOT, Settings
from tests.harness import FAST, SECRET, TOKEN
from tests.helpers import serve_locally

TOKYO = ZoneInfo("Asia/Tokyo")
CODE = re.compile(r"[A-Z2-9]{4}-[A-Z2-9]{4}")


class MovableClock:
    """Real time plus an offset the test sets: leases and backoffs still run out, and days pass at once."""

    def __init__(self) -> None:
        self._offset = timedelta()

    def now(self) -> datetime:
        return datetime.now(TOKYO) + self._offset

    def advance(self, delta: timedelta) -> None:
        self._offset += delta

    def set(self, when: datetime) -> None:
        """From now on, the clock reads ``when`` (and goes on from there)."""
        self._offset += when - self.now()


def tomorrow_at(hour: int, minute: int = 0) -> datetime:
    """A time of tomorrow in the city (the clock may run ahead of the emulator's real time, not behind it)."""
    day = datetime.now(TOKYO).date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TOKYO)


@dataclass
class Server:
    app: App
    runner: web.AppRunner
    server: web.Application
    url: str

    async def settled(self) -> None:
        await self.server[INGEST].idle()

    async def close(self) -> None:
        await self.runner.cleanup()
        await self.app.close()


@dataclass
class Stack:
    """The LINE emulator and one or more bot servers (workers) on one database, with one clock."""

    database_url: str
    emulator: LineEmulator
    clock: MovableClock
    servers: list[Server] = field(default_factory=list)

    async def start(self, **settings: Any) -> Server:
        config = Settings(
            database_url=self.database_url, content_dir=REPOSITORY_ROOT, LINE_CHANNEL_SECRET=SECRET,
            LINE_CHANNEL_ACCESS_TOKEN=TOKEN, LINE_API_BASE_URL=self.emulator.url,
            event_max_age_hours=24 * 30,  # the emulator stamps events with the real time; the clock runs days ahead
            **settings,
        )
        app = await build_app(config, FAST, self.clock)
        server = create_server_app(app)
        runner, url = await serve_locally(server)
        if not self.servers:
            self.emulator.webhook_url = f"{url}/webhooks/line"
        self.servers.append(Server(app, runner, server, url))
        return self.servers[-1]

    @property
    def first(self) -> Server:
        return self.servers[0]

    async def line(self, user: str, *steps: str) -> list[str]:
        """The user types (``>text``) or taps (a label) each step in turn; what the bot said meanwhile."""
        before = len(self.emulator.texts(user))
        for step in steps:
            if step.startswith(">"):
                status = await self.emulator.type(user, step[1:])
            else:
                status = await self.emulator.tap(user, step)
            assert status == 200
            await self.first.settled()
        return self.emulator.texts(user)[before:]

    def buttons(self, user: str) -> list[str]:
        return [item["action"].get("label") for item in self.emulator.quick_replies(user)]


class WebVisitor:
    """A browser's cookie jar on the web chat's JSON API."""

    def __init__(self, url: str) -> None:
        self._url = url
        self.http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.last: list[dict[str, Any]] = []

    async def post(self, body: dict[str, Any]) -> str:
        async with self.http.post(f"{self._url}/api/chat", json=body) as response:
            assert response.status == 200, await response.text()
            self.last = (await response.json())["messages"]
        return "\n".join(message.get("text") or message.get("title", "") for message in self.last)

    async def say(self, text: str) -> str:
        return await self.post({"text": text})

    async def press(self, label: str) -> str:
        choices = [choice for message in self.last for choice in message.get("choices", [])]
        payload = next((choice["payload"] for choice in choices if choice["label"] == label), None)
        assert payload is not None, f"no button {label!r}: {[choice['label'] for choice in choices]}"
        return await self.post({"payload": payload})

    async def close(self) -> None:
        await self.http.close()


@pytest.fixture
async def stack(database_url: str) -> AsyncIterator[Stack]:
    emulator = LineEmulator(channel_secret=SECRET, access_token=TOKEN)
    await emulator.start()
    stack = Stack(database_url, emulator, MovableClock())
    yield stack
    for server in stack.servers:
        await server.close()
    await emulator.close()


@pytest.fixture
async def visitor(stack: Stack) -> AsyncIterator[WebVisitor]:
    if not stack.servers:
        await stack.start()
    web_visitor = WebVisitor(stack.first.url)
    yield web_visitor
    await web_visitor.close()
