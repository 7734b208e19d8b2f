"""The matcher against our own question set (tests/faq/questions.yaml): what users see, on the part nobody tuned on.

The `test` part was written before the weights, confidence model and bands were fitted
(bench/faq_calibrate.py fits on the `tune` part, with tests/faq/tune3.yaml, only). Measured
with the calibration in bot/faq/matcher.py (bench/faq_report.py): with the embedding model,
of 97 in-scope questions 0.938 are answered right and 3 wrong (most of the rest get "did you
mean" with the right entry among the buttons); of 40 questions about other city services, 2
are answered (0.05); with BM25 alone 0.804 right, 3 wrong, 0.075 answered. The issue's targets
are 0.92, 0 and 0.05: confident wrong answers are not at 0 (2 before the intent 'greeting' was
added: one more candidate moves every z-score). The floors below are the levels reached, so
that they hold and a regression shows.
"""

from __future__ import annotations

from collections import Counter

import pytest
import yaml

from bench.evaluation import REPOSITORY, faq_outcome, phrasings, questions
from bot.content.loader import Content
from bot.core.text import normalize
from bot.core.understanding import decide
from bot.faq.live import build_index
from bot.faq.matcher import FaqIndex

TUNE, TEST = questions("tune"), questions("test")
RIGHT_FLOOR = {"embeddings": 0.93, "bm25_only": 0.80}
CONFIDENT_WRONG_CEILING = 3  # the target is 0, not met (see above)
OUT_ANSWERED_CEILING = {"embeddings": 0.05, "bm25_only": 0.075}
# The blind held-out sets (for final reporting only; nothing may be tuned on them): read here only
# to check that none of their lines is copied into the content.
HOLDOUTS = {
    REPOSITORY / "tests" / folder / name: key
    for folder, key in (("faq", "q"), ("intents", "say"))
    for name in ("holdout.yaml", "holdout2.yaml")
}


@pytest.fixture(scope="module")
def outcomes(faq_index: FaqIndex, content: Content) -> dict[str, Counter[str]]:
    """Every test-part question through the real matcher, and through its BM25-only fallback."""
    indexes = {"embeddings": faq_index, "bm25_only": build_index(content, None)}
    return {kind: Counter(faq_outcome(index.read(item.text), item.wanted) for item in TEST) for kind, index in indexes.items()}


def test_the_question_set_has_a_tuning_and_a_test_part(content: Content) -> None:
    assert len(TUNE) >= 150 and len(TEST) >= 120
    for part in (TUNE, TEST):
        assert sum(not item.wanted for item in part) >= 30
        assert {want for item in part for want in item.wanted} == {entry.id for entry in content.faq}, "every entry is asked about"
    assert not {normalize(item.text) for item in TUNE} & {normalize(item.text) for item in TEST}


@pytest.mark.parametrize("kind", ["embeddings", "bm25_only"])
def test_in_scope_questions_are_answered_right(kind: str, outcomes: dict[str, Counter[str]]) -> None:
    found = outcomes[kind]
    in_scope = sum(count for name, count in found.items() if not name.startswith("out_"))
    assert found["right"] / in_scope >= RIGHT_FLOOR[kind], found


def test_confident_wrong_answers_stay_rare(outcomes: dict[str, Counter[str]]) -> None:
    assert outcomes["embeddings"]["wrong"] <= CONFIDENT_WRONG_CEILING, outcomes["embeddings"]


@pytest.mark.parametrize("kind", ["embeddings", "bm25_only"])
def test_questions_about_other_services_are_rarely_answered(kind: str, outcomes: dict[str, Counter[str]]) -> None:
    found = outcomes[kind]
    out_of_scope = sum(count for name, count in found.items() if name.startswith("out_"))
    assert found["out_answered"] / out_of_scope <= OUT_ANSWERED_CEILING[kind], found
    assert found["out_outside"] >= out_of_scope / 2, "most are told which kind of window to look for instead"


def test_a_service_asked_with_the_windows_verbs_is_not_answered_as_a_proposal(faq_index: FaqIndex) -> None:
    found = faq_index.read("粗大ごみの申し込み方法を教えてください")
    assert found.faq.answer is None and found.outside == "ごみ・リサイクル"
    assert not (found.intent_first and found.intent_confidence >= found.bands.ask)


@pytest.mark.parametrize("kind", ["embeddings", "bm25_only"])
@pytest.mark.parametrize("text", ["ごみの出し方を教えて", "ごみの出し方を知りたい"])
def test_a_weak_request_does_not_hide_another_windows_topic(kind: str, text: str, faq_index: FaqIndex, content: Content) -> None:
    """「…を教えて」 is a little like 「できることを教えて」 (メニュー): the line still gets 「…では扱っていません」."""
    index = faq_index if kind == "embeddings" else build_index(content, None)
    decision = decide(content, content.step(content.common.home), {}, text, index.read)
    assert (decision.kind, decision.reading.outside) == ("question", "ごみ・リサイクル")


def test_did_you_mean_offers_at_most_three_entries(faq_index: FaqIndex) -> None:
    found = faq_index.lookup("提案について知りたいです")
    assert found.answer is None
    assert [hit.label for hit in found.suggestions] == ["提案の方法", "提案できる団体", "対象になる提案"]


def test_answers_have_their_facts_filled_in(faq_index: FaqIndex) -> None:
    found = faq_index.lookup("1件あたりの上限はいくらですか")
    assert found.answer is not None
    assert "200万円" in found.answer.answer and "{" not in found.answer.answer


def test_a_question_typed_as_an_entry_is_written_is_answered_without_embeddings(content: Content) -> None:
    found = build_index(content, None).lookup("共創とは何ですか？")
    assert found.answer is not None and found.answer.entry_id == "kyoso_meaning"


def test_questions_and_phrasings_here_are_not_copied_into_the_content(content: Content) -> None:
    """Neither the tuning and test parts nor the blind held-out sets appear in faq/ or dialogs/ (intents' examples)."""
    written = {
        normalize(text)
        for entry in content.faq
        for text in [entry.question, entry.label, *entry.paraphrases, *entry.keywords]
    }
    written |= {normalize(example) for intent in (content.intents.intents if content.intents else []) for example in intent.examples}
    written |= {normalize(example) for topic in (content.out_of_scope.topics if content.out_of_scope else []) for example in topic.examples}
    asked = [item.text for item in TUNE + TEST] + [item.text for part in ("tune", "test") for item in phrasings(part)]
    for path, key in HOLDOUTS.items():
        held_out = yaml.safe_load(path.read_text(encoding="utf-8"))["holdout"]
        assert held_out, path
        asked += [item[key] for item in held_out]
    assert [text for text in asked if normalize(text) in written] == []
