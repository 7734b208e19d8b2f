"""A proposer answers a staff reply on LINE: the answer goes to the draft's page and to staff, and the proposer is told.

The whole server as `kyoso serve` runs it (LINE emulator, ingest, console, dispatchers), with a webhook as the
staff sink so the notice can be seen arriving.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
from aiohttp import web

from bot.emulators.line import LineEmulator
from bot.handoff.webhook_sink import EVENT_HEADER
from bot.settings import REPOSITORY_ROOT, Settings
from storage.answers import SqlAnswers
from storage.queue import OUTBOX_RETRY
from storage.sql_store import create_engine_for
from tests.harness import PASSWORD, SECRET, TOKEN, post_form
from tests.helpers import serve_locally, wait_until
from tests.proposals import HAPPY_PATH
from tests.staff.serving import running_server

PROPOSER = "U" + "b" * 32
REPLY = "ご提案ありがとうございます。公園の使用時間の希望を教えてください。"
ANSWER = "平日の午後3時から5時を考えています。"
MORE = "雨の日は集会所を使いたいです。"


@asynccontextmanager
async def webhook_receiver() -> AsyncIterator[tuple[str, list[tuple[str, dict[str, Any]]]]]:
    """A staff system's webhook: the URL, and (event, body) of every POST it got."""
    received: list[tuple[str, dict[str, Any]]] = []

    async def receive(request: web.Request) -> web.Response:
        received.append((request.headers[EVENT_HEADER], json.loads(await request.read())))
        return web.Response(status=204)

    app = web.Application()
    app.router.add_post("/hook", receive)
    runner, url = await serve_locally(app)
    try:
        yield f"{url}/hook", received
    finally:
        await runner.cleanup()


async def test_an_answer_to_a_staff_reply_reaches_staff_and_the_proposer_is_told(database_url: str) -> None:
    emulator = LineEmulator(channel_secret=SECRET, access_token=TOKEN)
    await emulator.start()
    async with webhook_receiver() as (hook, received):
        settings = Settings(
            database_url=database_url, content_dir=REPOSITORY_ROOT, session_secret="s" * 40, faq_embeddings=False,
            LINE_CHANNEL_SECRET=SECRET, LINE_CHANNEL_ACCESS_TOKEN=TOKEN, LINE_API_BASE_URL=emulator.url,
            handoff_webhook_url=hook, handoff_webhook_secret="w" * 32,
        )
        try:
            async with running_server(settings) as server:
                await server.play_over_line(emulator, PROPOSER, HAPPY_PATH, {})
                [draft] = await server.app.store.list_drafts()
                reference, page = draft.reference, f"/staff/drafts/{draft.reference}"
                async with aiohttp.ClientSession(base_url=server.url, cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:
                    await post_form(browser, "/staff/login", {"name": "sato", "password": PASSWORD})
                    assert "職員からの返信に、提案者が答えるとここに表示されます。" in await (await browser.get(page)).text()
                    await post_form(browser, f"{page}/replies", {"text": REPLY}, page)
                    framed = f"【市民協働推進部 協働共創推進課の担当者より（受付番号: {reference}）】\n{REPLY}"
                    await wait_until(lambda: framed in emulator.texts(PROPOSER), "the reply on LINE")

                    for text in (ANSWER, MORE):
                        assert await emulator.type(PROPOSER, text) == 200
                        await server.ingest.idle()
                        told = emulator.texts(PROPOSER)[-1]
                        assert told.startswith(f"いただいた内容を、担当者にお伝えしました（受付番号: {reference}）。"), told
                        assert [item["action"]["label"] for item in emulator.quick_replies(PROPOSER)] == ["再開"]

                    shown = await (await browser.get(page)).text()
                    assert "提案者からの返信" in shown and ANSWER in shown and MORE in shown
                    assert shown.index(ANSWER) < shown.index(MORE)

                    await emulator.tap(PROPOSER, "再開")
                    await server.ingest.idle()
                    assert "ご用件を選んでください" in emulator.texts(PROPOSER)[-1], "再開: back to where the bot was"
                    await emulator.type(PROPOSER, "予算はいくらですか？")
                    await server.ingest.idle()
                    assert "700万円" in emulator.texts(PROPOSER)[-1], "once back with the bot, a question is the FAQ's again"

                database = create_engine_for(database_url)
                try:
                    stored = await SqlAnswers(database, OUTBOX_RETRY).for_draft(reference)
                finally:
                    await database.dispose()
                assert [(answer.text, answer.channel) for answer in stored] == [(ANSWER, "line"), (MORE, "line")]

                await wait_until(lambda: any(event == "proposer_answered" for event, _ in received), "the staff notice")
                await asyncio.sleep(0.5)  # a second notice, were one queued, would come with the same round
                notices = [body for event, body in received if event == "proposer_answered"]
                assert len(notices) == 1, "one notice per staff reply answered, not one per message"
                assert (notices[0]["reference"], notices[0]["text"]) == (reference, ANSWER)
                assert notices[0]["console_url"].endswith(page)
        finally:
            await emulator.close()
