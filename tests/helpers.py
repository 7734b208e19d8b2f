"""Test helpers shared by several test modules."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta

from aiohttp import web

from bot.core.messages import CardMessage, Outbound
from bot.core.throttle import TurnLimit

SCRIPTED = TurnLimit(turns=100_000)
"""Scripted players send far faster than people; tests/trust/test_limits.py tests the real limit."""


class FakeClock:
    """A clock the test moves by hand (pausing for days takes no time)."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def now(self) -> datetime:
        return self.current

    def advance(self, hours: float) -> None:
        self.current += timedelta(hours=hours)


class ShiftedClock:
    """Real time, shifted to read ``start`` when made: the dates a transcript expects, and leases and backoffs that run out."""

    def __init__(self, start: datetime) -> None:
        self._zone = start.tzinfo
        self._offset = start - datetime.now(self._zone)

    def now(self) -> datetime:
        return datetime.now(self._zone) + self._offset


def visible_text(replies: list[Outbound]) -> str:
    """What a user reads: every message's text, cards as plain text."""
    return "\n".join(reply.as_text() if isinstance(reply, CardMessage) else reply.text for reply in replies)


async def wait_until(condition: Callable[[], object], what: str = "the condition", timeout: float = 30.0) -> None:
    """Look at ``condition`` every 50 ms until it holds; fail after ``timeout`` seconds (work done elsewhere)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def serve_locally(app: web.Application) -> tuple[web.AppRunner, str]:
    """Serve ``app`` on a free port of 127.0.0.1; the caller cleans the runner up. Returns it and the base URL."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    return runner, f"http://{host}:{port}"
