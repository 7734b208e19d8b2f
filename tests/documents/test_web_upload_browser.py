"""Sending a 企画書 from the web chat page in headless Chromium on a phone-sized screen (390×844)."""

from __future__ import annotations

import pytest

from tests.documents.files import EXE, PDF
from tests.documents.servers import WebServer
from tests.web.test_web_chat_browser import page, playwright_api, pytestmark  # noqa: F401  # the phone-sized page on server_url


@pytest.fixture
def server_url(web: WebServer) -> str:
    return web.url


async def test_a_visitor_attaches_a_pdf_to_the_draft_on_a_phone(page, web: WebServer) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    expect = playwright_api.expect
    last_bot = page.locator("#log li.bot").last
    await expect(last_bot).to_contain_text("ご用件を選んでください")
    await page.get_by_role("button", name="提案の下書きをつくる", exact=True).click()
    await expect(last_bot).to_contain_text("団体名を教えてください")

    attach = page.get_by_label("資料（企画書など）を送る")  # the file input, named by its visible label
    await expect(page.locator("#attach label")).to_be_visible()
    box = await page.locator("#attach label").bounding_box()
    assert box is not None and box["height"] >= 44, "a touch target of at least 44 px"
    assert await attach.get_attribute("aria-describedby") == "file-hint"

    await attach.set_input_files(files=[{"name": "まちづくり企画書.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    await expect(page.locator("#log li.user").last).to_contain_text("まちづくり企画書.pdf")
    await expect(page.locator("#log")).to_contain_text("「まちづくり企画書.pdf」を受け取りました")
    await expect(last_bot).to_contain_text("団体名を教えてください")
    await expect(page.get_by_label("メッセージ")).to_be_focused()  # a text question: the keyboard goes back to the answer box

    await attach.set_input_files(files=[{"name": "企画書.pdf", "mimeType": "application/pdf", "buffer": EXE}])
    await expect(page.locator("#log")).to_contain_text("この種類のファイルはお預かりできません")
    assert await web.stored() == [("まちづくり企画書.pdf", PDF)]

    await page.get_by_role("button", name="送信", exact=True).focus()
    await page.keyboard.press("Tab")  # next in the keyboard's order: the file input, its focus shown on the label
    await expect(attach).to_be_focused()
    outline = await page.locator("#attach label").evaluate("label => getComputedStyle(label).outlineStyle")
    assert outline == "solid"
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the page fits a phone screen without sideways scrolling"
