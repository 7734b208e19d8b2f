"""Reminders over Telegram: a 403 (the user blocked the bot) is kept, and that user gets no later reminder."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.app import App, build_app
from bot.channels.telegram.client import register_webhook
from bot.channels.telegram.setup import WEBHOOK_PATH
from bot.emulators.telegram import DEFAULT_TOKEN, TelegramEmulator
from bot.ingest.worker import Ingest
from bot.server.app import INGEST, create_server_app
from bot.settings import REPOSITORY_ROOT, Settings
from tests.harness import FAST
from tests.helpers import serve_locally
from tests.resume.stacks import MovableClock, tomorrow_at
from tests.telegram.emulators import roomy_emulator  # noqa: F401 - the fixture, without flood control

SECRET = "resume-secret_1"
BLOCKED, OTHER = 1001, 1002
REMINDER = "送る前のまま保存されています"


class TelegramStack:
    def __init__(self, platform: TelegramEmulator, app: App, ingest: Ingest, clock: MovableClock) -> None:
        self.platform, self.app, self.ingest, self.clock = platform, app, ingest, clock

    async def say(self, user: int, text: str) -> None:
        update = await self.platform.user_sends(text, user_id=user)
        await self.platform.wait_until(lambda: update in self.platform.delivered, timeout=30)
        await self.ingest.idle()

    async def press(self, user: int, label: str) -> None:
        update = await self.platform.user_presses(label, user_id=user)
        await self.platform.wait_until(lambda: update in self.platform.delivered, timeout=30)
        await self.ingest.idle()

    def reminders_to(self, user: int) -> list[str]:
        return [message.text for message in self.platform.sent_to(user) if REMINDER in (message.text or "")]


@pytest.fixture
async def telegram(roomy_emulator: TelegramEmulator, database_url: str) -> AsyncIterator[TelegramStack]:  # noqa: F811
    settings = Settings(
        database_url=database_url, content_dir=REPOSITORY_ROOT, TELEGRAM_BOT_TOKEN=DEFAULT_TOKEN,
        TELEGRAM_API_BASE_URL=roomy_emulator.url, TELEGRAM_WEBHOOK_SECRET=SECRET,
    )
    clock = MovableClock()
    app = await build_app(settings, FAST, clock)
    server = create_server_app(app)
    runner, url = await serve_locally(server)
    await register_webhook(DEFAULT_TOKEN, roomy_emulator.url, url + WEBHOOK_PATH, SECRET)
    yield TelegramStack(roomy_emulator, app, server[INGEST], clock)
    await runner.cleanup()
    await app.close()


async def test_a_user_who_blocked_the_bot_on_telegram_is_not_reminded_again(telegram: TelegramStack) -> None:
    telegram.clock.set(tomorrow_at(10))
    for user in (BLOCKED, OTHER):
        await telegram.say(user, "こんにちは")
        await telegram.press(user, "提案の下書きをつくる")
        await telegram.say(user, "株式会社てれぐら")
    assert telegram.app.reminders is not None
    telegram.clock.advance(timedelta(days=3))
    telegram.platform.fail_next("sendMessage", code=403, retry_after=None, description="Forbidden: bot was blocked by the user")

    assert await telegram.app.reminders.run_once() == 1
    assert telegram.reminders_to(BLOCKED) == [] and len(telegram.reminders_to(OTHER)) == 1
    assert await telegram.app.events.is_active("telegram", str(BLOCKED)) is False

    await telegram.say(BLOCKED, "最初から")  # a new draft later: still blocked as far as the bot knows
    await telegram.press(BLOCKED, "はい")
    await telegram.press(BLOCKED, "提案の下書きをつくる")
    await telegram.say(BLOCKED, "株式会社あたらしい")
    telegram.clock.advance(timedelta(days=3))
    assert await telegram.app.reminders.run_once() == 0
