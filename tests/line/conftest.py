"""A LINE stack over real sockets (tests/harness.py's LineStack): the emulator, and `kyoso serve`'s server app
using the real SDK client."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest

from bot.emulators.line import LineEmulator
from tests.harness import SECRET, TOKEN, LineStack

os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")


@pytest.fixture
async def line(database_url: str) -> AsyncIterator[LineStack]:
    emulator = LineEmulator(channel_secret=SECRET, access_token=TOKEN)
    await emulator.start()
    stack = LineStack(database_url, emulator)
    await stack.start()
    yield stack
    await stack.stop()
    await emulator.close()
