"""回答テスト in headless Chromium on the real server (#20): a staff member types a question and sees the decision and
the top 5 with scores and matched words, on the live content, then on an edited copy that answers it, then on a
copy with a mistake (the page names it, as kyoso check would)."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.settings import REPOSITORY_ROOT, Settings
from tests.a11y.browser import VIEWPORTS, assert_accessible, chromium, needs_browser, new_page
from tests.harness import PASSWORD
from tests.staff.serving import Running, running_server

pytestmark = [needs_browser, pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]
QUESTION = "説明会はありますか？"
NEW_ENTRY = """entries:
  - id: briefing
    question: 説明会はありますか？
    label: 説明会
    paraphrases: [説明会の日程を知りたい]
    answer: 説明会の予定は、市のホームページでお知らせします。
    source: 試験用の項目
"""


@pytest.fixture
def edited(tmp_path: Path) -> Path:
    for folder in ("dialogs", "faq"):
        shutil.copytree(REPOSITORY_ROOT / folder, tmp_path / folder)
    (tmp_path / "faq" / "briefing.yaml").write_text(NEW_ENTRY, encoding="utf-8")
    return tmp_path


@pytest.fixture
async def server(database_url: str, edited: Path) -> AsyncIterator[Running]:
    settings = Settings(database_url=database_url, content_dir=REPOSITORY_ROOT, session_secret="s" * 40,
                        faq_embeddings=False, edited_content_dir=edited)
    async with running_server(settings) as running:
        yield running


async def test_a_question_on_the_live_and_the_edited_content(server: Running, edited: Path) -> None:
    async with chromium() as browser:
        page = await new_page(browser, VIEWPORTS["desktop"])
        await page.goto(f"{server.url}/staff/login?next=/staff/answer-test")
        await page.fill("input[name=name]", "sato")
        await page.fill("input[name=password]", PASSWORD)
        await page.click("text=ログインする")
        await page.wait_for_url("**/answer-test")

        await page.fill("input[name=q]", "限度額はいくら？")
        await page.click("button:has-text('試す')")
        decision = page.locator("#decision")
        assert "そのまま回答します" in await decision.inner_text()
        assert "促進事業の予算と上限" in await decision.inner_text()
        assert "700万円" in await page.locator("#answer-text").inner_text()
        rows = page.locator("#candidates tbody tr")
        assert await rows.count() == 5
        first = await rows.nth(0).inner_text()
        assert "program_budget" in first and "char" in first and "上限" in first, first
        await assert_accessible(page, "the answer test with a result")

        await page.fill("input[name=q]", QUESTION)
        await page.click("button:has-text('試す')")
        assert "そのまま回答します" not in await decision.inner_text(), "the live FAQ has no entry for it"
        await page.check("input[value=edited]")
        await page.click("button:has-text('試す')")
        assert "そのまま回答します" in await decision.inner_text() and "briefing" in await decision.inner_text()
        assert "briefing" in await rows.nth(0).inner_text() and "説明会" in await rows.nth(0).inner_text()

        (edited / "faq" / "briefing.yaml").write_text(NEW_ENTRY.replace("    source: 試験用の項目\n", ""), encoding="utf-8")
        response = await page.goto(page.url)
        assert response is not None and response.status == 409
        assert "編集中の内容に誤りがあるため" in await page.locator("#answer-test-error").inner_text()
        assert "briefing.yaml" in await page.locator("main").inner_text(), "the mistake names its file"
        for screen in VIEWPORTS.values():
            await page.set_viewport_size(screen)
            await assert_accessible(page, "the answer test with the edited content's mistakes")

        too_long = await page.goto(f"{server.url}/staff/answer-test?q={'あ' * 501}")
        assert too_long is not None and too_long.status == 400
        assert "質問は500文字以内にしてください" in await page.locator("#answer-test-error").inner_text()
