"""A status notice whose push fails is retried and reaches the proposer once: after LINE refused it (the outbox
tries again later) and after LINE took it but the answer was lost (the same retry key: LINE says 409)."""

from __future__ import annotations

import asyncio

import aiohttp

from bot.core.messages import UserKey
from bot.emulators.line import LineEmulator
from bot.emulators.line.platform import Fault
from bot.settings import REPOSITORY_ROOT, Settings
from storage.staff import Reply
from tests.harness import PASSWORD, SECRET, TOKEN
from tests.harness import post_form as post
from tests.proposals import make_submission, submit
from tests.staff.serving import Running, running_server

PROPOSER = UserKey(channel="line", user_id="U" + "e" * 32)
CHECKING = "ご提案「公園で子ども食堂」の内容を、担当者が確認しています。"
COORDINATING = "ご提案「公園で子ども食堂」について、市の担当課と調整しています。"
ATTEMPTS_PER_PUSH = 4  # the LINE sender's own tries (tests.harness.FAST: 3 delays) before the outbox retries


async def test_a_failed_status_push_is_retried_and_shown_once(database_url: str) -> None:
    emulator = LineEmulator(channel_secret=SECRET, access_token=TOKEN)
    await emulator.start()
    settings = Settings(
        database_url=database_url, content_dir=REPOSITORY_ROOT, session_secret="s" * 40, faq_embeddings=False,
        LINE_CHANNEL_SECRET=SECRET, LINE_CHANNEL_ACCESS_TOKEN=TOKEN, LINE_API_BASE_URL=emulator.url,
        handoff_retry_seconds=0.1,
    )
    try:
        async with running_server(settings) as server:
            reference = await submit(server.app.store, make_submission(user=PROPOSER))
            page = f"/staff/drafts/{reference}"
            async with aiohttp.ClientSession(base_url=server.url, cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:
                await post(browser, "/staff/login", {"name": "sato", "password": PASSWORD})

                emulator.fail_next("push", Fault(status=500), times=ATTEMPTS_PER_PUSH)  # every try of the first attempt
                await post(browser, f"{page}/status", {"current": "受付", "status": "確認中"}, page)
                [notice] = await _settled(server, reference, 1)
                assert (notice.status, notice.attempts) == ("sent", 2), "refused once, sent on the outbox's retry"

                emulator.fail_next("push", Fault(status=500, delivered=True))  # LINE took it, the answer was lost
                await post(browser, f"{page}/status", {"current": "確認中", "status": "担当課調整中"}, page)
                notices = await _settled(server, reference, 2)
                assert [reply.status for reply in notices] == ["sent", "sent"]
            texts = emulator.texts(PROPOSER.user_id)
            assert [CHECKING in text for text in texts] == [True, False] and COORDINATING in texts[1], texts
    finally:
        await emulator.close()


async def _settled(server: Running, reference: str, count: int) -> list[Reply]:
    """The draft's status notices once ``count`` of them are no longer waiting (the outbox works in the background)."""
    for _ in range(200):
        notices = (await server.app.staff.services.staff.activity(reference)).notices
        if len(notices) == count and all(notice.status != "pending" for notice in notices):
            return notices
        await asyncio.sleep(0.05)
    raise AssertionError(f"still waiting: {notices}")
