"""From unanswered to FAQ (#20): questions grouped by meaning with the FAQ's own model, and each group exported
as a sheet that `kyoso faq import` takes (a new entry, or extra example questions for the nearest entry)."""

from __future__ import annotations

import csv
import io
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from bot.content.loader import Content, load_content
from bot.core.draft import FaqAsked
from bot.core.messages import UserKey
from bot.faq.dense import E5Embedder
from bot.faq.live import load_embedder
from bot.faq.sheets import import_entries
from bot.settings import REPOSITORY_ROOT
from bot.staff.gaps import Asked, group
from storage.sql_store import SqlStore
from tests.proposals import JST
from tests.staff.console import Console

# Not the questions THRESHOLD was picked on (bot/staff/gaps.py).
FIXED = {
    "相談会は開催していますか": 4, "相談会の日程は？": 2, "相談会はいつありますか": 1,
    "市の会議室を借りられますか": 2, "市の施設を会場として使えますか": 2,
    "ゴミの分別方法": 1, "採択されたら契約はどうなる": 1, "個人事業主は応募できる？": 1,
}


@pytest.fixture(scope="module")
def embedder() -> E5Embedder:
    found = load_embedder(REPOSITORY_ROOT / "var" / "cache")
    if found is None:
        pytest.skip("the FAQ's embedding model cannot be loaded here")
    return found


def test_a_fixed_set_of_questions_groups_by_meaning_largest_first(embedder: E5Embedder) -> None:
    groups = group([Asked(text, count) for text, count in FIXED.items()], lambda texts: embedder.passages(texts, as_query=True))
    assert [[asked.question for asked in found.questions] for found in groups] == [
        ["相談会は開催していますか", "相談会の日程は？", "相談会はいつありますか"],
        ["市の会議室を借りられますか", "市の施設を会場として使えますか"],
        ["ゴミの分別方法"], ["個人事業主は応募できる？"], ["採択されたら契約はどうなる"],
    ]
    assert [found.total for found in groups] == [7, 4, 1, 1, 1]


async def ask(store: SqlStore, question: str, outcome: str, times: int) -> None:
    for _ in range(times):
        async with store.turn(UserKey(channel="line", user_id="U-gaps")) as turn:
            await turn.record_question(FaqAsked(
                question=question, faq_id=None, outcome=outcome, asked_at=datetime(2026, 11, 25, 9, tzinfo=JST),  # type: ignore[arg-type]
            ))


def copied_content(tmp_path: Path) -> Path:
    for folder in ("dialogs", "faq"):
        shutil.copytree(REPOSITORY_ROOT / folder, tmp_path / folder)
    return tmp_path


async def test_the_page_lists_groups_and_their_exports_import(
    console: Console, store: SqlStore, content: Content, tmp_path: Path
) -> None:
    await ask(store, "相談会の日程を教えてください", "unanswered", 3)
    await ask(store, "相談会の日程を教えて", "suggested", 2)
    await ask(store, "駐車場はありますか", "unanswered", 1)
    await console.login()
    page = await (await console.client.get("/staff/gaps")).text()
    first, second = page.index("「相談会の日程を教えてください」など（5回、2種類の質問）"), page.index("「駐車場はありますか」など（1回")
    assert first < second, "the largest group comes first"
    assert "相談会の日程を教えて（2回）" in page

    draft = await console.client.get("/staff/gaps/entry.csv", params={"q": "相談会の日程を教えてください"})
    assert draft.status == 200
    rows = list(csv.DictReader(io.StringIO((await draft.read()).decode("utf-8-sig"))))
    assert [(row["question"], row["paraphrases"], row["source"]) for row in rows] == [
        ("相談会の日程を教えてください", "相談会の日程を教えて", "要記入")
    ]
    root = copied_content(tmp_path / "new")
    sheet = tmp_path / "entry.csv"
    sheet.write_bytes(await draft.read())
    import_entries(sheet, root, "from-questions.yaml")
    imported = load_content(root).faq_entry(rows[0]["id"])
    assert imported is not None and imported.paraphrases == ["相談会の日程を教えて"]

    nearest = content.faq[0].id
    examples = await console.client.get("/staff/gaps/examples.csv", params={"q": "駐車場はありますか", "entry": nearest})
    assert examples.status == 200
    file_name = content.faq_sources[nearest].file.name
    root = copied_content(tmp_path / "examples")
    sheet = tmp_path / "examples.csv"
    sheet.write_bytes(await examples.read())
    import_entries(sheet, root, file_name)
    reloaded = load_content(root)
    assert "駐車場はありますか" in reloaded.faq_entry(nearest).paraphrases  # type: ignore[union-attr]
    assert {entry.id for entry in reloaded.faq} == {entry.id for entry in content.faq}, "no entry of the file was lost"


async def test_an_unknown_group_or_entry_gets_a_clear_4xx(console: Console, store: SqlStore) -> None:
    await ask(store, "駐車場はありますか", "unanswered", 1)
    await console.login()
    missing = await console.client.get("/staff/gaps/entry.csv", params={"q": "ありません"})
    assert missing.status == 404 and "ページを読み込み直してください" in await missing.text()
    wrong = await console.client.get("/staff/gaps/examples.csv", params={"q": "駐車場はありますか", "entry": "nope"})
    assert wrong.status == 400 and "FAQの項目「nope」はありません" in await wrong.text()
