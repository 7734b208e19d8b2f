"""The whole server as `kyoso serve` wires it: staff move a draft in the console, the proposer hears of it on LINE."""

from __future__ import annotations

import asyncio

import aiohttp

from bot.core.messages import UserKey
from bot.emulators.line import LineEmulator
from tests.harness import PASSWORD, line_emulator, line_settings, post_form
from tests.helpers import wait_until
from tests.proposals import make_submission, submit
from tests.staff.serving import running_server

PROPOSER = UserKey(channel="line", user_id="U" + "b" * 32)
FRAME = "【市民協働推進部 協働共創推進課より（受付番号: {reference}）】\n"


async def test_status_moves_reach_the_proposer_once_each_and_a_silent_move_sends_nothing(database_url: str) -> None:
    async with line_emulator() as emulator, running_server(line_settings(database_url, emulator)) as server:
        reference = await submit(server.app.store, make_submission(user=PROPOSER))
        frame = FRAME.format(reference=reference)
        async with aiohttp.ClientSession(base_url=server.url, cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:
            await post_form(browser, "/staff/login", {"name": "sato", "password": PASSWORD})
            page = f"/staff/drafts/{reference}"
            await post_form(browser, f"{page}/status", {"current": "受付", "status": "確認中", "note": "内部のメモ"}, page)
            checking = frame + "ご提案「公園で子ども食堂」の内容を、担当者が確認しています。確認が終わりましたら、あらためてお知らせします。"
            await arrived(emulator, [checking])
            await post_form(browser, f"{page}/status", {"current": "確認中", "status": "見送り",
                                                        "personal": "別の制度もご案内できます。"}, page)
            declined = (frame + "ご提案「公園で子ども食堂」は、今回は見送らせていただくことになりました。ご提案いただき、"
                        "ありがとうございました。\n担当者より: 別の制度もご案内できます。")
            await arrived(emulator, [checking, declined])
            # Opened again: dialogs/after_handoff.yaml sends nothing for 見送り→確認中.
            await post_form(browser, f"{page}/status", {"current": "見送り", "status": "確認中"}, page)
            shown = await (await browser.get(page)).text()
            assert "別の制度もご案内できます。" in shown, "the audit log keeps the personal line"
            assert "内部のメモ" not in "".join(emulator.texts(PROPOSER.user_id)), "the staff note stays inside"
        await asyncio.sleep(0.3)
        assert emulator.texts(PROPOSER.user_id) == [checking, declined], "once each; the silent move sent nothing"


async def arrived(emulator: LineEmulator, expected: list[str]) -> None:
    await wait_until(lambda: len(emulator.texts(PROPOSER.user_id)) >= len(expected), what=f"{len(expected)} messages on LINE")
    assert emulator.texts(PROPOSER.user_id) == expected
