"""The console over HTTP: the guard (session, CSRF, lock-out), the workflow, notes, replies, audit and exports."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import update

from bot.core.messages import UserKey
from bot.staff.passwords import hash_password
from storage.sql_store import SqlStore, create_engine_for
from storage.tables import conversations
from tests.harness import PASSWORD
from tests.proposals import make_submission, submit
from tests.staff.console import Console, mount


@pytest.mark.parametrize("path", ["/staff/", "/staff/drafts", "/staff/drafts/KY-2026-0001", "/staff/questions", "/staff/retention"])
async def test_pages_without_a_session_send_to_the_login(console: Console, path: str) -> None:
    response = await console.client.get(path, allow_redirects=False)
    assert response.status == 303
    assert response.headers["Location"].startswith("/staff/login?next=")


@pytest.mark.parametrize("path", ["/staff/export.csv", "/staff/export.json"])
async def test_the_api_without_a_session_answers_401(console: Console, path: str) -> None:
    response = await console.client.get(path)
    assert response.status == 401


async def test_a_form_without_the_csrf_token_is_refused(console: Console, store: SqlStore) -> None:
    reference = await submit(store, make_submission())
    await console.login()
    response = await console.client.post(
        f"/staff/drafts/{reference}/status", data={"current": "受付", "status": "確認中"}
    )
    assert response.status == 403
    assert "正しくない送信です" in await response.text()
    assert (await store.get_draft(reference)).status == "受付"  # type: ignore[union-attr]


async def test_login_needs_the_right_password_and_locks_after_repeated_failures(console: Console) -> None:
    for _ in range(4):
        assert (await console.login(password="wrong")).status == 401
    assert (await console.login()).status == 303, "four failures do not lock"
    await console.post("/staff/logout", {}, "/staff/drafts")

    for _ in range(5):
        await console.login(password="wrong")
    refused = await console.login()
    assert refused.status == 403 and "一時的にログインできません" in await refused.text()

    console.clock.advance(0.26)
    assert (await console.login()).status == 303


async def test_a_session_planted_before_log_in_does_not_become_the_staff_session(console: Console) -> None:
    """Session fixation: the log-in issues a new session (new cookie, new CSRF token); the old one stays anonymous."""
    planted_token = await console.csrf()
    planted = console.client.session.cookie_jar.filter_cookies(console.client.make_url("/staff/"))["kyoso_staff"].value
    assert (await console.login()).status == 303
    assert await console.csrf("/staff/drafts") != planted_token

    console.client.session.cookie_jar.clear()
    console.client.session.cookie_jar.update_cookies({"kyoso_staff": planted}, console.client.make_url("/staff/"))
    response = await console.client.get("/staff/drafts", allow_redirects=False)
    assert response.status == 303 and response.headers["Location"].startswith("/staff/login")


async def test_log_out_and_a_new_password_end_the_sessions_on_other_devices(console: Console) -> None:
    async with TestClient(TestServer(mount(console.services))) as other_device:  # another browser, another worker
        other = Console(console.services, other_device, console.clock)
        assert (await console.login()).status == 303
        console.clock.advance(0.01)
        assert (await other.login()).status == 303
        assert (await other_device.get("/staff/drafts", allow_redirects=False)).status == 200

        console.clock.advance(0.01)
        await console.post("/staff/logout", {}, "/staff/drafts")
        ended = await other_device.get("/staff/drafts", allow_redirects=False)
        assert ended.status == 303 and ended.headers["Location"].startswith("/staff/login")

        assert (await other.login()).status == 303  # a new log-in works again
        console.clock.advance(0.01)
        assert (await console.login()).status == 303
        changed = await console.post(
            "/staff/password", {"current": PASSWORD, "new": "a brand new passphrase", "again": "a brand new passphrase"},
            "/staff/password",
        )
        assert changed.status == 303
        assert (await console.client.get("/staff/drafts", allow_redirects=False)).status == 200  # this device stays
        assert (await other_device.get("/staff/drafts", allow_redirects=False)).status == 303  # the other does not


async def test_a_one_time_password_must_be_changed_first(console: Console) -> None:
    services = console.services
    await services.accounts.add_user("suzuki", hash_password("one-time-pass-1"), console.clock.now())
    assert (await console.login("suzuki", "one-time-pass-1")).status == 303
    response = await console.client.get("/staff/drafts", allow_redirects=False)
    assert response.headers["Location"] == "/staff/password"

    changed = await console.post("/staff/password", {"current": "one-time-pass-1", "new": "my own passphrase",
                                                     "again": "my own passphrase"})
    assert changed.status == 303
    assert (await console.client.get("/staff/drafts")).status == 200
    await console.post("/staff/logout", {}, "/staff/drafts")
    assert (await console.login("suzuki", "one-time-pass-1")).status == 401


async def test_the_list_filters_and_searches(console: Console, store: SqlStore) -> None:
    park = await submit(store, make_submission(title="公園で子ども食堂"))
    walk = await submit(store, make_submission(title="見守りウォーキング", proposal_type="free", theme=None))
    await console.login()

    async def listed(query: str) -> set[str]:
        page = await (await console.client.get(f"/staff/drafts?{query}")).text()
        return {reference for reference in (park, walk) if reference in page}

    assert await listed("") == {park, walk}
    assert await listed("type=free") == {walk}
    assert await listed("theme=通常の行政課題") == {park}
    assert await listed("q=ウォーキング") == {walk}
    assert await listed("from=2026-11-26") == set()
    assert await listed("from=2026-11-25&to=2026-11-25") == {park, walk}
    assert await listed("status=確認中") == set()


async def test_status_notes_and_replies_are_stored_and_audited(console: Console, store: SqlStore) -> None:
    reference = await submit(store, make_submission())
    await console.login()
    page = f"/staff/drafts/{reference}"

    moved = await console.post(f"{page}/status", {"current": "受付", "status": "確認中", "note": "内容を確認します"}, page)
    assert moved.status == 303
    skipped = await console.post(f"{page}/status", {"current": "確認中", "status": "マッチング済"}, page)
    assert skipped.status == 400 and "変更できません" in await skipped.text()
    empty = await console.post(f"{page}/notes", {"text": "   "}, page)
    assert empty.status == 400 and "メモは1〜4000文字で入力してください。" in await empty.text()
    too_long = await console.post(f"{page}/replies", {"text": "あ" * 2001}, page)
    assert too_long.status == 400 and "返信は1〜2000文字で入力してください。" in await too_long.text()
    await console.post(f"{page}/notes", {"text": "環境政策課に相談する"}, page)
    await console.post(f"{page}/replies", {"text": "ご提案ありがとうございます。担当から連絡します。"}, page)

    assert (await store.get_draft(reference)).status == "確認中"  # type: ignore[union-attr]
    activity = await console.services.staff.activity(reference)
    assert [note.text for note in activity.notes] == ["環境政策課に相談する"]
    [reply] = activity.replies
    framed = f"【市民協働推進部 協働共創推進課の担当者より（受付番号: {reference}）】\nご提案ありがとうございます。担当から連絡します。"
    assert (reply.text, reply.status, reply.author) == (framed, "pending", "sato"), "the proposer gets the reply in its frame"
    actions = [entry.action for entry in reversed(activity.audit)]
    assert actions[:2] == ["view", "status"] and {"note", "reply"} <= set(actions)
    shown = await (await console.client.get(page)).text()
    assert "受付 → 確認中（内容を確認します）" in shown and "環境政策課に相談する" in shown


async def test_proposer_text_is_shown_escaped(console: Console, store: SqlStore) -> None:
    reference = await submit(store, make_submission(title="<script>alert('x')</script>"))
    await console.login()
    for path in (f"/staff/drafts/{reference}", "/staff/drafts", f"/staff/drafts/{reference}/print"):
        page = await (await console.client.get(path)).text()
        assert "<script>" not in page and "&lt;script&gt;" in page


async def test_csv_export_is_excel_friendly_and_formula_safe(console: Console, store: SqlStore) -> None:
    reference = await submit(store, make_submission(org_name="=HYPERLINK(\"http://evil\")", title="+SUM(A1)"))
    await console.login()
    response = await console.client.get("/staff/export.csv")
    body = await response.read()

    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    assert body.startswith(b"\xef\xbb\xbf") and b"\r\n" in body
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:5] == ["受付番号", "状態", "送信日時", "受付経路", "団体名"]
    [row] = rows[1:]
    assert row[0] == reference and row[4] == "'=HYPERLINK(\"http://evil\")"
    assert "'+SUM(A1)" in row and "NPO法人" in row
    audit = await console.services.staff.activity(reference)
    assert audit.audit[0].action == "export"


async def test_json_export_carries_schema_versioned_dossiers(console: Console, store: SqlStore) -> None:
    reference = await submit(store, make_submission(user=UserKey(channel="web", user_id="w-1")))
    await console.login()
    raw = await (await console.client.get("/staff/export.json")).read()
    assert b"w-1" not in raw, "the web visitor's id is a credential: never exported"
    data = json.loads(raw)
    assert data["schema_version"] == 2
    [dossier] = data["drafts"]
    assert len(dossier["user_tag"]) == 12
    assert dossier["reference"] == reference and dossier["channel"] == "web"
    assert dossier["criteria"] == {"c1": "yes", "c2": "unknown"}


async def test_the_unanswered_questions_page_counts_questions(console: Console, store: SqlStore) -> None:
    await submit(store, make_submission())
    from bot.core.draft import FaqAsked

    async with store.turn(UserKey(channel="line", user_id="U-x")) as turn:
        for _ in range(2):
            await turn.record_question(FaqAsked(question="駐車場はありますか", faq_id=None, outcome="unanswered",
                                                asked_at=console.clock.now()))
    await console.login()
    page = await (await console.client.get("/staff/questions")).text()
    assert "駐車場はありますか" in page and "<td>2</td>" in page


async def test_the_retention_page_counts_what_the_next_purge_forgets_without_showing_it(
    console: Console, store: SqlStore, database_url: str
) -> None:
    for user, idle_days in [("U-idle", 100), ("U-recent", 10)]:
        async with store.turn(UserKey(channel="line", user_id=user)) as turn:
            turn.state.values["org_name"] = "株式会社まだ送っていない"
        await _set_last_activity(database_url, user, console.clock.now() - timedelta(days=idle_days))
    await console.login()
    page = await (await console.client.get("/staff/retention")).text()
    assert '<td id="purge-conversations">1件</td>' in page and "90日" in page
    assert "株式会社まだ送っていない" not in page
    assert "利用状況の集計に使う記録" in page, "staff are told the anonymous usage counts outlive a purge"


async def _set_last_activity(database_url: str, user_id: str, when: datetime) -> None:
    engine = create_engine_for(database_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(update(conversations).where(conversations.c.user_id == user_id).values(updated_at=when))
    finally:
        await engine.dispose()


async def test_only_the_printable_page_may_use_inline_styles(console: Console, store: SqlStore) -> None:
    reference = await submit(store, make_submission())
    await console.login()
    printable = await console.client.get(f"/staff/drafts/{reference}/print")
    page = await console.client.get(f"/staff/drafts/{reference}")
    assert "<style>" in await printable.text()
    assert "style-src 'unsafe-inline'" in printable.headers["Content-Security-Policy"]
    assert page.headers["Content-Security-Policy"].startswith("default-src 'self'")
