"""The Telegram emulator on a real socket, and python-telegram-bot pointed at it."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram import Bot

from bot.channels.telegram.client import build_application
from bot.emulators.telegram import DEFAULT_TOKEN, TelegramEmulator
from tests.harness import FAST_WEBHOOK, NO_FLOOD, PATIENT_WEBHOOK

os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")



@pytest.fixture
async def emulator() -> AsyncIterator[TelegramEmulator]:
    """Telegram's real flood limits (a burst of 3 per chat, then 1 per second)."""
    platform = TelegramEmulator(webhook_policy=FAST_WEBHOOK)
    await platform.start()
    yield platform
    await platform.stop()


@pytest.fixture
async def roomy_emulator() -> AsyncIterator[TelegramEmulator]:
    """No flood control: whole conversations run at test speed."""
    platform = TelegramEmulator(limits=NO_FLOOD, webhook_policy=PATIENT_WEBHOOK)
    await platform.start()
    yield platform
    await platform.stop()


async def _bot(platform: TelegramEmulator) -> AsyncIterator[Bot]:
    application: Any = build_application(DEFAULT_TOKEN, platform.url)
    await application.initialize()  # getMe, as in production
    yield application.bot
    await application.shutdown()


@pytest.fixture
async def bot(emulator: TelegramEmulator) -> AsyncIterator[Bot]:
    async for client in _bot(emulator):
        yield client


@pytest.fixture
async def roomy_bot(roomy_emulator: TelegramEmulator) -> AsyncIterator[Bot]:
    async for client in _bot(roomy_emulator):
        yield client
