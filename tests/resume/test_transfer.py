"""「別の端末で続ける」: a draft started in the web chat moves to LINE with a one-time code, and is sent from there.

Bad input: a used code, an expired code, too many wrong codes (one user's, everyone's), a code
typed where the draft is, and a code typed where another draft is waiting.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.core.transfer import ALPHABET, new_code, shown, typed_code
from bot.handoff.dossier import DossierBuilder
from tests.resume.stacks import CODE, Stack, WebVisitor, tomorrow_at

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
