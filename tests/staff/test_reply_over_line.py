"""The whole server as `kyoso serve` wires it: a staff reply in the console reaches the proposer on LINE."""

from __future__ import annotations

import asyncio
import re

import aiohttp

from bot.core.messages import UserKey
from bot.emulators.line import LineEmulator
from bot.settings import REPOSITORY_ROOT, Settings
from tests.line.conftest import SECRET, TOKEN
from tests.proposals import make_submission, submit
from tests.staff.conftest import PASSWORD
from tests.staff.serving import running_server

PROPOSER = UserKey(channel="line", user_id="U" + "a" * 32)
REPLY = "ご提案ありがとうございます。担当から連絡します。"


async def test_a_staff_reply_is_pushed_to_the_proposer_on_line(database_url: str) -> None:
    emulator = LineEmulator(channel_secret=SECRET, access_token=TOKEN)
    await emulator.start()
    settings = Settings(
        database_url=database_url, content_dir=REPOSITORY_ROOT, session_secret="s" * 40, faq_embeddings=False,
        LINE_CHANNEL_SECRET=SECRET, LINE_CHANNEL_ACCESS_TOKEN=TOKEN, LINE_API_BASE_URL=emulator.url,
    )
    try:
        async with running_server(settings) as server:
            reference = await submit(server.app.store, make_submission(user=PROPOSER))
            async with aiohttp.ClientSession(base_url=server.url, cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:
                await _post(browser, "/staff/login", {"name": "sato", "password": PASSWORD})
                page = f"/staff/drafts/{reference}"
                assert "公園で子ども食堂" in await (await browser.get(page)).text()
                await _post(browser, f"{page}/replies", {"text": REPLY}, page)
            framed = f"【市民協働推進部 協働共創推進課の担当者より（受付番号: {reference}）】\n{REPLY}"
            for _ in range(100):
                if framed in emulator.texts(PROPOSER.user_id):
                    break
                await asyncio.sleep(0.05)
            assert emulator.texts(PROPOSER.user_id) == [framed], "the reply names the draft's reference number"
    finally:
        await emulator.close()


async def _post(browser: aiohttp.ClientSession, path: str, data: dict[str, str], form_page: str | None = None) -> None:
    form = await (await browser.get(form_page or path)).text()
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token, f"no CSRF token on {form_page or path}"
    response = await browser.post(path, data={**data, "csrf_token": token.group(1)}, allow_redirects=False)
    assert response.status == 303, await response.text()
