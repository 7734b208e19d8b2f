"""「フォームでまとめて入力」 from LINE: the link above the first long question, the form in Chromium (phone and
desktop), saved into the same draft that the chat then goes on with; a forged or expired link is refused."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from bot.content.loader import load_content
from bot.core.messages import UserKey
from bot.forms import LIFF_SDK as SDK
from bot.settings import REPOSITORY_ROOT
from tests.a11y.browser import VIEWPORTS, assert_accessible, chromium, horizontal_overflow, needs_browser, new_page
from tests.harness import LineStack

USER = "U" + "4" * 32
CONTENT = load_content(REPOSITORY_ROOT)
FORM = CONTENT.common.form
assert FORM is not None


async def _say(line: LineStack, *texts: str) -> None:
    for text in texts:
        assert await line.emulator.type(USER, text) == 200
        await line.settled()


async def _to_the_long_questions(line: LineStack, link: str = r"https?://\S+/form/\S+") -> str:
    """A LINE user answers up to the first long question; the link to the form they are shown there."""
    assert await line.emulator.follow(USER) == 200
    await line.settled()
    await _say(line, "提案の下書きをつくる", "ふちゅう子ども食堂の会", "NPO法人", "府中 花子", "hanako@example.jp", "スキップ",
               "テーマ型", "通常の行政課題", "こども食堂の見守り")
    said = line.emulator.texts(USER)
    offer = next(text for text in said[-3:] if re.search(link, text))
    assert said[-1] != offer, "the question stays the last message"
    found = re.search(link, offer)
    assert found is not None
    return found.group(0)


async def _draft(line: LineStack) -> dict[str, str]:
    assert line.app is not None
    async with line.app.store.turn(UserKey(channel="line", user_id=USER)) as turn:
        return dict(turn.state.values)


def _local(line: LineStack, link: str) -> str:
    """The link on this test's server (the bot names its public address)."""
    base = line.emulator.webhook_url.removesuffix("/webhooks/line")
    return base + link[link.index("/form/"):]


async def test_a_forged_changed_or_expired_link_is_refused(line: LineStack) -> None:
    link = _local(line, await _to_the_long_questions(line))
    assert line.app is not None and line.app.forms is not None
    expired = line.app.forms.links.link(UserKey(channel="line", user_id=USER), line.app.clock.now() - timedelta(hours=2))
    other = line.app.forms.links.link(UserKey(channel="line", user_id="U" + "3" * 32), line.app.clock.now())
    payload, signature = link.rsplit("/", 1)[1].split(".")
    forged = _local(line, other).rsplit(".", 1)[0] + "." + signature  # another user's payload, this user's signature
    async with aiohttp.ClientSession() as http:
        for bad in [_local(line, expired), forged, link + "x", link.rsplit(".", 1)[0] + ".", link.replace(payload, payload[:-2])]:
            for method in ("GET", "POST"):
                async with http.request(method, bad, data={"problem": "上書き"}) as answer:
                    assert answer.status == 403, (method, bad)
                    assert FORM.expired in await answer.text()
    assert "problem" not in await _draft(line)


