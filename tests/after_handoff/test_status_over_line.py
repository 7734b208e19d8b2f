"""The whole server as `kyoso serve` wires it: staff move a draft in the console, the proposer hears of it on LINE."""

from __future__ import annotations

import asyncio

import aiohttp

from bot.core.messages import UserKey
from bot.emulators.line import LineEmulator
from bot.settings import REPOSITORY_ROOT, Settings
from tests.line.conftest import SECRET, TOKEN
from tests.proposals import make_submission, submit
from tests.staff.conftest import PASSWORD
from tests.staff.serving import running_server
from tests.staff.test_reply_over_line import _post as post

PROPOSER = UserKey(channel="line", user_id="U" + "b" * 32)
FRAME = "【市民協働推進部 協働共創推進課より（受付番号: {reference}）】\n"


async def test_status_moves_reach_the_proposer_once_each_and_a_silent_move_sends_nothing(database_url: str) -> None:
    emulator = LineEmulator(channel_secret=SECRET, access_token=TOKEN)
    await emulator.start()
    settings = Settings(
        database_url=database_url, content_dir=REPOSITORY_ROOT, session_secret="s" * 40, faq_embeddings=False,
        LINE_CHANNEL_SECRET=SECRET, LINE_CHANNEL_ACCESS_TOKEN=TOKEN, LINE_API_BASE_URL=emulator.url,
    )
    try:
        async with running_server(settings) as server:
            reference = await submit(server.app.store, make_submission(user=PROPOSER))
            frame = FRAME.format(reference=reference)
            async with aiohttp.ClientSession(base_url=server.url, cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:
                await post(browser, "/staff/login", {"name": "sato", "password": PASSWORD})
                page = f"/staff/drafts/{reference}"
                await post(browser, f"{page}/status", {"current": "受付", "status": "確認中", "note": "内部のメモ"}, page)
                checking = frame + "ご提案「公園で子ども食堂」の内容を、担当者が確認しています。確認が終わりましたら、あらためてお知らせします。"
                await arrived(emulator, [checking])
                await post(browser, f"{page}/status", {"current": "確認中", "status": "見送り",
                                                       "personal": "別の制度もご案内できます。"}, page)
                declined = (frame + "ご提案「公園で子ども食堂」は、今回は見送らせていただくことになりました。ご提案いただき、"
                            "ありがとうございました。\n担当者より: 別の制度もご案内できます。")
                await arrived(emulator, [checking, declined])
                # Opened again: dialogs/after_handoff.yaml sends nothing for 見送り→確認中.
                await post(browser, f"{page}/status", {"current": "見送り", "status": "確認中"}, page)
                shown = await (await browser.get(page)).text()
                assert "別の制度もご案内できます。" in shown, "the audit log keeps the personal line"
                assert "内部のメモ" not in "".join(emulator.texts(PROPOSER.user_id)), "the staff note stays inside"
            await asyncio.sleep(0.3)
            assert emulator.texts(PROPOSER.user_id) == [checking, declined], "once each; the silent move sent nothing"
    finally:
        await emulator.close()


async def arrived(emulator: LineEmulator, expected: list[str]) -> None:
    for _ in range(100):
        if emulator.texts(PROPOSER.user_id) == expected:
            return
        await asyncio.sleep(0.05)
    assert emulator.texts(PROPOSER.user_id) == expected
