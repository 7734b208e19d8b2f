"""「役に立ちましたか？」 through the web chat (#20): はい/いいえ under an FAQ answer, counted once per answer, never
asked while a form's question waits, and the counts per entry on the insights page."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from bot.settings import REPOSITORY_ROOT, Settings
from tests.harness import PASSWORD
from tests.staff.serving import Running, running_server

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
QUESTION = "限度額はいくら？"  # answered by program_budget 「促進事業の予算と上限」


@pytest.fixture
async def server(database_url: str) -> AsyncIterator[Running]:
    settings = Settings(database_url=database_url, content_dir=REPOSITORY_ROOT, session_secret="s" * 40, faq_embeddings=False)
    async with running_server(settings) as running:
        yield running


async def chat(http: aiohttp.ClientSession, url: str, body: dict[str, Any]) -> list[dict[str, Any]]:
    async with http.post(f"{url}/api/chat", json=body) as response:
        assert response.status == 200, await response.text()
        return list((await response.json())["messages"])


def button(messages: list[dict[str, Any]], label: str) -> str:
    return next(choice["payload"] for choice in messages[-1]["choices"] if choice["label"] == label)


async def test_feedback_under_an_answer_once_and_never_in_a_form(server: Running) -> None:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        await chat(http, server.url, {"start": True})
        answered = await chat(http, server.url, {"text": QUESTION})
        assert "700万円" in answered[-1]["text"] and answered[-1]["text"].endswith("役に立ちましたか？")
        labels = [choice["label"] for choice in answered[-1]["choices"]]
        assert labels[-3:] == ["はい", "いいえ", "メニュー"], labels
        no = button(answered, "いいえ")

        thanked = await chat(http, server.url, {"payload": no})
        assert "ご意見ありがとうございます" in thanked[0]["text"]
        assert "ご用件を選んでください" in thanked[-1]["text"], "the menu comes again"
        again = await chat(http, server.url, {"payload": no})
        assert not any("ありがとうございます" in message["text"] for message in again), "an answer is rated once"

        await chat(http, server.url, {"payload": button(await chat(http, server.url, {"text": "メニュー"}), "提案の下書きをつくる")})
        in_form = await chat(http, server.url, {"text": QUESTION})
        assert any("700万円" in message["text"] for message in in_form)
        assert not any("役に立ちましたか？" in message["text"] for message in in_form), "not while the form's question waits"
        assert not any(choice["label"] == "はい" for message in in_form for choice in message["choices"])

        yes_again = await chat(http, server.url, {"payload": no.replace("h:no:", "h:yes:")})
        assert not any("ありがとうございます" in message["text"] for message in yes_again)

    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as staff:
        login = await (await staff.get(f"{server.url}/staff/login")).text()
        token = re.search(r'name="csrf_token" value="([^"]+)"', login)
        assert token
        await staff.post(f"{server.url}/staff/login", data={"name": "sato", "password": PASSWORD, "csrf_token": token.group(1)})
        page = await (await staff.get(f"{server.url}/staff/insights")).text()
    table = re.search(r'<table class="list" id="table-entries">.*?</table>', page, re.S)
    assert table, "the per-entry table"
    row = re.search(r"<tr><th scope=\"row\">促進事業の予算と上限（program_budget）</th>(.*?)</tr>", table.group(0), re.S)
    assert row, table.group(0)
    assert re.findall(r"<td>(.*?)</td>", row.group(1)) == ["2", "0", "1"], "answered twice, いいえ once"
