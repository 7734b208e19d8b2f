"""The whole server as `kyoso serve` wires it: a staff reply in the console reaches the proposer on LINE."""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace
from zoneinfo import ZoneInfo

import aiohttp
from aiohttp import web

from bot.app import build_app
from bot.clock import SystemClock
from bot.core.messages import UserKey
from bot.emulators.line import LineEmulator
from bot.server.app import create_server_app
from bot.settings import REPOSITORY_ROOT, Settings
from bot.staff.setup import build_staff_apps
from storage.queue import RetryPolicy
from storage.sql_store import create_engine_for
from storage.staff import SqlStaff
from tests.line.conftest import FAST, SECRET, TOKEN
from tests.proposals import make_submission, submit
from tests.staff.conftest import PASSWORD, PASSWORD_HASH

PROPOSER = UserKey(channel="line", user_id="U" + "a" * 32)


async def test_a_staff_reply_is_pushed_to_the_proposer_on_line(database_url: str) -> None:
    emulator = LineEmulator(channel_secret=SECRET, access_token=TOKEN)
    await emulator.start()
    settings = Settings(
        database_url=database_url, content_dir=REPOSITORY_ROOT, session_secret="s" * 40,
        LINE_CHANNEL_SECRET=SECRET, LINE_CHANNEL_ACCESS_TOKEN=TOKEN, LINE_API_BASE_URL=emulator.url,
    )
    app = await build_app(settings)
    clock = SystemClock(ZoneInfo(settings.timezone))
    server = create_server_app(
        app, settings, replace(FAST, mounts=lambda messengers: build_staff_apps(settings, app.content, app.store, clock, messengers)), clock
    )
    runner = web.AppRunner(server, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    base = f"http://{host}:{port}"
    staff_engine = create_engine_for(database_url)
    try:
        staff = SqlStaff(staff_engine, RetryPolicy())
        now = clock.now()
        await staff.add_user("sato", PASSWORD_HASH, now)
        await staff.set_password("sato", PASSWORD_HASH, temporary=False, now=now)
        reference = await submit(app.store, make_submission(user=PROPOSER))

        async with aiohttp.ClientSession(base_url=base, cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:
            await _post(browser, "/staff/login", {"name": "sato", "password": PASSWORD})
            page = f"/staff/drafts/{reference}"
            assert "公園で子ども食堂" in await (await browser.get(page)).text()
            await _post(browser, f"{page}/replies", {"text": "ご提案ありがとうございます。担当から連絡します。"}, page)

        for _ in range(100):
            if "ご提案ありがとうございます。担当から連絡します。" in emulator.texts(PROPOSER.user_id):
                break
            await asyncio.sleep(0.05)
        assert emulator.texts(PROPOSER.user_id) == ["ご提案ありがとうございます。担当から連絡します。"]
    finally:
        await staff_engine.dispose()
        await runner.cleanup()
        await app.close()
        await emulator.close()


async def _post(browser: aiohttp.ClientSession, path: str, data: dict[str, str], form_page: str | None = None) -> None:
    form = await (await browser.get(form_page or path)).text()
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token, f"no CSRF token on {form_page or path}"
    response = await browser.post(path, data={**data, "csrf_token": token.group(1)}, allow_redirects=False)
    assert response.status == 303, await response.text()
