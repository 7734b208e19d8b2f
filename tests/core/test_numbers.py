"""Typed numbers pick the numbered answers shown last; at a text question they stay text."""

from __future__ import annotations

from bot.core import payloads
from bot.core.messages import Choice, Inbound, TextMessage, UserKey
from bot.core.numbers import numbered_after, picked, typed_number

USER = UserKey(channel="line", user_id="U1")
NPO = Choice(label="NPO法人", payload=payloads.OPTION + "npo")
COMPANY = Choice(label="企業", payload=payloads.OPTION + "company")
BACK = Choice(label="戻る", payload=payloads.COMMAND + "back")
FAQ_MENU = Choice(label="よくある質問", payload=payloads.MENU_ITEM + "faq")


def test_numbers_as_people_type_them() -> None:
    assert [typed_number(text) for text in ["2", "２", "2番", "2.", " 2 。", "02"]] == [2, 2, 2, 2, 2, 2]
    assert [typed_number(text) for text in ["2つ", "二", "1-2", "", None, "2024年"]] == [None] * 6


def test_a_number_picks_an_answer_or_says_how_many_there_are() -> None:
    numbered = [NPO, COMPANY]
    chosen = picked(Inbound(user=USER, text="２", key="e1"), numbered)
    assert isinstance(chosen, Inbound) and chosen.payload == COMPANY.payload and chosen.text is None and chosen.key == "e1"
    assert picked(Inbound(user=USER, text="3"), numbered) == 2
    assert picked(Inbound(user=USER, text="3"), []) is None
    assert picked(Inbound(user=USER, text="企業"), numbered) is None


def test_command_buttons_are_not_numbered_and_a_text_question_numbers_no_menu_items() -> None:
    question = TextMessage(text="団体の種類を選んでください", choices=[NPO, COMPANY, FAQ_MENU, BACK])
    assert numbered_after([question], [], typed_text_wanted=False) == [NPO, COMPANY, FAQ_MENU] and question.numbered
    text_question = TextMessage(text="団体名を教えてください（よくある質問もどうぞ）", choices=[FAQ_MENU, BACK])
    assert numbered_after([text_question], [NPO], typed_text_wanted=True) == [] and not text_question.numbered
    assert numbered_after([], [NPO], typed_text_wanted=True) == [NPO], "a turn that said nothing leaves them"
