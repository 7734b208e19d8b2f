"""#14.16 and #21 over HTTP: confirmations after each change, every theme in the filter, the CSV's criteria,
status history and notes, a consultation beside the same proposer's drafts, the log-in error, and the
session that warns before it ends and can be extended."""

from __future__ import annotations

import csv
import io
import re

from bot.content.loader import Content
from storage.sql_store import SqlStore
from tests.harness import PASSWORD
from tests.proposals import ALICE, make_submission, submit
from tests.staff.console import Console
from tests.staff.test_consultations import USER, open_consultation


def flash_of(page: str) -> str | None:
    found = re.search(r'<p class="flash" role="status">([^<]*)</p>', page)
    return found.group(1) if found else None


async def test_each_change_is_confirmed_once(console: Console, store: SqlStore) -> None:
    reference = await submit(store, make_submission())
    await console.login()
    page = f"/staff/drafts/{reference}"
    assert flash_of(await (await console.client.get(page)).text()) is None

    await console.post(f"{page}/status", {"current": "受付", "status": "確認中"}, page)
    shown = await (await console.client.get(page)).text()
    assert flash_of(shown) == "状態を「確認中」に変更しました。提案者にお知らせします。"
    assert flash_of(await (await console.client.get(page)).text()) is None, "shown once, not on every later page"

    await console.post(f"{page}/notes", {"text": "環境政策課に相談する"}, page)
    assert flash_of(await (await console.client.get(page)).text()) == "メモを残しました。"
    await console.post(f"{page}/replies", {"text": "ご提案ありがとうございます。"}, page)
    assert "返信を受け付けました" in (flash_of(await (await console.client.get(page)).text()) or "")

    changed = await console.post(
        "/staff/password", {"current": PASSWORD, "new": "another long passphrase", "again": "another long passphrase"}
    )
    assert changed.status == 303
    assert flash_of(await (await console.client.get("/staff/drafts")).text()) == "パスワードを変更しました。"


async def test_the_theme_filter_offers_every_theme(console: Console, store: SqlStore, content: Content) -> None:
    await submit(store, make_submission(theme="通常の行政課題"))
    await console.login()
    page = await (await console.client.get("/staff/drafts")).text()
    offered = re.findall(r'<option value="([^"]*)"', page.split('name="theme"')[1].split("</select>")[0])
    assert offered[1:] == content.facts.lists["themes"], "every current テーマ型 theme, drafts or not"


async def test_the_csv_has_criteria_answers_status_history_and_notes(console: Console, store: SqlStore) -> None:
    reference = await submit(store, make_submission())
    await console.login()
    page = f"/staff/drafts/{reference}"
    await console.post(f"{page}/status", {"current": "受付", "status": "確認中", "note": "内容を確認します"}, page)
    console.clock.advance(1)
    await console.post(f"{page}/status", {"current": "確認中", "status": "担当課調整中"}, page)
    await console.post(f"{page}/notes", {"text": "環境政策課に相談する"}, page)

    rows = list(csv.DictReader(io.StringIO((await (await console.client.get("/staff/export.csv")).read()).decode("utf-8-sig"))))
    [row] = rows
    criteria = {name: value for name, value in row.items() if name.startswith("条件: ")}
    assert len(criteria) >= 5 and "はい" in criteria.values() and "わからない" in criteria.values()
    history = row["状態の履歴"].splitlines()
    assert len(history) == 2
    assert history[0].endswith("受付 → 確認中（sato）: 内容を確認します") and history[1].endswith("確認中 → 担当課調整中（sato）")
    assert row["職員メモ"].endswith("sato: 環境政策課に相談する")


async def test_a_consultation_links_the_same_proposers_drafts(console: Console, store: SqlStore, content: Content) -> None:
    mine = await submit(store, make_submission(user=USER, title="多摩川の清掃"))
    someone_elses = await submit(store, make_submission(user=ALICE, title="公園で子ども食堂"))
    await open_consultation(console, store, content)
    await console.login()
    page = await (await console.client.get("/staff/consultations/1")).text()
    listed = page.split('id="user-drafts"')[1].split("</ul>")[0]
    assert f'/staff/drafts/{mine}"' in listed and "多摩川の清掃" in listed
    assert someone_elses not in listed


async def test_the_log_in_error_takes_the_focus_and_names_itself_in_the_title(console: Console) -> None:
    refused = await console.login(password="wrong")
    page = await refused.text()
    assert re.search(r"<title>エラー: ログイン", page)
    assert re.search(r'<p class="error" id="login-error" role="alert" tabindex="-1" autofocus>', page)
    assert 'aria-describedby=login-error aria-invalid=true' in page


async def seconds_left(console: Console, path: str = "/staff/drafts") -> int | None:
    response = await console.client.get(path, allow_redirects=False)
    if response.status != 200:
        return None
    found = re.search(r'data-seconds-left="(\d+)"', await response.text())
    assert found, "every logged-in page tells its script when the session ends"
    return int(found.group(1))


async def test_the_session_ends_12_hours_after_log_in_unless_extended(console: Console) -> None:
    await console.login()
    assert await seconds_left(console) == 12 * 3600
    console.clock.advance(11.9)
    assert await seconds_left(console) == int(0.1 * 3600), "pages and flashes do not extend it silently"
    extended = await console.post("/staff/session", {}, "/staff/drafts")
    assert extended.status == 200 and (await extended.json())["seconds_left"] == 12 * 3600
    console.clock.advance(11.9)
    assert await seconds_left(console) == int(0.1 * 3600), "11.9 h after the extension it still holds"
    console.clock.advance(0.2)
    assert await seconds_left(console) is None, "then it has ended: the log-in again"

    refused = await console.client.post("/staff/session", data={"csrf_token": "forged"})
    assert refused.status == 403, "a session cannot be extended without the page's token"


async def test_the_consent_line_reads_naturally(console: Console, store: SqlStore) -> None:
    reference = await submit(store, make_submission())
    await console.login()
    page = await (await console.client.get(f"/staff/drafts/{reference}")).text()
    line = re.search(r'<p id="consent">([^<]*)</p>', page)
    assert line and line.group(1) == "2026年11月25日 10:28、個人情報の取り扱いの説明（版: 2026-11-1）に同意しています。"
