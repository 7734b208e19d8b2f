"""「別の端末で続ける」: a draft started in the web chat moves to LINE with a one-time code (its files too), and is
sent from there.

Bad input: a used code, an expired code, too many wrong codes (one user's, everyone's), a code
typed where the draft is, and a code typed where another draft is waiting.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import aiohttp
import pytest
from sqlalchemy import select

from bot.core.messages import UserKey
from bot.core.transfer import ALPHABET, CHANNELS_PASSED, TransferLimits, hashed, new_code, shown, typed_code
from bot.handoff.dossier import DossierBuilder
from bot.handoff.render import DossierRenderer
from storage.documents import SqlDocuments
from storage.retention import purge
from storage.sql_store import SqlStore, create_engine_for
from storage.tables import transfer_attempts, transfer_codes
from storage.transfer import SqlTransfers
from tests.documents.files import PDF
from tests.proposals import make_submission, submit
from tests.resume.stacks import CODE, Stack, WebVisitor, tomorrow_at
from tests.staff.console import Console, console  # noqa: F401 - the console fixture

USER = "U" + "c" * 32
OTHER = "U" + "d" * 32
MOVED = "ウェブチャットで書いていた下書きを引き継ぎました"


async def _web_draft(visitor: WebVisitor, minutes: int = 15) -> str:
    """A visitor answers the first questions in the web chat, then asks for a code: the code."""
    await visitor.post({"start": True})
    await visitor.press("提案の下書きをつくる")
    await visitor.say("株式会社ひきつぎ")
    await visitor.press("企業")
    assert "メールアドレス" in await visitor.say("引継 太郎")
    said = await visitor.say("別の端末で続ける")
    assert "別の端末で続けるためのコードです" in said and f"{minutes}分以内" in said
    found = CODE.search(said)
    assert found is not None, said
    return found.group()


async def _follow(stack: Stack, user: str) -> None:
    assert await stack.emulator.follow(user) == 200
    await stack.first.settled()


async def test_a_web_draft_goes_on_on_line_and_staff_see_one_draft_that_passed_both(stack: Stack, visitor: WebVisitor) -> None:
    code = await _web_draft(visitor)
    await _follow(stack, USER)
    said = await stack.line(USER, f">{code}")
    assert MOVED in said[0] and "メールアドレス" in said[-1]

    again = await visitor.say("こんにちは")
    assert "ご用件を選んでください" in again and "メールアドレス" not in again, "the web chat's draft is gone"

    await stack.line(
        USER, ">taro@example.jp", "スキップ", "フリー型", ">空き店舗で子ども食堂", ">放課後の居場所が足りない", ">空き店舗を借りて週2回開く",
        ">運営と食材の手配", ">空き店舗の紹介と広報", ">月に延べ200人が利用する", ">年に約50万円", "希望しない", "スキップ", "スキップ",
    )
    assert "株式会社ひきつぎ" in "\n".join(stack.emulator.texts(USER)[-3:]), "the summary shows the answers given on the web"
    said = await stack.line(USER, "この内容で送る", "同意して送る")
    assert any("受付番号は KY-" in text for text in said)

    app = stack.first.app
    drafts = await app.store.list_drafts()
    assert [(draft.user.channel, draft.draft.org_name, draft.draft.contact_name) for draft in drafts] == [
        ("line", "株式会社ひきつぎ", "引継 太郎")
    ]
    dossier = DossierBuilder(app.content).build(drafts[0])
    assert dossier.channels == ["web", "line"]
    assert all(row.name != "channels_passed" for row in dossier.criteria_answers)
    passed = "経由した経路: Webチャット → LINE（「別の端末で続ける」で引き継ぎ）"
    assert passed in DossierRenderer().markdown(dossier), "the staff mail says where the draft was written"
    assert "経由した経路</dt><dd id=\"channels\">Webチャット → LINE" in DossierRenderer().html(dossier)


async def test_the_console_shows_the_channels_a_draft_passed_and_a_one_channel_draft_does_not_say_it(
    console: Console, store: SqlStore,  # noqa: F811
) -> None:
    moved = make_submission(user=UserKey(channel="line", user_id=USER))
    moved.criteria[CHANNELS_PASSED] = "telegram,web,line"
    reference = await submit(store, moved)
    stayed = await submit(store, make_submission(user=UserKey(channel="line", user_id=OTHER)))
    await console.login()
    page = await (await console.client.get(f"/staff/drafts/{reference}")).text()
    assert "経由した経路</dt><dd id=\"channels\">Telegram → Webチャット → LINE" in page
    assert "channels_passed" not in page
    assert "経由した経路" not in await (await console.client.get(f"/staff/drafts/{stayed}")).text()


async def test_the_files_sent_in_the_web_chat_move_with_the_draft_and_reach_staff(stack: Stack, visitor: WebVisitor) -> None:
    await visitor.post({"start": True})
    await visitor.press("提案の下書きをつくる")
    await visitor.say("株式会社ひきつぎ")
    form = aiohttp.FormData()
    form.add_field("file", PDF, filename="企画書.pdf", content_type="application/pdf")
    async with visitor.http.post(f"{stack.first.url}/api/chat/upload", data=form) as uploaded:
        assert uploaded.status == 200 and "「企画書.pdf」を受け取りました" in await uploaded.text()
    found = CODE.search(await visitor.say("別の端末で続ける"))
    assert found is not None
    await _follow(stack, USER)
    assert MOVED in (await stack.line(USER, f">{found.group()}"))[0]

    await stack.line(
        USER, "企業", ">引継 太郎", ">taro@example.jp", "スキップ", "フリー型", ">空き店舗で子ども食堂", ">放課後の居場所が足りない",
        ">空き店舗を借りて週2回開く", ">運営と食材の手配", ">空き店舗の紹介と広報", ">月に延べ200人が利用する", ">年に約50万円",
        "希望しない", "スキップ", "スキップ",
    )
    assert "・企画書.pdf" in "\n".join(stack.emulator.texts(USER)[-3:]), "the summary on LINE lists the file sent on the web"
    said = await stack.line(USER, "この内容で送る", "同意して送る")
    assert any("受付番号は KY-" in text for text in said)

    [draft] = await stack.first.app.store.list_drafts()
    assert [document.name for document in draft.documents] == ["企画書.pdf"]
    stored = await SqlDocuments(stack.first.app.database).file(draft.reference, draft.documents[0].id)
    assert stored is not None and stored.data == PDF, "staff get the file's bytes"


async def test_a_code_works_once_and_only_for_its_minutes(stack: Stack, visitor: WebVisitor) -> None:
    code = await _web_draft(visitor)
    await _follow(stack, USER)
    await _follow(stack, OTHER)
    assert MOVED in (await stack.line(USER, f">{code.lower()}"))[0], "typed in lower case, it is the same code"

    said = await stack.line(OTHER, f">{code}")
    assert "すでに使われています" in said[0] and "メールアドレス" not in "\n".join(said)

    said = await stack.line(USER, ">別の端末で続ける")
    found = CODE.search(said[-1])
    assert found is not None
    stack.clock.advance(timedelta(minutes=16))
    assert "有効期限が切れています" in await visitor.say(found.group())
    assert "メールアドレス" in (await stack.line(USER, ">再開"))[-1], "the draft stayed on LINE"


async def test_too_many_wrong_codes_from_one_user_are_refused_for_an_hour(stack: Stack) -> None:
    await stack.start(transfer_code_minutes=180)
    visitor = WebVisitor(stack.first.url)
    try:
        code = await _web_draft(visitor, minutes=180)
        await _follow(stack, USER)
        wrong = "ABCD-EFGH" if code != "ABCD-EFGH" else "HGFE-DCBA"
        for _ in range(5):
            assert "見つかりませんでした" in (await stack.line(USER, f">{wrong}"))[0]
        assert "しばらく受け付けを止めています" in (await stack.line(USER, f">{code}"))[0], "the right code too, for now"
        assert "メールアドレス" in await visitor.say("再開"), "the draft stayed in the web chat"

        stack.clock.advance(timedelta(minutes=61))
        assert MOVED in (await stack.line(USER, f">{code}"))[0]
    finally:
        await visitor.close()


async def test_too_many_wrong_codes_from_everyone_are_refused(stack: Stack) -> None:
    await stack.start(transfer_wrong_overall=3)
    visitor = WebVisitor(stack.first.url)
    try:
        code = await _web_draft(visitor)
        for index in range(3):
            guesser = "U" + str(index) * 32
            await _follow(stack, guesser)
            assert "見つかりませんでした" in (await stack.line(guesser, ">ZZZZ-ZZZZ"))[0]
        await _follow(stack, USER)
        assert "しばらく受け付けを止めています" in (await stack.line(USER, f">{code}"))[0]
    finally:
        await visitor.close()


async def test_a_code_does_not_overwrite_a_draft_waiting_there_nor_works_where_it_was_given(
    stack: Stack, visitor: WebVisitor
) -> None:
    code = await _web_draft(visitor)
    assert "このコードは、この画面で受け取ったものです" in await visitor.say(code)

    await _follow(stack, USER)
    await stack.line(USER, "提案の下書きをつくる", ">株式会社こちらにも")
    said = await stack.line(USER, f">{code}")
    assert "このトークにも、送る前の下書きがあります" in said[0] and "団体の種類" in said[-1]
    assert "メールアドレス" in await visitor.say("再開"), "the web draft stayed where it was"


async def test_data_deletion_takes_the_code_with_it(stack: Stack, visitor: WebVisitor) -> None:
    code = await _web_draft(visitor)
    await visitor.say("データ削除")
    assert "削除しました" in await visitor.press("はい")
    async with stack.first.app.database.connect() as connection:
        kept = (await connection.execute(select(transfer_codes.c.channel))).scalars().all()
    assert kept == [], "no code of the visitor is kept"
    await _follow(stack, USER)
    said = await stack.line(USER, f">{code}")
    assert "見つかりませんでした" in said[0] and MOVED not in "\n".join(said)


async def test_retention_purge_forgets_old_codes_and_wrong_tries(database_url: str, store: SqlStore) -> None:
    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    old, cutoff = now - timedelta(days=120), now - timedelta(days=90)
    engine = create_engine_for(database_url)
    transfers = SqlTransfers(engine)
    try:
        await transfers.issue(UserKey(channel="web", user_id="visitor-new"), hashed("NEWCODE2"), now, now + timedelta(minutes=15))
        await transfers.issue(UserKey(channel="web", user_id="visitor-old"), hashed("OLDCODE2"), old, old + timedelta(minutes=15))
        wrong = await transfers.redeem(UserKey(channel="line", user_id=USER), hashed("WRONG234"), old, TransferLimits())
        assert wrong.outcome == "unknown"  # a wrong try, counted
        await purge(engine, cutoff)
        async with engine.connect() as connection:
            codes = (await connection.execute(select(transfer_codes.c.code_hash))).scalars().all()
            tries = (await connection.execute(select(transfer_attempts.c.user_id))).scalars().all()
    finally:
        await engine.dispose()
    assert codes == [hashed("NEWCODE2")] and tries == []


async def test_without_a_draft_there_is_no_code(visitor: WebVisitor) -> None:
    await visitor.post({"start": True})
    said = await visitor.say("別の端末で続ける")
    assert "引き継ぐ下書きがありません" in said and not CODE.search(said)


@pytest.mark.parametrize("typed", ["ABCD-EFGH", "abcd-efgh", "ＡＢＣＤ－ＥＦＧＨ", "ABCDEFGH", " abcd efgh ", "ABCDーEFGH"])
def test_a_code_is_read_in_any_width_and_case(typed: str) -> None:
    assert typed_code(typed) == "ABCDEFGH"


@pytest.mark.parametrize("typed", ["ABCD-EFG", "ABCD-EFGHJ", "ABC0-EFGH", "株式会社ABCD", "ABCD--EFGH", "http://ABCD-EFGH"])
def test_other_lines_are_not_codes(typed: str) -> None:
    assert typed_code(typed) is None


def test_codes_are_long_and_of_the_unambiguous_alphabet() -> None:
    codes = {new_code() for _ in range(200)}
    assert len(codes) == 200 and all(len(code) == 8 and set(code) <= set(ALPHABET) for code in codes)
    assert not set("01IOL") & set(ALPHABET) and CODE.fullmatch(shown(next(iter(codes))))


async def test_a_draft_moved_from_the_web_chat_is_reminded_of_on_line(stack: Stack, visitor: WebVisitor) -> None:
    """The web chat has no push: its draft gets no reminder there; moved to LINE, it gets its one reminder there."""
    stack.clock.set(tomorrow_at(10))
    await _web_draft(visitor)
    reminders = stack.first.app.reminders
    assert reminders is not None
    stack.clock.advance(timedelta(days=3))
    assert await reminders.run_once() == 0

    said = await visitor.say("別の端末で続ける")  # the first code is long expired: a new one
    assert "おかえりなさい" in said and (code := CODE.search(said)) is not None
    await _follow(stack, USER)
    assert MOVED in (await stack.line(USER, f">{code.group()}"))[0]
    stack.clock.advance(timedelta(days=3))
    assert await reminders.run_once() == 1
    assert "送る前のまま保存されています" in stack.emulator.texts(USER)[-1]
