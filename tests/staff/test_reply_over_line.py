"""The whole server as `kyoso serve` wires it: a staff reply in the console reaches the proposer on LINE."""

from __future__ import annotations

import aiohttp

from bot.core.messages import UserKey
from tests.harness import PASSWORD, line_emulator, line_settings, post_form
from tests.helpers import wait_until
from tests.proposals import make_submission, submit
from tests.staff.serving import running_server

PROPOSER = UserKey(channel="line", user_id="U" + "a" * 32)
REPLY = "ご提案ありがとうございます。担当から連絡します。"


async def test_a_staff_reply_is_pushed_to_the_proposer_on_line(database_url: str) -> None:
    async with line_emulator() as emulator, running_server(line_settings(database_url, emulator)) as server:
        reference = await submit(server.app.store, make_submission(user=PROPOSER))
        async with aiohttp.ClientSession(base_url=server.url, cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:
            await post_form(browser, "/staff/login", {"name": "sato", "password": PASSWORD})
            page = f"/staff/drafts/{reference}"
            assert "公園で子ども食堂" in await (await browser.get(page)).text()
            await post_form(browser, f"{page}/replies", {"text": REPLY}, page)
        framed = f"【市民協働推進部 協働共創推進課の担当者より（受付番号: {reference}）】\n{REPLY}"
        await wait_until(lambda: emulator.texts(PROPOSER.user_id), what="the reply on LINE")
        assert emulator.texts(PROPOSER.user_id) == [framed], "the reply names the draft's reference number"
