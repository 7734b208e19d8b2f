"""The matcher against our own question set (tests/faq/questions.yaml): accuracy and what users see.

Measured when the bands were fitted (bench/faq_calibrate.py), on 135 in-scope and
40 out-of-scope questions: top-1 0.948 (128/135) with the embedding model, 0.889
(120/135) with BM25 only; with the embedding model 116 answered right, 16 offered
as did-you-mean with the right entry among the buttons, none answered wrong, and
no out-of-scope question answered. The floors below are those levels.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from bot.content.loader import Content
from bot.core.ports import FaqMatch
from bot.core.text import normalize
from bot.faq.live import build_index
from bot.faq.matcher import FaqIndex

QUESTIONS = yaml.safe_load((Path(__file__).parent / "questions.yaml").read_text(encoding="utf-8"))["questions"]
IN_SCOPE = [(item["q"], item["id"]) for item in QUESTIONS if item["id"]]
OUT_OF_SCOPE = [item["q"] for item in QUESTIONS if not item["id"]]
TOP1_FLOOR = 0.94
BM25_ONLY_TOP1_FLOOR = 0.88


@dataclass(frozen=True)
class Outcome:
    question: str
    wanted: str | None
    top: str  # the best-ranked entry
    match: FaqMatch  # what the user is shown


def _outcomes(index: FaqIndex) -> list[Outcome]:
    return [
        Outcome(item["q"], item["id"], index.ranked(item["q"], 1)[0].hit.entry_id, index.lookup(item["q"]))
        for item in QUESTIONS
    ]


@pytest.fixture(scope="module")
def outcomes(faq_index: FaqIndex, content: Content) -> dict[str, list[Outcome]]:
    """Every question through the real matcher, and through its BM25-only fallback."""
    return {"embeddings": _outcomes(faq_index), "bm25_only": _outcomes(build_index(content, None))}


def test_the_question_set_is_large_enough(content: Content) -> None:
    assert len(QUESTIONS) >= 150 and len(OUT_OF_SCOPE) >= 30
    known = {entry.id for entry in content.faq}
    assert {wanted for _, wanted in IN_SCOPE} == known, "every entry is asked about, and only known entries"


@pytest.mark.parametrize(("kind", "floor"), [("embeddings", TOP1_FLOOR), ("bm25_only", BM25_ONLY_TOP1_FLOOR)])
def test_top1_accuracy_stays_at_the_level_reached(kind: str, floor: float, outcomes: dict[str, list[Outcome]]) -> None:
    asked = [outcome for outcome in outcomes[kind] if outcome.wanted]
    misses = [(o.question, o.wanted, o.top) for o in asked if o.top != o.wanted]
    accuracy = 1 - len(misses) / len(asked)
    assert accuracy >= floor, f"top-1 {accuracy:.3f} < {floor}; misses (question, wanted, got): {misses}"


@pytest.mark.parametrize("kind", ["embeddings", "bm25_only"])
def test_out_of_scope_questions_are_never_answered(kind: str, outcomes: dict[str, list[Outcome]]) -> None:
    answered = [(o.question, o.match.answer.entry_id) for o in outcomes[kind] if not o.wanted and o.match.answer]
    assert answered == []


def test_confident_answers_are_right(outcomes: dict[str, list[Outcome]]) -> None:
    answered = [o for o in outcomes["embeddings"] if o.wanted and o.match.answer]
    assert [(o.question, o.wanted, o.match.answer.entry_id) for o in answered if o.match.answer.entry_id != o.wanted] == []
    assert len(answered) >= 110, "most questions get a direct answer, not a did-you-mean"


def test_did_you_mean_offers_at_most_three_entries(faq_index: FaqIndex) -> None:
    found = faq_index.lookup("提案について知りたいです")
    assert found.answer is None
    assert [hit.label for hit in found.suggestions] == ["提案の方法", "対象になる提案", "提案できる団体"]


def test_answers_have_their_facts_filled_in(faq_index: FaqIndex) -> None:
    found = faq_index.lookup("1件あたりの上限はいくらですか")
    assert found.answer is not None
    assert "200万円" in found.answer.answer and "{" not in found.answer.answer


def test_questions_here_are_not_copied_into_the_faq(content: Content) -> None:
    written = {
        normalize(text)
        for entry in content.faq
        for text in [entry.question, entry.label, *entry.paraphrases, *entry.keywords]
    }
    copied = [question for item in QUESTIONS if normalize(question := item["q"]) in written]
    assert copied == []
