"""担当者に相談 end to end, on the server `kyoso serve` builds: a proposer on LINE (the LINE emulator) asks for a
person mid-draft; staff in headless Chromium take the consultation (two cannot both take it), follow the
proposer's messages live, answer twice and hand back to the bot; the proposer finishes the draft."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from bot.emulators.line import LineEmulator
from bot.settings import REPOSITORY_ROOT, Settings
from storage.sql_store import create_engine_for
from storage.staff_accounts import SqlStaffAccounts
from tests.harness import PASSWORD, PASSWORD_HASH, SECRET, TOKEN
from tests.proposals import HAPPY_PATH
from tests.staff.serving import Running, running_server
from tests.staff.test_console_browser import ARGS, CHROMIUM

playwright_api = pytest.importorskip("playwright.async_api")
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is not installed: run scripts/install-browser")

PROPOSER = "U" + "c" * 32
QUESTION = "テーマ型で提案したいのですが、市の施設を会場に使えるか相談させてください。"
FROM_USER = ["会場は多摩川沿いの公園を考えています。", "平日の午前中に開きたいです。"]
FROM_STAFF = ["ご相談ありがとうございます。公園の使用は担当課と調整します。", "平日の午前中で問題ありません。提案の下書きを続けてください。"]


@pytest.fixture
async def browser():  # type: ignore[no-untyped-def]
    async with playwright_api.async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        await launched.close()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_person_answers_mid_draft_and_the_proposer_finishes_it(  # type: ignore[no-untyped-def]
    database_url: str, line: LineEmulator, browser
) -> None:
    settings = Settings(
        database_url=database_url, content_dir=REPOSITORY_ROOT, session_secret="s" * 40, faq_embeddings=False,
        LINE_CHANNEL_SECRET=SECRET, LINE_CHANNEL_ACCESS_TOKEN=TOKEN, LINE_API_BASE_URL=line.url,
    )
    async with running_server(settings) as server:
        line.webhook_url = f"{server.url}/webhooks/line"
        turns = yaml.safe_load(HAPPY_PATH.read_text(encoding="utf-8"))["turns"]
        await play(server, line, turns[:3])  # the menu, 提案の下書きをつくる, the organisation's name
        await proposer_types(server, line, "担当者に相談")
        assert "1つのメッセージにまとめて送ってください" in line.texts(PROPOSER)[-1]
        await proposer_types(server, line, QUESTION)
        assert "ご相談を受け付けました（相談番号: 1）" in line.texts(PROPOSER)[-1]

        await add_staff(database_url, "suzuki")
        console = f"{server.url}/staff"
        sato, suzuki = await log_in(browser, console, "sato"), await log_in(browser, console, "suzuki")
        await sato.click("text=担当者への相談")
        await sato.click("a >> text=1")
        await suzuki.goto(f"{console}/consultations/1")
        await sato.click("text=対応する")
        assert await sato.locator("#consultation-status").inner_text() == "対応中（satoさん）"

        # suzuki's page follows without a reload; taking it now is refused.
        await suzuki.locator("#consultation-status", has_text="対応中（satoさん）").wait_for()
        await suzuki.click("text=対応する")
        assert "ほかの職員が先に対応を始めた" in await suzuki.locator(".error").inner_text()

        told_before = len(line.texts(PROPOSER))
        for said in FROM_USER:
            await proposer_types(server, line, said)
            await sato.locator("#messages li", has_text=said).wait_for()  # shown live, no reload
        assert line.texts(PROPOSER)[told_before:] == ["担当者がお返事しています。このままメッセージを送ってください。"], (
            "nothing the proposer sends while a person answers is answered by the bot, but one note"
        )
        for answer in FROM_STAFF:
            await sato.fill("form[action$='/replies'] textarea[name=text]", answer)
            await sato.click("text=相談者に送る")
            await received(line, f"【市民協働推進部 協働共創推進課の担当者より（相談番号: 1）】\n{answer}")
        await sato.click("text=相談を終えてボットに戻す")
        assert await sato.locator("#consultation-status").inner_text() == "終了"
        handed_back = await received(line, "担当者との相談を終わりました。")
        assert "団体の種類を選んでください。" in handed_back

        await play(server, line, turns[3:])  # the push came with the question's buttons: tap on
        found = re.search(r"KY-\d{4}-\d{4}", "\n".join(line.texts(PROPOSER)[-3:]))
        assert found, line.texts(PROPOSER)[-3:]
        reference = found.group(0)

        stored = await server.app.store.get_draft(reference)
        assert stored is not None
        [consultation] = stored.consultations
        assert [(line.sender, line.text) for line in consultation.lines][:5] == [
            ("user", QUESTION), ("user", FROM_USER[0]), ("user", FROM_USER[1]),
            ("staff", FROM_STAFF[0]), ("staff", FROM_STAFF[1]),
        ]
        await sato.goto(f"{console}/drafts/{reference}")
        assert "相談の終了" in await sato.locator("#audit").inner_text()


async def play(server: Running, line: LineEmulator, turns: list[dict[str, object]]) -> None:
    for turn in turns:
        if turn.get("start"):
            assert await line.follow(PROPOSER) == 200
        elif "send" in turn:
            assert await line.type(PROPOSER, str(turn["send"])) == 200
        else:
            assert await line.tap(PROPOSER, str(turn["press"])) == 200
        await server.ingest.idle()


async def proposer_types(server: Running, line: LineEmulator, text: str) -> None:
    assert await line.type(PROPOSER, text) == 200
    await server.ingest.idle()


async def received(line: LineEmulator, start: str) -> str:
    """The push to the proposer that starts with ``start`` (staff replies go out in the background)."""
    for _ in range(200):
        found = [text for text in line.texts(PROPOSER) if text.startswith(start)]
        if found:
            return found[-1]
        await asyncio.sleep(0.05)
    raise AssertionError(f"no push starting {start!r}; LINE got {line.texts(PROPOSER)[-3:]}")


async def add_staff(database_url: str, name: str) -> None:
    engine = create_engine_for(database_url)
    try:
        accounts = SqlStaffAccounts(engine)
        now = datetime.now(UTC)
        await accounts.add_user(name, PASSWORD_HASH, now)
        await accounts.set_password(name, PASSWORD_HASH, temporary=False, now=now)
    finally:
        await engine.dispose()


async def log_in(browser, console: str, name: str):  # type: ignore[no-untyped-def]
    """A staff member in their own browser context (their own session)."""
    page = await (await browser.new_context(locale="ja-JP")).new_page()
    await page.goto(f"{console}/login")
    await page.fill("input[name=name]", name)
    await page.fill("input[name=password]", PASSWORD)
    await page.click("text=ログインする")
    assert await page.locator("h1").inner_text() == "提案の一覧"
    return page
