"""The staff console for keyboard, screen-reader and zoom users (#21): axe-core on every page on a phone and a
desktop screen, no sideways scrolling at 320 px, a reply written with the keyboard alone (it reaches the web
chat as a 担当者 message, set apart from the bot's), and the warning before the session ends, with 延長."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import yaml

from bot.channels.web.visitors import COOKIE
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
from tests.harness import PASSWORD, play_over_web
from tests.proposals import HAPPY_PATH
from tests.staff.serving import Running, running_server

pytestmark = [needs_browser, pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]
REPLY = "ご提案ありがとうございます。https://www.example.jp/kyoso/ の資料もご覧ください。"
QUESTION = "市の施設を会場に使えるか相談させてください。"


@pytest.fixture
async def server(database_url: str) -> AsyncIterator[Running]:
    settings = Settings(database_url=database_url, content_dir=REPOSITORY_ROOT, session_secret="s" * 40, faq_embeddings=False)
    async with running_server(settings) as running:
        yield running


async def web_proposer(server: Running) -> str:
    """A visitor of the web chat sends the happy path's draft, then asks for a person; returns their cookie."""
    turns = yaml.safe_load(HAPPY_PATH.read_text(encoding="utf-8"))["turns"]
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        await play_over_web(http, server.url, [*turns, {"press": "担当者に相談"}, {"send": QUESTION}])
        return next(cookie.value for cookie in http.cookie_jar if cookie.key == COOKIE)


async def focused(page: Any) -> str:
    return str(await page.evaluate(
        "document.activeElement.getAttribute('name') || document.activeElement.textContent.trim()"
    ))


async def tab_to(page: Any, wanted: str, most: int = 80) -> None:
    """Tab until the element whose name (form fields) or text (links, buttons) is ``wanted`` has the focus."""
    for _ in range(most):
        if await focused(page) == wanted:
            return
        await page.keyboard.press("Tab")
    raise AssertionError(f"{wanted!r} cannot be reached with Tab")


async def test_every_console_page_and_a_reply_with_the_keyboard_alone(server: Running) -> None:
    cookie = await web_proposer(server)
    console = server.url + "/staff"
    async with chromium() as browser:
        page = await new_page(browser)
        await page.goto(f"{console}/login")
        await tab_to(page, "name")
        await page.keyboard.type("sato")
        await page.keyboard.press("Tab")
        await page.keyboard.type("wrong password")
        async with page.expect_navigation():
            await page.keyboard.press("Enter")
        assert (await page.title()).startswith("エラー: ")
        assert await page.evaluate("document.activeElement.id") == "login-error", "the error has the focus"
        await assert_accessible(page, "the log-in error")

        await tab_to(page, "name")
        await page.keyboard.type("sato")
        await page.keyboard.press("Tab")
        await page.keyboard.type(PASSWORD)
        await page.keyboard.press("Enter")
        await page.wait_for_url("**/drafts")

        reference = "KY-2026-0001"
        pages = ["/drafts", f"/drafts/{reference}", "/consultations", "/consultations/1", "/questions", "/gaps",
                 "/answer-test?q=限度額は？", "/insights", "/insights?from=2026-13-01", "/retention", "/password",
                 "/drafts/KY-2000-9999"]
        for path in pages:
            await page.goto(console + path)
            for name, screen in VIEWPORTS.items():
                await page.set_viewport_size(screen)
                await assert_accessible(page, f"{path} on the {name}")
            await page.set_viewport_size({"width": 320, "height": 640})
            assert await horizontal_overflow(page) == 0, f"{path} scrolls sideways at 320 px"
        await page.goto(f"{console}/consultations/1")
        assert await page.get_attribute("#messages-log", "role") == "log", "the user's live messages are announced"
        assert await page.get_attribute("#consultation-status", "role") == "status"
        assert reference in await page.locator("#user-drafts").inner_text()

        # A reply to the web chat's proposer, with the keyboard alone, from the list of drafts.
        await page.set_viewport_size(VIEWPORTS["desktop"])
        await page.goto(f"{console}/drafts")
        await tab_to(page, reference)
        await page.keyboard.press("Enter")
        await page.wait_for_url(f"**/drafts/{reference}")
        await tab_to(page, "text")  # the first text box on the page after the status form: the reply
        assert await page.evaluate("document.activeElement.closest('form').action.endsWith('/replies')")
        await page.keyboard.type(REPLY)
        await page.keyboard.press("Tab")
        await page.keyboard.press("Enter")
        flash = page.locator(".flash[role=status]")
        await flash.wait_for()
        assert "返信を受け付けました" in await flash.inner_text()
        await assert_accessible(page, "the draft page with its confirmation")
        fields = "main input:not([type=hidden]):not([type=radio]), main textarea, main select, fieldset"
        borders = await contrast_ratios(page, fields, "borderTopColor")
        assert borders and min(borders) >= 3, f"form fields' borders: {borders}"
        await page.keyboard.press("Tab")  # the header's first link: a white ring on the header's blue
        header_ring = await contrast_ratios(page, ":focus-visible", "outlineColor")
        await tab_to(page, "text")  # a form field's ring on white
        field_ring = await contrast_ratios(page, ":focus-visible", "outlineColor")
        assert header_ring and field_ring and min(header_ring + field_ring) >= 3, (header_ring, field_ring)

        # The proposer's web chat shows it as the 担当者's, not the bot's.
        chat = await new_page(browser)
        await chat.context.add_cookies([{"name": COOKIE, "value": cookie, "url": server.url + "/"}])
        await chat.goto(server.url + "/")
        staff_line = chat.locator("#messages li.staff")
        await staff_line.wait_for(timeout=20_000)
        assert (await staff_line.locator(".visually-hidden").first.inner_text()) == "担当者:"
        assert f"受付番号: {reference}" in await staff_line.inner_text(), "the reply names the draft it is about"
        assert await staff_line.locator("a").get_attribute("href") == "https://www.example.jp/kyoso/"
        styles = await chat.evaluate("""() => [document.querySelector('#messages li.staff'), document.querySelector('#messages li.bot')]
            .map((item) => getComputedStyle(item).backgroundColor + getComputedStyle(item).borderLeftWidth)""")
        assert styles[0] != styles[1], "a staff reply looks different from the bot's messages"
        for screen in VIEWPORTS.values():
            await chat.set_viewport_size(screen)
            await assert_accessible(chat, "the web chat with a staff reply")


