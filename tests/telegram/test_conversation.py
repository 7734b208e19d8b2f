"""The transcripts of tests/transcripts/, played on Telegram: typing, and pressing the inline buttons the bot offered.

The bot side is our adapter with the real python-telegram-bot client and the
durable turn (``DurableTurns``) without its queue: each update as it comes, in
polling mode (``poll``) and in webhook mode (the emulator pushes to a small
endpoint that calls the same function).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from telegram import Bot

from bot.channels.telegram import CHANNEL
from bot.channels.telegram.polling import poll
from bot.channels.telegram.processor import TelegramUpdates
from bot.channels.telegram.sender import TelegramSender
from bot.content.loader import Content
from bot.emulators.telegram import TelegramEmulator
from bot.faq.matcher import FaqIndex
from bot.ingest.events import StoredEvent
from bot.ingest.turns import DurableTurns
from bot.settings import Settings
from tests.harness import START, TRANSCRIPTS, CoreSession, TelegramPlayer, check_stored, play_transcript, playable_on_platforms
from tests.helpers import FakeClock, serve_locally

SECRET = "test-secret_123"


class Adapter:
    """The engine on the test database, our Telegram adapter in front of it, and the emulator's user 1001."""

    def __init__(self, platform: TelegramEmulator, turns: DurableTurns, session: CoreSession) -> None:
        self.platform, self.turns, self.session = platform, turns, session
        self.handled: set[int] = set()

    async def on_update(self, update_json: dict[str, Any]) -> None:
        update_id = update_json["update_id"]
        await self.turns(StoredEvent(
            id=update_id, channel=CHANNEL, event_id=str(update_id), user_id="", occurred_at=0, body=json.dumps(update_json),
            attempts=0, claims=0, sent=0,
        ))
        self.handled.add(update_id)

    async def settle(self, update: dict[str, Any]) -> None:
        await self.platform.wait_until(lambda: update["update_id"] in self.handled, timeout=30)


@pytest.fixture(params=["polling", "webhook"])
async def adapter(
    request: pytest.FixtureRequest,
    roomy_emulator: TelegramEmulator,
    roomy_bot: Bot,
    content: Content,
    faq_index: FaqIndex,
    database_url: str,
) -> AsyncIterator[Adapter]:
    session = CoreSession(content, faq_index, database_url, FakeClock(START))
    await session.start()
    assert session.engine is not None
    updates = TelegramUpdates(TelegramSender(roomy_bot), Settings().telegram_commands, lambda: content.common.messages.one_to_one)
    adapter = Adapter(roomy_emulator, DurableTurns({CHANNEL: updates}, session.engine.handle_event), session)
    if request.param == "polling":
        polling = asyncio.create_task(poll(roomy_bot, adapter.on_update, timeout=1, pause=0.1))
        yield adapter
        polling.cancel()
        await asyncio.gather(polling, return_exceptions=True)
    else:
        runner = await _webhook_endpoint(adapter, roomy_bot)
        yield adapter
        await roomy_bot.delete_webhook()
        await runner.cleanup()
    await session.close()


async def _webhook_endpoint(adapter: Adapter, bot: Bot) -> web.AppRunner:
    """What the shared server's ``POST /webhooks/telegram`` will do, minus the durable store."""

    async def receive(request: web.Request) -> web.Response:
        if request.headers.get("X-Telegram-Bot-Api-Secret-Token") != SECRET:
            return web.Response(status=401)
        await adapter.on_update(await request.json())
        return web.Response()

    app = web.Application()
    app.router.add_post("/webhooks/telegram", receive)
    runner, url = await serve_locally(app)
    await bot.set_webhook(f"{url}/webhooks/telegram", secret_token=SECRET)
    return runner


CASES = [pytest.param(path, "polling", id=f"polling-{path.stem}") for path in TRANSCRIPTS if playable_on_platforms(path)] + [
    pytest.param(path, "webhook", id=f"webhook-{path.stem}") for path in TRANSCRIPTS if path.stem == "happy_path"
]


@pytest.mark.parametrize(("path", "adapter"), CASES, indirect=["adapter"])
async def test_transcript_on_telegram(path: Path, adapter: Adapter) -> None:
    script = await play_transcript(TelegramPlayer(adapter.platform, adapter.settle), path)
    if "stored" in script:
        assert adapter.session.store is not None
        await check_stored(adapter.session.store, script["stored"], CHANNEL, "1001")


async def test_a_group_is_asked_to_talk_one_to_one(adapter: Adapter, content: Content) -> None:
    update = await adapter.platform.group_message("/start@kyoso_emulator_bot", chat_id=-4242)
    await adapter.settle(update)
    assert [message.text for message in adapter.platform.sent_to(-4242)] == [content.common.messages.one_to_one]
    assert adapter.platform.sent_to(1001) == []
