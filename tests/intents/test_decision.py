"""The one decision for a typed line inside a form, from the matcher's reading and the step's type."""

from __future__ import annotations

from bot.content.loader import Content
from bot.core.ports import FaqMatch, IntentBands, Reading
from bot.core.understanding import decide, understand

BANDS = IntentBands(sure=0.5, ask=0.3, sure_in_form=0.6, ask_in_form=0.4, cover_in_form=0.8)


def _reading(confidence: float, cover: float) -> Reading:
    return Reading(faq=FaqMatch(), intent="pause", intent_confidence=confidence, intent_first=True, intent_cover=cover, bands=BANDS)


def test_a_clear_command_at_a_free_text_question_is_done() -> None:
    assert understand(_reading(0.9, 0.9), answers_free_text=True, valid_answer=True, looks_like_question=False).kind == "intent"


def test_a_sure_request_the_examples_cover_only_partly_is_asked_about_not_done() -> None:
    """Inside a form the bot shows what it understood (「中断しますか？」, いいえ keeps the line as the answer)."""
    found = understand(_reading(0.9, 0.5), answers_free_text=True, valid_answer=True, looks_like_question=False)
    assert (found.kind, found.intent) == ("ask_intent", "pause")


def test_a_line_that_is_barely_a_request_stays_the_answer() -> None:
    assert understand(_reading(0.2, 0.9), answers_free_text=True, valid_answer=True, looks_like_question=False).kind == "answer"


def test_only_a_yes_or_no_word_at_a_question_that_takes_text_is_asked_about(content: Content) -> None:
    """「はい」 as the organisation's name: the user may think they were asked a yes/no question."""
    step = content.step("draft.org_name")
    for typed in ("はい", "いいえ", "うん"):
        assert decide(content, step, {}, typed, lambda _: Reading()).kind == "confirm_answer", typed
    assert decide(content, step, {}, "はいから工房", lambda _: Reading()).kind == "answer"
