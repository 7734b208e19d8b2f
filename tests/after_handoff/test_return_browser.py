"""The 差し戻し loop end to end: staff return a draft in the console (headless Chromium), the proposer revises it
on LINE (the emulator) and resubmits; the console then shows the old and new value of each field."""

from __future__ import annotations

import asyncio
import re

import pytest

from bot.emulators.line import LineEmulator
from bot.settings import REPOSITORY_ROOT, Settings
from tests.harness import PASSWORD, SECRET, TOKEN
from tests.proposals import HAPPY_PATH
from tests.staff.console import line  # noqa: F401 - the LINE emulator fixture
from tests.staff.serving import running_server
from tests.staff.test_console_browser import page, pytestmark  # noqa: F401 - Chromium, skipped when missing

PROPOSER = "U" + "c" * 32
OLD_TITLE, NEW_TITLE = "多摩川沿いの見守りウォーキング", "多摩川沿いの見守りウォーキングと健康相談"
OLD_RESULTS, NEW_RESULTS = "1年で延べ500人が参加し、見守りの登録者を50人増やす", "1年で延べ500人が参加し、登録者を50人、相談を100件"


async def said_on_line(emulator: LineEmulator, wanted: str) -> str:
    for _ in range(100):
        if wanted in (said := "\n".join(emulator.texts(PROPOSER))):
            return said
        await asyncio.sleep(0.05)
    raise AssertionError(f"{wanted!r} never reached LINE; said:\n" + "\n".join(emulator.texts(PROPOSER)[-3:]))


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_staff_return_a_draft_the_proposer_revises_it_on_line_and_the_console_shows_what_changed(  # type: ignore[no-untyped-def]
    database_url: str, line: LineEmulator, page,  # noqa: F811
) -> None:
    settings = Settings(
        database_url=database_url, content_dir=REPOSITORY_ROOT, session_secret="s" * 40, faq_embeddings=False,
        LINE_CHANNEL_SECRET=SECRET, LINE_CHANNEL_ACCESS_TOKEN=TOKEN, LINE_API_BASE_URL=line.url,
    )
    async with running_server(settings) as server:
        await server.play_over_line(line, PROPOSER, HAPPY_PATH, {})
        reference = re.search(r"KY-\d{4}-\d{4}", "\n".join(line.texts(PROPOSER))).group(0)  # type: ignore[union-attr]

        await page.goto(f"{server.url}/staff/drafts/{reference}")
        await page.fill("input[name=name]", "sato")
        await page.fill("input[name=password]", PASSWORD)
        await page.click("text=ログインする")
        await page.check("#return input[value=title]")
        await page.check("#return input[value=expected_results]")
        await page.fill("#return textarea[name=message]", "健康相談の取り組みも加えて、成果を数で示してください。")
        await page.click("text=差し戻す")
        assert await page.locator("#current-status").inner_text() == "差し戻し中"
        assert "差し戻し" in await page.locator("#audit").inner_text()

        notice = await said_on_line(line, "担当者から修正のお願いがあります")
        assert "直していただきたい項目: タイトル、見込まれる成果" in notice
        assert line.quick_replies(PROPOSER)[0]["action"]["label"] == "修正を始める"
        await line.tap(PROPOSER, "修正を始める")
        await server.ingest.idle()
        assert f"■タイトル（いまの内容: {OLD_TITLE}）" in await said_on_line(line, "次の項目を、順にお聞きします。")
        await line.type(PROPOSER, NEW_TITLE)
        await server.ingest.idle()
        await line.type(PROPOSER, NEW_RESULTS)
        await server.ingest.idle()
        await said_on_line(line, NEW_RESULTS)  # the summary card shows the new answers
        await line.tap(PROPOSER, "この内容で送る")
        await server.ingest.idle()
        await line.tap(PROPOSER, "同意して送る")
        await server.ingest.idle()
        await said_on_line(line, f"受付番号は {reference}（第2版）のままです")

        await page.reload()
        assert await page.locator("#current-status").inner_text() == "受付"
        versions = await page.locator("#versions").inner_text()
        assert "第2版" in versions
        assert f"提案のタイトル\t{OLD_TITLE}\t{NEW_TITLE}" in versions
        assert f"見込まれる具体的な成果\t{OLD_RESULTS}\t{NEW_RESULTS}" in versions
        assert "修正して再提出" in await page.locator("#audit").inner_text()
        assert NEW_TITLE in await page.locator("h1").inner_text()
