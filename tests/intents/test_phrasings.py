"""Typed requests (tests/intents/phrasings.yaml) through the one decision the bot makes, on the part nobody tuned on.

Measured with the calibration in bot/faq/matcher.py (bench/faq_report.py): of 95 test-part
phrasings, 0.905 get the right action (0.811 done directly, the rest one はい or one button
away: a likely request that also has an FAQ answer gets the answer with the request as a
button), and no FAQ question that mentions 提案, 条件 or 担当 starts a flow or is asked
about; with BM25 alone 0.874. The issue's target of 0.95 right is not met (0.913 of 92 before
the three greeting lines were added; 0.845 before issue 13's second round); the floors are the
levels reached.
"""

from __future__ import annotations

from collections import Counter

import pytest

from bench.evaluation import phrasing_outcome, phrasings
from bot.content.loader import Content
from bot.core.text import normalize
from bot.faq.matcher import FaqIndex

TUNE, TEST = phrasings("tune"), phrasings("test")
RIGHT_FLOOR = 0.90


@pytest.fixture(scope="module")
def outcomes(faq_index: FaqIndex, content: Content) -> Counter[str]:
    return Counter(
        phrasing_outcome(content, item, faq_index.judge(faq_index.analyse(item.text)), faq_index.calibration) for item in TEST
    )


def test_the_phrasings_have_a_tuning_and_a_test_part(content: Content) -> None:
    assert len(TUNE) + len(TEST) >= 150 and len(TEST) >= 75
    intents = {intent.id for intent in content.intents.intents} if content.intents else set()
    for part in (TUNE, TEST):
        wanted = {want for item in part for want in item.wanted}
        assert intents <= wanted, f"every intent is asked for: missing {intents - wanted}"
        assert "answer" in wanted and any(want.startswith("faq:") for want in wanted), "mid-form answers and negatives"
        for item in part:
            content.step(item.at)  # every place names a real step
    assert not {normalize(item.text) for item in TUNE} & {normalize(item.text) for item in TEST}


def test_typed_requests_get_the_right_action(outcomes: Counter[str]) -> None:
    right = outcomes["right"] + outcomes["asked_right"]
    assert right / len(TEST) >= RIGHT_FLOOR, outcomes


def test_questions_that_mention_a_flow_never_start_it(outcomes: Counter[str]) -> None:
    assert outcomes["flow_started"] == 0 and outcomes["flow_asked"] == 0, outcomes


def test_an_answer_is_never_taken_for_a_command(outcomes: Counter[str]) -> None:
    assert outcomes["answer_taken"] == 0, outcomes