async def test_the_session_warns_before_it_ends_and_can_be_extended(server: Running) -> None:
    async with chromium() as browser:
        page = await new_page(browser, VIEWPORTS["desktop"])
        await page.clock.install()
        await log_in(page, server.url)
        warning = page.locator("#session-expiry")
        assert await warning.is_hidden()
        await page.fill("input[name=q]", "入力中の検索語")
        await page.clock.run_for("11:54:00")
        assert await warning.is_hidden(), "no warning six minutes before the end"
        await page.clock.run_for("02:00")
        await warning.wait_for()
        assert "あと約4分" in await warning.inner_text() and await warning.get_attribute("role") == "alert"
        await assert_accessible(page, "the expiry warning")
        await page.get_by_role("button", name="ログインを延長する").click()
        await warning.wait_for(state="hidden")
        await page.clock.run_for("11:50:00")
        assert await warning.is_hidden(), "extended by 12 hours from the click"
        assert await page.input_value("input[name=q]") == "入力中の検索語", "nothing typed was lost"


async def test_a_memo_typed_when_the_session_ended_is_sent_after_logging_in_again(server: Running) -> None:
    await web_proposer(server)
    async with chromium() as browser:
        page = await new_page(browser, VIEWPORTS["desktop"])
        await page.clock.install()
        await log_in(page, server.url)
        await page.goto(f"{server.url}/staff/drafts/KY-2026-0001")
        memo = "ログインが切れる直前に書いたメモ"
        await page.fill("form[action$='/notes'] textarea", memo)
        other = await page.context.new_page()  # the session ends meanwhile (here: a log-out on another tab)
        await log_in(other, server.url)
        await other.click("text=ログアウト")
        await page.clock.run_for("12:00:01")
        warning = page.locator("#session-expiry")
        await warning.wait_for()
        assert "有効期限が切れました" in await warning.inner_text()

        await log_in(other, server.url)  # logging in again in another tab, as the notice's button offers
        await page.bring_to_front()
        await page.evaluate("window.dispatchEvent(new Event('focus'))")
        await warning.wait_for(state="hidden")
        await page.click("text=メモを残す")
        assert await page.locator(".flash").inner_text() == "メモを残しました。"
        assert memo in await page.locator("main").inner_text()


async def log_in(page: Any, url: str) -> None:
    await page.goto(f"{url}/staff/login")
    await page.fill("input[name=name]", "sato")
    await page.fill("input[name=password]", PASSWORD)
    await page.click("text=ログインする")
    await page.wait_for_url("**/drafts")