async def test_staff_never_see_the_link_among_the_last_lines(line: LineStack) -> None:
    link = await _to_the_long_questions(line)
    await _say(line, "担当者に相談", "フォームの書き方を教えてください")
    assert line.app is not None
    [consultation] = await line.app.staff.services.consultations.find()
    page = await line.staff_page(f"/staff/consultations/{consultation.id}")
    token = link.rsplit("/", 1)[1]
    assert "フォームの書き方を教えてください" in page
    assert token.split(".")[0] not in page and "/form/" not in page, "a staff member could open the proposer's form"
    minutes = int(line.app.forms.links.lifetime.total_seconds() // 60) if line.app.forms else 0
    assert FORM.link_for_staff.format(minutes=minutes).splitlines()[-1] in page


@needs_browser
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("viewport", ["phone", "desktop"])
async def test_the_form_saves_into_the_draft_and_the_chat_goes_on(line: LineStack, viewport: str) -> None:
    link = _local(line, await _to_the_long_questions(line))
    problem_question = CONTENT.step("draft.problem").text  # type: ignore[union-attr]
    assert problem_question in line.emulator.texts(USER)[-1]
    async with chromium() as browser:
        page = await new_page(browser, VIEWPORTS[viewport])
        await page.goto(link)
        await assert_accessible(page, f"the form ({viewport})")
        assert await horizontal_overflow(page) == 0
        await page.get_by_label(problem_question).fill("   ")  # the chat's question is the label; blank: left for the chat
        solution = page.locator("textarea[name=solution]")
        await solution.fill("x" * 1001)  # over the limit: the page does not let it in, as the chat would refuse it
        assert len(await solution.input_value()) <= 1000
        await solution.fill("地域の企業とNPOが毎週、食堂を開いて見守る。")
        await page.locator("textarea[name=roles_org]").fill("企画と運営、ボランティアの募集")
        await page.locator("textarea[name=roles_city]").fill("😀😀")  # emoji only: refused as in the chat
        await page.get_by_role("button", name=FORM.save).click()
        await page.wait_for_load_state()
        assert FORM.errors in await page.content()
        assert CONTENT.common.validation.no_content in await page.content()
        assert await page.locator("textarea[name=solution]").input_value() == "地域の企業とNPOが毎週、食堂を開いて見守る。"
        await page.locator("textarea[name=problem]").fill("子どもの孤食が増えている。")
        await page.locator("textarea[name=roles_city]").fill("広報紙での周知")
        await page.get_by_role("button", name=FORM.save).click()
        await page.wait_for_load_state()
        assert FORM.saved in await page.content()

    draft = await _draft(line)
    assert draft["problem"] == "子どもの孤食が増えている。" and draft["roles_city"] == "広報紙での周知"
    assert draft["solution"] == "地域の企業とNPOが毎週、食堂を開いて見守る。"
    assert line.app is not None
    await line.settled()
    pushed = line.emulator.texts(USER)[-1]
    assert CONTENT.step("draft.expected_results").text in pushed, pushed  # type: ignore[union-attr]  # the question after them

    async with aiohttp.ClientSession() as http, http.get(link) as again:  # opened again: what was saved is there
        assert "子どもの孤食が増えている。" in await again.text()


# --- on LINE, as a LIFF app --------------------------------------------------------------

LINE_HOSTS = re.compile(r"^https://(api|access|liff)\.line\.me(/.*)$")


async def _with_liff(line: LineStack) -> str:
    """The bot restarted with the emulator's LIFF app; the app's link (what LINE users are shown)."""
    await line.stop()
    line.settings = {"LINE_LIFF_ID": line.emulator.liff.liff_id}
    await line.start()
    line.emulator.liff.endpoint_url = line.base_url + "/liff/form"
    line.emulator.liff.user_id = USER  # logged in to LINE in this browser
    return f"https://liff.line.me/{line.emulator.liff.liff_id}"


def _needs_the_sdk() -> None:
    if not SDK.exists():
        message = "the LIFF SDK is not installed: run scripts/install-liff (scripts/test does)"
        pytest.fail(message) if os.environ.get("CI") == "true" else pytest.skip(message)


async def _line_hosts_to_the_emulator(page: Any, line: LineStack) -> list[str]:
    """The browser's calls to LINE's hosts go to the emulator, as LINE_API_BASE_URL sends the bot's; calls to
    any other host but ours fail, and are listed in what this returns."""
    elsewhere: list[str] = []

    async def forward(route: Any) -> None:
        found = LINE_HOSTS.match(route.request.url)
        assert found is not None
        host, path = found.groups()
        target = line.emulator.url + ("/liffapp" if host == "liff" else "") + path
        await route.fulfill(response=await route.fetch(url=target, max_redirects=0))

    async def refuse(route: Any) -> None:
        elsewhere.append(route.request.url)
        await route.abort()

    await page.context.route(lambda url: not url.startswith(line.base_url), refuse)
    await page.context.route(LINE_HOSTS, forward)  # the route added last is tried first
    return elsewhere


@needs_browser
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("viewport", ["phone", "desktop"])
async def test_on_line_the_form_opens_as_a_liff_app_and_saves_into_the_draft(line: LineStack, viewport: str) -> None:
    app_link = await _with_liff(line)
    assert await _to_the_long_questions(line, link=r"https://liff\.line\.me/\S+") == app_link  # no signed link in the chat
    assert FORM.app_link.format(form_url=app_link) in line.emulator.texts(USER)  # and no time limit is said
    _needs_the_sdk()
    async with chromium() as browser:
        page = await new_page(browser, VIEWPORTS[viewport])
        elsewhere = await _line_hosts_to_the_emulator(page, line)
        await page.goto(app_link)  # the SDK logs in through LINE and comes back; the server has LINE verify the token
        await page.wait_for_url(re.compile(r"/form/[^/]+$"))
        assert [status for _, status in line.emulator.liff.verified] == [200]
        called = [call.endpoint for call in line.emulator.calls]
        assert {"/liff/v1/authorize", "/oauth2/v2.1/token", "/oauth2/v2.1/certs"} <= set(called), called  # LINE Login
        assert elsewhere == [], "the page loads nothing from another host (the SDK is ours, no CDN)"
        await assert_accessible(page, f"the form on LINE ({viewport})")
        assert await horizontal_overflow(page) == 0
        await page.get_by_label(CONTENT.step("draft.problem").text).fill("子どもの孤食が増えている。")  # type: ignore[union-attr]
        for name, text in {"solution": "毎週、食堂を開いて見守る。", "roles_org": "企画と運営", "roles_city": "広報紙"}.items():
            await page.locator(f"textarea[name={name}]").fill(text)
        await page.get_by_role("button", name=FORM.save).click()
        await page.wait_for_load_state()
        assert FORM.saved in await page.content()
    draft = await _draft(line)
    assert draft["problem"] == "子どもの孤食が増えている。" and draft["roles_city"] == "広報紙"
    await line.settled()
    assert CONTENT.step("draft.expected_results").text in line.emulator.texts(USER)[-1]  # type: ignore[union-attr]
    await _say(line, "1年で延べ500人が利用する", "約30万円", "希望する", "2027年4月から1年間", "スキップ")
    cards = [message for message in line.emulator.seen[USER] if message["from"] == "bot" and message["type"] == "flex"]
    assert cards, "the chat goes on to the summary"
    assert "子どもの孤食が増えている。" in str(cards[-1]["contents"]) and "毎週、食堂を開いて見守る。" in str(cards[-1]["contents"])


@needs_browser
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_on_line_a_token_line_refuses_shows_why_and_no_form(line: LineStack) -> None:
    app_link = await _with_liff(line)
    line.emulator.liff.verify_refuses = True
    _needs_the_sdk()
    async with chromium() as browser:
        page = await new_page(browser)
        await _line_hosts_to_the_emulator(page, line)
        await page.goto(app_link)
        alert = page.get_by_role("alert")
        await alert.wait_for()
        assert await alert.inner_text() == FORM.expired
        assert "/form/" not in page.url and await page.locator("textarea").count() == 0
        await assert_accessible(page, "the refused form on LINE")
    assert [status for _, status in line.emulator.liff.verified] == [400]


async def test_an_id_token_line_refuses_or_a_profile_the_page_sends_gets_no_form(line: LineStack) -> None:
    await _with_liff(line)
    liff = line.emulator.liff
    other_key = ec.generate_private_key(ec.SECP256R1())
    bad = {
        "expired": ({"id_token": liff.id_token(USER, expires_in=-60)}, 403),
        "signed by someone else": ({"id_token": liff.id_token(USER, key=other_key)}, 403),
        "for another channel": ({"id_token": liff.id_token(USER, audience="1999999999")}, 403),
        "changed": ({"id_token": liff.id_token("U" + "3" * 32).replace(".", ".x", 1)}, 403),
        "a profile": ({"userId": USER, "displayName": "府中 花子"}, 400),
        "nothing": ({}, 400),
    }
    async with aiohttp.ClientSession() as http:
        for name, (body, status) in bad.items():
            async with http.post(line.base_url + "/liff/session", json=body) as answer:
                assert answer.status == status, name
                assert (await answer.json())["message"] == FORM.expired, name
        async with http.post(line.base_url + "/liff/session", data=b"{not json") as answer:
            assert answer.status == 400
        async with http.post(line.base_url + "/liff/session", json={"id_token": liff.id_token(USER)}) as answer:
            assert answer.status == 200
            form_path = (await answer.json())["url"]
        async with http.get(line.base_url + form_path) as form:
            assert form.status == 200 and FORM.title in await form.text()
    line.emulator.unavailable = True  # LINE does not answer: not the user's fault, and no form
    async with aiohttp.ClientSession() as http, \
            http.post(line.base_url + "/liff/session", json={"id_token": liff.id_token(USER)}) as answer:
        assert answer.status == 503 and (await answer.json())["message"] == FORM.not_opened
