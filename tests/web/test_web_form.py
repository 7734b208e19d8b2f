"""「フォームでまとめて入力」 from the web chat: a plain page from a signed link (no LINE, no LIFF), saved into the
visitor's draft; the chat goes on from there at its next turn."""

from __future__ import annotations

import re

import aiohttp

from bot.content.loader import load_content
from bot.settings import REPOSITORY_ROOT
from tests.a11y.browser import PHONE, assert_accessible, chromium, horizontal_overflow, needs_browser, new_page
from tests.harness import play_over_web

CONTENT = load_content(REPOSITORY_ROOT)
FORM = CONTENT.common.form
assert FORM is not None
TO_THE_LONG_QUESTIONS = [
    {"start": True}, {"press": "提案の下書きをつくる"}, {"send": "ふちゅう子ども食堂の会"}, {"press": "NPO法人"},
    {"send": "府中 花子"}, {"send": "hanako@example.jp"}, {"press": "スキップ"}, {"press": "テーマ型"},
    {"press": "通常の行政課題"}, {"send": "こども食堂の見守り"},
]


def _question(ref: str) -> str:
    return CONTENT.step(ref).text  # type: ignore[union-attr]


@needs_browser
async def test_a_web_visitor_fills_the_form_on_a_phone_and_the_chat_goes_on(server_url: str) -> None:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        messages = await play_over_web(http, server_url, TO_THE_LONG_QUESTIONS)
        assert _question("draft.problem") in messages[-1]["text"]
        offer = next(message["text"] for message in messages if "/form/" in message["text"])
        found = re.search(r"https?://\S+(/form/\S+)", offer)
        assert found is not None
        assert offer == FORM.link.format(minutes=30, form_url=found.group(0)), "the signed link, and how long it works"
        link = server_url + found.group(1)

        async with chromium() as browser:
            page = await new_page(browser, PHONE)  # another browser than the chat's: the link alone says whose draft
            await page.goto(link)
            await assert_accessible(page, "the form from the web chat")
            assert await horizontal_overflow(page) == 0
            await page.get_by_label(_question("draft.problem")).fill("子どもの孤食が増えている。")
            await page.get_by_label(_question("draft.solution")).fill("毎週、食堂を開いて見守る。")
            await page.get_by_role("button", name=FORM.save).click()
            await page.wait_for_load_state()
            assert FORM.saved in await page.content()

        messages = await play_over_web(http, server_url, [{"start": True}])  # back in the chat
        assert _question("draft.roles_org") in messages[-1]["text"], "the chat goes on after the answers of the form"
