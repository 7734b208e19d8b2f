"""The terminal adapter: numbers pick the numbered answers shown last, labels any button, the rest is text."""

from __future__ import annotations

import io

from bot.channels.terminal import chat, render, to_inbound
from bot.core.messages import CardMessage, CardRow, Choice, Inbound, Outbound, TextMessage, UserKey

USER = UserKey(channel="terminal", user_id="me")
BACK, MENU = Choice(label="戻る", payload="c:back"), Choice(label="メニュー", payload="c:menu")
YES_NO_UNKNOWN = [Choice(label="はい", payload="o:yes"), Choice(label="いいえ", payload="o:no"),
                  Choice(label="わからない", payload="o:unknown"), BACK, MENU]
TEXT_STEP = [Choice(label="スキップ", payload="c:skip"), BACK, Choice(label="中断", payload="c:pause")]


def test_numbers_pick_only_the_numbered_answers() -> None:
    assert (to_inbound(USER, "2", YES_NO_UNKNOWN) or Inbound(user=USER)).payload == "o:no"
    assert (to_inbound(USER, "３", YES_NO_UNKNOWN) or Inbound(user=USER)).payload == "o:unknown"
    assert to_inbound(USER, "4", YES_NO_UNKNOWN) is None, "戻る is not numbered: 4 is no answer"
    assert to_inbound(USER, "99", YES_NO_UNKNOWN) is None
    assert (to_inbound(USER, " 戻る ", YES_NO_UNKNOWN) or Inbound(user=USER)).payload == "c:back"
    assert (to_inbound(USER, "予算は？", YES_NO_UNKNOWN) or Inbound(user=USER)).text == "予算は？"


def test_at_a_free_text_question_numbers_are_text() -> None:
    assert (to_inbound(USER, "1", TEXT_STEP) or Inbound(user=USER)).text == "1"
    assert (to_inbound(USER, "2", TEXT_STEP) or Inbound(user=USER)).text == "2"
    assert (to_inbound(USER, "中断", TEXT_STEP) or Inbound(user=USER)).payload == "c:pause"
    assert (to_inbound(USER, "5", []) or Inbound(user=USER)).text == "5"


def test_render_numbers_answers_names_commands_and_prints_cards() -> None:
    card = CardMessage(title="提案の下書き", rows=[CardRow(label="団体名", value="みどりの輪")])
    shown = render([card, TextMessage(text="よろしいですか？", choices=YES_NO_UNKNOWN)])
    assert shown == (
        "【提案の下書き】\n■団体名\nみどりの輪\n\nよろしいですか？\n  1. はい\n  2. いいえ\n  3. わからない\n  ［戻る］ ［メニュー］"
    )


def test_a_number_off_the_shown_answers_is_asked_again_without_a_turn() -> None:
    menus: list[list[Outbound]] = [
        [TextMessage(text="答えてください。", choices=YES_NO_UNKNOWN)],
        [TextMessage(text="団体名を教えてください。", choices=TEXT_STEP)],
        [TextMessage(text="ありがとうございます。")],
    ]
    handled: list[Inbound] = []

    def handle(inbound: Inbound) -> list[Outbound]:
        handled.append(inbound)
        return menus[len(handled) - 1]

    typed = iter(["99", "1", "2"])

    def read() -> str:
        try:
            return next(typed)
        except StopIteration:
            raise EOFError from None

    out = io.StringIO()
    chat(handle, USER, read, out, "1〜{last}の番号で選んでください。")
    assert "1〜3の番号で選んでください。" in out.getvalue()
    assert [inbound.payload or inbound.text for inbound in handled] == ["c:resume", "o:yes", "2"]
