"""Why the bot answers a question as it does: the decision, the top candidates with their scores, the words that matched.

One account for `kyoso ask` (printed) and the console's 回答テスト page (a table); both read it from here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from bot.content.loader import Content
from bot.core.ports import FaqHit, Reading
from bot.faq.matcher import Calibration, FaqIndex, reading
from bot.faq.normalize import Normalizer
from bot.faq.tokens import SudachiWords

TOP = 5


@dataclass(frozen=True)
class Candidate:
    kind: str  # faq / intent / outside
    id: str
    label: str
    score: float  # combined
    scores: dict[str, float]  # each method's own
    confidence: float | None  # the best candidate of its kind only
    matched: tuple[str, ...]  # the question's words that the candidate's texts contain


@dataclass(frozen=True)
class Explanation:
    question: str
    decision: str  # answer / did_you_mean / unknown / intent / outside
    confidence: float  # of the decision's candidate (the best FAQ entry's for answer, did_you_mean and unknown)
    faq_confidence: float  # the best FAQ entry's
    faq_score: float
    answer: FaqHit | None
    suggestions: tuple[FaqHit, ...]
    intent: str | None
    outside: str | None
    candidates: list[Candidate]
    calibration: Calibration
    weights: dict[str, float]
    reading: Reading


def explain(index: FaqIndex, content: Content, question: str, top: int = TOP) -> Explanation:
    judged = index.judge(index.analyse(question))
    read = reading(judged, index.calibration)
    best_faq = judged.best.get("faq")
    bands = index.calibration.intents
    if read.intent_first and read.intent_confidence >= bands.ask:
        decision, confidence = "intent", read.intent_confidence
    elif read.outside:
        best = judged.best.get("outside")
        decision, confidence = "outside", best.confidence if best else 0.0
    else:
        decision = "answer" if read.faq.answer else "did_you_mean" if read.faq.suggestions else "unknown"
        confidence = best_faq.confidence if best_faq else 0.0
    words = _words(tuple(tuple(group) for group in content.synonyms))
    asked = list(dict.fromkeys(words(question)))
    candidates = []
    for found in judged.ranked[:top]:
        known = set(words(" ".join(_texts(content, found.target.kind, found.target.id))))
        candidates.append(Candidate(
            kind=found.target.kind, id=found.target.id, label=found.target.label, score=found.score,
            scores=dict(found.scores), confidence=found.confidence if found is judged.best.get(found.target.kind) else None,
            matched=tuple(word for word in asked if word in known),
        ))
    return Explanation(
        question=question, decision=decision, confidence=confidence, answer=read.faq.answer,
        faq_confidence=best_faq.confidence if best_faq else 0.0, faq_score=best_faq.score if best_faq else 0.0,
        suggestions=read.faq.suggestions, intent=read.intent, outside=read.outside, candidates=candidates,
        calibration=index.calibration, weights=dict(index.weights), reading=read,
    )


def _texts(content: Content, kind: str, target_id: str) -> Sequence[str]:
    if kind == "faq" and (entry := content.faq_entry(target_id)) is not None:
        return [entry.question, entry.label, *entry.paraphrases, *entry.keywords, entry.answer]
    if kind == "intent" and content.intents is not None:
        return next((list(intent.examples) for intent in content.intents.intents if intent.id == target_id), [])
    if kind == "outside" and content.out_of_scope is not None:
        return next(([topic.label, *topic.examples] for topic in content.out_of_scope.topics if topic.id == target_id), [])
    return []


@lru_cache(maxsize=4)
def _words(synonyms: tuple[tuple[str, ...], ...]) -> SudachiWords:
    """One tokenizer per synonym list (its dictionary takes a moment to load)."""
    return SudachiWords(Normalizer(synonyms))
