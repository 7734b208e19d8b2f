"""The console in headless Chromium: a draft submitted through the core engine, worked on by a staff member."""

from __future__ import annotations

import asyncio
import csv
import os
import re
import sys
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest
from aiohttp import web

from bot.content.loader import Content
from bot.core.messages import UserKey
from storage.sql_store import SqlStore
from tests.helpers import FakeClock, visible_text
from tests.proposals import JST, submit_through_engine
from tests.staff.conftest import make_services, mount

playwright_api = pytest.importorskip("playwright.async_api")

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists() and os.environ.get("CI") != "true",
    reason="Chromium is not installed: run scripts/install-browser (CI does)",
)
EVIL_TITLE = "<script>document.title='pwned'</script>見守りウォーキング"


@pytest.fixture
async def console_url(store: SqlStore, database_url: str, content: Content) -> AsyncIterator[str]:
    """The console on a real TCP port, as the browser needs."""
    clock = FakeClock(datetime(2026, 11, 25, 15, 0, tzinfo=JST))
    services, engine = await make_services(store, database_url, content, clock)
    runner = web.AppRunner(mount(services))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield f"http://127.0.0.1:{port}/staff"
    await runner.cleanup()
    await engine.dispose()


@pytest.fixture
async def page():  # type: ignore[no-untyped-def]
    async with playwright_api.async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = await browser.new_context(accept_downloads=True, locale="ja-JP")
        yield await context.new_page()
        await browser.close()


async def one_time_password(database_url: str, name: str) -> str:
    """Run `kyoso staff add NAME` as an operator would, and read the password it prints."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "staff", "add", name,
        env={**os.environ, "KYOSO_DATABASE_URL": database_url}, stdout=asyncio.subprocess.PIPE,
    )
    output, _ = await process.communicate()
    assert process.returncode == 0, output
    found = re.search(rb"one-time password for \S+: (\S+)", output)
    assert found, output
    return found.group(1).decode()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_staff_log_in_find_a_draft_change_its_status_reply_and_export(  # type: ignore[no-untyped-def]
    store: SqlStore, database_url: str, content: Content, console_url: str, page, tmp_path: Path
) -> None:
    proposer = UserKey(channel="web", user_id="w-proposer")
    clock = FakeClock(datetime(2026, 11, 25, 10, 0, tzinfo=JST))
    said = visible_text(await submit_through_engine(
        content, store, proposer, clock, replace={"多摩川沿いの見守りウォーキング": EVIL_TITLE}
    ))
    reference = re.search(r"KY-\d{4}-\d{4}", said).group(0)  # type: ignore[union-attr]
    password = await one_time_password(database_url, "tanaka")

    # Without a session every page leads to the log-in.
    await page.goto(f"{console_url}/drafts/{reference}")
    assert await page.locator("h1").inner_text() == "ログイン"

    await page.fill("input[name=name]", "tanaka")
    await page.fill("input[name=password]", password)
    await page.click("text=ログインする")
    assert await page.locator("h1").inner_text() == "パスワードの変更"
    await page.fill("input[name=current]", password)
    await page.fill("input[name=new]", "tanaka-own-passphrase")
    await page.fill("input[name=again]", "tanaka-own-passphrase")
    await page.click("text=変更する")
    assert await page.locator("h1").inner_text() == "提案の一覧"

    # Find the draft by searching for its organisation.
    await page.fill("input[name=q]", "ふちゅうまちづくり")
    await page.click("text=絞り込む")
    await page.click(f"text={reference}")
    assert await page.title() != "pwned", "the proposer's <script> did not run"
    heading = await page.locator("h1").inner_text()
    assert heading == f"{reference} {EVIL_TITLE}", "the proposer's text is shown as text"

    await page.check("input[name=status][value=確認中]")
    await page.fill("form[action$='/status'] textarea[name=note]", "内容を確認します")
    await page.click("text=状態を変更する")
    assert await page.locator("#current-status").inner_text() == "確認中"
    assert "受付 → 確認中（内容を確認します）" in await page.locator("#audit").inner_text()

    await page.fill("form[action$='/replies'] textarea[name=text]", "ご提案ありがとうございます。")
    await page.click("text=提案者に送る")
    assert "ご提案ありがとうございます。" in await page.locator("body").inner_text()

    await page.click("text=提案の一覧")
    async with page.expect_download() as download_info:
        await page.click("text=CSVで書き出す（Excel用）")
    download = await download_info.value
    saved = tmp_path / "drafts.csv"
    await download.save_as(saved)
    rows = list(csv.reader(saved.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[1][:2] == [reference, "確認中"] and EVIL_TITLE in rows[1]

    # A form posted without its CSRF token is refused, even with a valid session.
    refused = await page.request.post(f"{console_url}/drafts/{reference}/status",
                                      form={"current": "確認中", "status": "見送り"})
    assert refused.status == 403
    assert (await store.get_draft(reference)).status == "確認中"  # type: ignore[union-attr]

    await page.click("text=ログアウト")
    refused = await page.request.get(f"{console_url}/export.csv")
    assert refused.status == 401
