"""Telegram through the durable ingest, on the server `kyoso serve` builds: webhook and polling modes.

The emulator and the real python-telegram-bot client talk over sockets.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from bot.app import App, AppOptions, build_app
from bot.channels.telegram.client import register_webhook
from bot.channels.telegram.setup import WEBHOOK_PATH
from bot.emulators.telegram import DEFAULT_TOKEN, TelegramEmulator
from bot.ingest.worker import INGEST_RETRY, Ingest, IngestPolicy
from bot.server.app import INGEST, create_server_app
from bot.settings import REPOSITORY_ROOT, Settings
from tests.harness import TelegramPlayer, check_stored, play_transcript
from tests.helpers import ShiftedClock, serve_locally
from tests.proposals import HAPPY_PATH

SECRET = "durable-secret_1"


@dataclass
class Stack:
    platform: TelegramEmulator
    app: App
    ingest: Ingest
    url: str
    polling: bool

    async def settle(self, update: dict[str, Any]) -> None:
        """Taken in by the server (acknowledged by webhook, or confirmed by the next poll), then handled."""
        if self.polling:
            await self.platform.wait_until(lambda: update not in self.platform.pending.items(), timeout=30)
        else:
            await self.platform.wait_until(lambda: update in self.platform.delivered, timeout=30)
        await self.ingest.idle()

    async def post(self, body: Any, secret: str | None = SECRET) -> int:
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
        async with aiohttp.ClientSession() as http, http.post(self.url + WEBHOOK_PATH, json=body, headers=headers) as answer:
            return answer.status


async def _stack(platform: TelegramEmulator, database_url: str, polling: bool) -> AsyncIterator[Stack]:
    settings = Settings(
        database_url=database_url, content_dir=REPOSITORY_ROOT, faq_embeddings=False,
        TELEGRAM_BOT_TOKEN=DEFAULT_TOKEN, TELEGRAM_API_BASE_URL=platform.url, TELEGRAM_WEBHOOK_SECRET=SECRET,
        telegram_poll_timeout=1,
    )
    options = AppOptions(
        ingest=IngestPolicy(retry=replace(INGEST_RETRY, first_delay=timedelta(milliseconds=50)), sweep_every=0.2), telegram_polling=polling
    )
    app = await build_app(settings, options, ShiftedClock(datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))))
    server = create_server_app(app)
    ingest = server[INGEST]
    runner, url = await serve_locally(server)
    stack = Stack(platform, app, ingest, url, polling)
    if not polling:
        await register_webhook(DEFAULT_TOKEN, platform.url, stack.url + WEBHOOK_PATH, SECRET)
    yield stack
    await runner.cleanup()
    await app.close()


@pytest.fixture(params=["webhook", "polling"])
async def stack(request: pytest.FixtureRequest, roomy_emulator: TelegramEmulator, database_url: str) -> AsyncIterator[Stack]:
    async for built in _stack(roomy_emulator, database_url, polling=request.param == "polling"):
        yield built


@pytest.fixture
async def webhook_stack(roomy_emulator: TelegramEmulator, database_url: str) -> AsyncIterator[Stack]:
    async for built in _stack(roomy_emulator, database_url, polling=False):
        yield built


async def test_a_whole_proposal_from_start_to_reference_number(stack: Stack) -> None:
    script = await play_transcript(TelegramPlayer(stack.platform, stack.settle), HAPPY_PATH)
    await check_stored(stack.app.store, script["stored"], "telegram", "1001")


async def test_a_wrong_secret_gets_401_a_malformed_body_400_and_nothing_is_stored(webhook_stack: Stack) -> None:
    update = {"update_id": 5, "message": {"message_id": 1, "date": 0, "chat": {"id": 1001, "type": "private"}, "text": "/start"}}

    assert await webhook_stack.post(update, secret="guess") == 401
    assert await webhook_stack.post(update, secret=None) == 401
    assert await webhook_stack.post(["not", "an", "update"]) == 400
    await webhook_stack.ingest.idle()
    assert await webhook_stack.app.events.list_events("telegram") == []
    assert webhook_stack.platform.sent_to(1001) == []


async def test_a_duplicated_update_is_answered_once(webhook_stack: Stack) -> None:
    platform = webhook_stack.platform
    await webhook_stack.settle(await platform.user_sends("/start"))
    update = await platform.user_sends("/menu")
    await webhook_stack.settle(update)
    answered = [message.text for message in platform.sent_to(1001)]

    assert await webhook_stack.post(update) == 200  # Telegram sends the same update again
    await webhook_stack.ingest.idle()

    assert "ご用件を選んでください" in answered[-1]
    assert [message.text for message in platform.sent_to(1001)] == answered


async def test_a_failed_send_is_retried_and_delivered_once(webhook_stack: Stack) -> None:
    platform = webhook_stack.platform
    platform.fail_next("sendMessage", code=500, retry_after=None)
    await webhook_stack.settle(await platform.user_sends("/start"))
    await platform.wait_until(lambda: len(platform.sent_to(1001)) > 0, timeout=10)
    await webhook_stack.ingest.idle()

    texts = [message.text for message in platform.sent_to(1001)]
    assert sum("ご用件を選んでください" in text for text in texts) == 1
