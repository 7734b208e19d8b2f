"""LINE's or Telegram's API down for a while, then back: the answers and the staff notices go out, each once."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.channels.telegram.client import register_webhook
from bot.channels.telegram.setup import WEBHOOK_PATH
from bot.emulators.line import LineEmulator
from bot.emulators.telegram import DEFAULT_TOKEN, TelegramEmulator
from bot.ingest.worker import INGEST_RETRY, IngestPolicy
from bot.settings import REPOSITORY_ROOT, Settings
from tests.harness import FAST, NO_FLOOD, PATIENT_WEBHOOK, SECRET, TOKEN
from tests.helpers import wait_until
from tests.proposals import make_submission, submit
from tests.staff.serving import running_server

USER = "U" + "7" * 32
STAFF_GROUP = "C" + "e" * 32
STAFF_CHAT = -1009876543210
QUESTION, ANSWER = "共創とは何ですか？", "立場の異なる協働相手"
MENU = "ご用件を選んでください"
PATIENT = replace(FAST, ingest=IngestPolicy(retry=replace(INGEST_RETRY, first_delay=timedelta(seconds=0.5), max_attempts=10), sweep_every=0.2))
"""Retries for a minute: the outage lasts until the staff notice was tried too (the outbox polls every 5 s)."""


def _settings(database_url: str, **channel: str) -> Settings:
    return Settings(
        database_url=database_url, content_dir=REPOSITORY_ROOT, session_secret="s" * 40, faq_embeddings=False,
        handoff_retry_seconds=0.1, **channel,
    )


async def test_line_down_then_back_delivers_every_answer_and_staff_notice_once(database_url: str) -> None:
    line = LineEmulator(channel_secret=SECRET, access_token=TOKEN)
    await line.start()
    settings = _settings(
        database_url, staff_line_group_id=STAFF_GROUP,
        LINE_CHANNEL_SECRET=SECRET, LINE_CHANNEL_ACCESS_TOKEN=TOKEN, LINE_API_BASE_URL=line.url,
    )
    try:
        async with running_server(settings, PATIENT) as server:
            line.webhook_url = f"{server.url}/webhooks/line"
            assert await line.follow(USER) == 200
            await server.ingest.idle()

            line.unavailable = True
            assert await line.type(USER, QUESTION) == 200
            reference = await submit(server.app.store, make_submission())
            await wait_until(lambda: {("reply", 503), ("push", 503)} <= {(c.endpoint, c.status) for c in line.calls}
                         and any(c.body.get("to") == STAFF_GROUP for c in line.calls))
            line.unavailable = False

            await wait_until(lambda: any(ANSWER in text for text in line.texts(USER)))
            await wait_until(lambda: any(reference in text for text in line.texts(STAFF_GROUP)))
            await server.ingest.idle()
        assert sum(ANSWER in text for text in line.texts(USER)) == 1
        assert sum(MENU in text for text in line.texts(USER)) == 1  # the greeting before the outage
        assert [reference in text for text in line.texts(STAFF_GROUP)] == [True]
    finally:
        await line.close()


async def test_telegram_down_then_back_sends_nothing_twice(database_url: str) -> None:
    telegram = TelegramEmulator(limits=NO_FLOOD, webhook_policy=PATIENT_WEBHOOK)
    await telegram.start()
    await telegram.group_message("（職員のグループ）", chat_id=STAFF_CHAT, kind="group")
    settings = _settings(
        database_url, staff_telegram_chat_id=str(STAFF_CHAT),
        TELEGRAM_BOT_TOKEN=DEFAULT_TOKEN, TELEGRAM_API_BASE_URL=telegram.url, TELEGRAM_WEBHOOK_SECRET="outage-test_1",
    )
    try:
        async with running_server(settings, PATIENT) as server:
            await register_webhook(DEFAULT_TOKEN, telegram.url, server.url + WEBHOOK_PATH, "outage-test_1")
            # The greeting's first message goes out, then Telegram fails three times.
            telegram.fail_next("sendMessage", code=502, retry_after=None, times=3, after=1)
            await telegram.user_sends("/start")

            def texts() -> list[str]:
                return [message.text for message in telegram.sent_to(1001)]

            await telegram.wait_until(lambda: any(MENU in text for text in texts()), timeout=30)
            telegram.fail_next("sendMessage", code=502, retry_after=None, times=2)  # then the staff notice waits
            reference = await submit(server.app.store, make_submission())
            await telegram.wait_until(
                lambda: any(reference in message.text for message in telegram.sent_to(STAFF_CHAT)), timeout=30
            )
            await server.ingest.idle()
        assert len(texts()) == len(set(texts())) == 2
        assert sum(reference in message.text for message in telegram.sent_to(STAFF_CHAT)) == 1
    finally:
        await telegram.stop()
