"""The web chat page in headless Chromium (Debian's package, driven by Playwright), on a phone-sized screen."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator

import pytest

playwright_api = pytest.importorskip("playwright.async_api")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]

pytestmark = pytest.mark.skipif(
    shutil.which("chromium") is None, reason="Chromium is not installed: run scripts/install-browser (CI does)"
)


@pytest.fixture
async def page(server_url: str) -> AsyncIterator[object]:
    async with playwright_api.async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = await browser.new_context(viewport={"width": 390, "height": 844}, locale="ja-JP")
        opened = await context.new_page()
        await opened.goto(server_url + "/")
        yield opened
        await browser.close()


async def test_a_visitor_completes_the_criteria_walk_by_clicking(page) -> None:  # type: ignore[no-untyped-def]
    expect = playwright_api.expect
    last_bot = page.locator("#log li.bot").last
    await expect(last_bot).to_contain_text("ご用件を選んでください")

    async def press(label: str, then: str) -> None:
        await page.get_by_role("button", name=label, exact=True).click()
        await expect(last_bot).to_contain_text(then)

    await press("5つの条件チェック", "(1)")
    await press("はい", "その課題を")
    await page.get_by_label("メッセージ").fill("駅前の放置自転車が減らない")
    await page.keyboard.press("Enter")
    await expect(last_bot).to_contain_text("(2)")
    await press("はい", "(3)")
    await press("はい", "団体が受け持つ役割")
    await press("スキップ", "市に期待する役割")
    await press("スキップ", "(4)")
    await press("はい", "成果")
    await press("スキップ", "(5)")
    await page.keyboard.press("Enter")  # the first button has the focus: はい, with the keyboard alone
    await expect(last_bot).to_contain_text("費用")
    await press("スキップ", "商品やサービス")
    await press("いいえ", "ほかの民間団体")
    await press("いいえ", "次はどうしますか")

    log = page.locator("#log")
    await expect(log).to_contain_text("5つの条件のチェック結果")
    await expect(log).to_contain_text("5つの条件をすべて満たしていそうです")
    await expect(page.get_by_role("button", name="提案の下書きをつくる", exact=True)).to_be_visible()
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the page fits a phone screen without sideways scrolling"
