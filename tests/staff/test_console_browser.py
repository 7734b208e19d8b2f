"""The console in headless Chromium, on the server `kyoso serve` builds: a draft a proposer sent over LINE
(through the LINE emulator) is found, moved on and answered by a staff member; the answer reaches LINE."""

from __future__ import annotations

import asyncio
import csv
import os
import re
import sys
from pathlib import Path

import pytest

from bot.emulators.line import LineEmulator
from bot.settings import REPOSITORY_ROOT, Settings
from storage.sql_store import SqlStore
from tests.harness import SECRET, TOKEN
from tests.proposals import HAPPY_PATH
from tests.staff.serving import running_server

playwright_api = pytest.importorskip("playwright.async_api")

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists() and os.environ.get("CI") != "true",
    reason="Chromium is not installed: run scripts/install-browser (CI does)",
)
EVIL_TITLE = "<script>document.title='pwned'</script>見守りウォーキング"
PROPOSER = "U" + "b" * 32
REPLY = "ご提案ありがとうございます。担当から連絡します。"


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
    database_url: str, line: LineEmulator, page, tmp_path: Path
) -> None:
    settings = Settings(
        database_url=database_url, content_dir=REPOSITORY_ROOT, session_secret="s" * 40, faq_embeddings=False,
        LINE_CHANNEL_SECRET=SECRET, LINE_CHANNEL_ACCESS_TOKEN=TOKEN, LINE_API_BASE_URL=line.url,
    )
    async with running_server(settings) as server:
        await server.play_over_line(line, PROPOSER, HAPPY_PATH, {"多摩川沿いの見守りウォーキング": EVIL_TITLE})
        said = "\n".join(line.texts(PROPOSER))
        reference = re.search(r"KY-\d{4}-\d{4}", said).group(0)  # type: ignore[union-attr]
        await _work_on_the_draft(server.url + "/staff", server.app.store, database_url, reference, page, tmp_path)
        framed = f"【市民協働推進部 協働共創推進課の担当者より（受付番号: {reference}）】\n{REPLY}"
        for _ in range(100):
            if framed in line.texts(PROPOSER):
                break
            await asyncio.sleep(0.05)
        assert line.texts(PROPOSER)[-1] == framed, "the staff reply reached the proposer on LINE, with its reference"


async def _work_on_the_draft(  # type: ignore[no-untyped-def]
    console_url: str, store: SqlStore, database_url: str, reference: str, page, tmp_path: Path
) -> None:
    password = await one_time_password(database_url, "tanaka")

    # Without a session every page leads to the log-in.
    await page.goto(f"{console_url}/drafts/{reference}")
    assert await page.locator("h1").inner_text() == "ログイン"

    await page.fill("input[name=name]", "tanaka")
    await page.fill("input[name=password]", password)
    await page.click("text=ログインする")
    assert await page.locator("h1").inner_text() == "パスワードの変更"
    await page.fill("input[name=current]", password)
    await page.fill("input[name=new]", "a-passphrase-of-my-own")
    await page.fill("input[name=again]", "a-passphrase-of-my-own")
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

    await page.fill("form[action$='/replies'] textarea[name=text]", REPLY)
    await page.click("text=提案者に送る")
    assert REPLY in await page.locator("body").inner_text()

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
