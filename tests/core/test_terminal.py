"""The terminal adapter maps numbers and labels to the buttons it showed."""

from __future__ import annotations

from bot.channels.terminal import render, to_inbound
from bot.core.messages import CardMessage, CardRow, Choice, TextMessage, UserKey

USER = UserKey(channel="terminal", user_id="me")
SHOWN = [Choice(label="はい", payload="o:yes"), Choice(label="いいえ", payload="o:no")]


def test_number_and_label_press_the_button_anything_else_is_text() -> None:
    assert to_inbound(USER, "2", SHOWN).payload == "o:no"
    assert to_inbound(USER, " はい ", SHOWN).payload == "o:yes"
    assert to_inbound(USER, "3", SHOWN).text == "3"
    assert to_inbound(USER, "予算は？", SHOWN).text == "予算は？"


def test_render_numbers_choices_and_prints_cards() -> None:
    card = CardMessage(title="提案の下書き", rows=[CardRow(label="団体名", value="みどりの輪")])
    shown = render([card, TextMessage(text="よろしいですか？", choices=SHOWN)])
    assert shown == "【提案の下書き】\n■団体名\nみどりの輪\n\nよろしいですか？\n  1. はい\n  2. いいえ"
