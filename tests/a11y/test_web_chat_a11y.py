"""The web chat for keyboard, screen-reader and zoom users (#21), and the newest message always in view (#14.1):
a whole draft sent with the keyboard alone on a phone and a desktop screen, axe-core at each kind of screen,
the conversation again after a reload (#14.2), and reflow at 320 px."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import yaml

from bot.settings import REPOSITORY_ROOT, Settings
from tests.a11y.browser import (
    VIEWPORTS,
    assert_accessible,
    chromium,
    contrast_ratios,
    horizontal_overflow,
    needs_browser,
    new_page,
)
from tests.proposals import HAPPY_PATH
from tests.staff.serving import Running, running_server

pytestmark = [needs_browser, pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]
TURNS: list[dict[str, Any]] = yaml.safe_load(HAPPY_PATH.read_text(encoding="utf-8"))["turns"]
LONG_URL = "https://www.example.jp/" + "very-long-path-segment/" * 6 + "index.html"


@pytest.fixture
async def server(database_url: str) -> AsyncIterator[Running]:
    settings = Settings(database_url=database_url, content_dir=REPOSITORY_ROOT, session_secret="s" * 40, faq_embeddings=False)
    async with running_server(settings) as running:
        yield running


async def answered(page: Any, before: int) -> None:
    """Wait for the turn under way: new lines in the log, and the log no longer busy."""
    await page.wait_for_function(
        "(before) => document.querySelectorAll('#messages li').length > before"
        " && !document.getElementById('log').hasAttribute('aria-busy')",
        arg=before,
    )


async def lines(page: Any) -> int:
    return int(await page.evaluate("document.querySelectorAll('#messages li').length"))


async def last_bubble_hidden_by(page: Any) -> float:
    """How many pixels of the newest message lie outside what the log (and the window) shows (under 1: all of it,
    but for the fraction lost to rounding the scroll position to whole pixels)."""
    return float(await page.evaluate("""() => {
        const log = document.getElementById('log').getBoundingClientRect();
        const last = document.querySelector('#messages li:last-child').getBoundingClientRect();
        const top = Math.max(log.top, 0), bottom = Math.min(log.bottom, window.innerHeight);
        return Math.max(0, top - last.top) + Math.max(0, last.bottom - bottom);
    }"""))


async def focused(page: Any) -> str:
    return str(await page.evaluate("document.activeElement.id || document.activeElement.textContent"))


async def press_with_keyboard(page: Any, label: str, check_ring: bool = False) -> None:
    """Move the focus to the button ``label`` with Tab (from the text box: Shift+Tab, the buttons are above it)
    and press Enter; ``check_ring``: the focus ring stands out first (WCAG 1.4.11)."""
    key = "Shift+Tab" if await focused(page) == "text" else "Tab"
    for _ in range(40):
        if await focused(page) == label:
            if check_ring:
                ring = await contrast_ratios(page, "#choices button:focus-visible", "outlineColor")
                assert ring and min(ring) >= 3, ring
            await page.keyboard.press("Enter")
            return
        await page.keyboard.press(key)
    raise AssertionError(f"the button {label!r} cannot be reached with {key}")


@pytest.mark.parametrize("screen", ["phone", "desktop"])
async def test_a_whole_draft_with_the_keyboard_alone(server: Running, screen: str) -> None:
    async with chromium() as browser:
        page = await new_page(browser, VIEWPORTS[screen])
        await page.goto(server.url + "/")
        await answered(page, 0)
        await assert_accessible(page, "the menu")
        for index, turn in enumerate(TURNS[1:], start=1):
            before = await lines(page)
            if "send" in turn:
                assert await focused(page) == "text", f"turn {index}: a question to type has the text box focused"
                if index == 2:  # the text box's border and focus ring stand out (WCAG 1.4.11)
                    assert min(await contrast_ratios(page, "#text", "borderTopColor")) >= 3
                    assert min(await contrast_ratios(page, "#text:focus-visible", "outlineColor")) >= 3
                await page.keyboard.type(str(turn["send"]))
                await page.keyboard.press("Enter")
            else:
                await press_with_keyboard(page, str(turn["press"]), check_ring=index == 1)
            await answered(page, before)
            shown = await page.locator("#messages").inner_text()
            for expected in turn.get("expect", []):  # a card's title is a heading here, not 【…】 as in plain text
                assert str(expected).strip("【】") in shown, f"turn {index}: {expected!r} is shown"
            assert await last_bubble_hidden_by(page) < 1, f"turn {index}: the newest message is fully visible"
            if index in (1, len(TURNS) - 3):  # a question to type; the summary card
                await assert_accessible(page, f"turn {index}")
        await assert_accessible(page, "after the submission")
        reference = "KY-2026-0001"
        assert reference in await page.locator("#messages li.bot").last.inner_text() or reference in shown

        # #14.2: after a reload, the conversation so far (this visitor's only).
        await page.reload()
        await answered(page, 0)
        history = await page.locator("#messages").inner_text()
        assert "特定非営利活動法人ふちゅうまちづくりネット" in history and reference in history
        assert await page.locator("#messages li.user", has_text="NPO法人").count() == 1, "a pressed button shows as its label"
        speakers = await page.locator("#messages li .visually-hidden").all_inner_texts()
        assert {"ボット:", "あなた:"} <= set(speakers), "each line says who speaks to screen readers"
        assert await page.get_attribute("#log", "role") == "log" and await page.get_attribute("#log", "tabindex") == "0"
        stranger = await new_page(browser, VIEWPORTS[screen])
        await stranger.goto(server.url + "/")
        await answered(stranger, 0)
        assert "ふちゅうまちづくり" not in await stranger.locator("#messages").inner_text()


async def test_reflow_at_320_px_and_a_short_window(server: Running) -> None:
    async with chromium() as browser:
        page = await new_page(browser, {"width": 320, "height": 568})
        await page.goto(server.url + "/")
        await answered(page, 0)
        before = await lines(page)
        await page.get_by_role("button", name="提案の下書きをつくる").click()
        await answered(page, before)
        before = await lines(page)
        await page.keyboard.type(LONG_URL)  # the text box has the focus: 団体名 is typed
        await page.keyboard.press("Enter")
        await answered(page, before)
        assert await horizontal_overflow(page) == 0, "a long address wraps inside its bubble"
        link = page.locator("#messages li.user a")
        assert await link.get_attribute("href") == LONG_URL

        await page.set_viewport_size({"width": 320, "height": 256})  # a phone on its side at 200 %
        before = await lines(page)
        await press_with_keyboard(page, "戻る")
        await answered(page, before)
        assert await horizontal_overflow(page) == 0
        assert await last_bubble_hidden_by(page) < 1, "the newest message shows in full in a 256 px high window"
        log_height = await page.evaluate("document.getElementById('log').getBoundingClientRect().height")
        assert log_height > 256 / 2, "the conversation is not squeezed between header, buttons and text box"
        await assert_accessible(page, "the chat at 320×256")

        await page.goto(server.url + "/accessibility")
        assert await horizontal_overflow(page) == 0
        for screen in VIEWPORTS.values():
            await page.set_viewport_size(screen)
            await assert_accessible(page, "/accessibility")
        assert await page.locator("h2#contact").count() == 1
