"""The lookup the bot uses: one ranking over the FAQ entries, the intents and the topics outside the window.

A typed line is scored once (one embedding) against every candidate: FAQ entries
(their question, label and paraphrases, and their answer), intents (their examples,
dialogs/intents.yaml) and topics of other city services (faq/out_of_scope.yaml). The
best candidate of each kind gets a confidence (bot/faq/confidence.py); the bands on it,
fitted on the tuning questions by bench/faq_calibrate.py, say what the user sees:

- an FAQ entry: the answer, or "did you mean" with up to three entries, or "not found";
- an intent: done, or first asked (「提案の下書きをつくりますか？」) — the core decides,
  with the question the user is at (``Reading.bands``);
- an outside topic: 「それは…では扱っていません」.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np

from bot.content.models import FaqEntry, Intent, OutsideTopic
from bot.core.ports import FaqHit, FaqMatch, IntentBands, Reading
from bot.core.text import fold, render
from bot.faq.confidence import Leaders, features, probability
from bot.faq.dense import E5Embedder
from bot.faq.hybrid import Analysis, Document, HybridIndex, combine
from bot.faq.normalize import Normalizer
from bot.faq.tokens import CharNgrams, SudachiWords, Tokenizer

Kind = Literal["faq", "intent", "outside"]
SUGGESTIONS = 3
SUGGEST_SPREAD = 1.5  # a did-you-mean button is within this many z-units of the best entry


@dataclass(frozen=True)
class Calibration:
    """Method weights, the confidence model and its bands: fitted on the tuning questions (bench/faq_calibrate.py)."""

    weights: Mapping[str, float]
    coefficients: Mapping[Kind, Mapping[str, float]]  # the confidence model of each kind of candidate
    answer: float  # FAQ: answer at or above this confidence
    suggest: float  # FAQ: did-you-mean at or above this
    outside: float  # an outside topic: say it is not this window's
    intents: IntentBands = field(default_factory=IntentBands)


# Fitted by bench/faq_calibrate.py on the tuning part of tests/faq/questions.yaml and tests/intents/phrasings.yaml.
DEFAULT = Calibration(
    weights={"char": 0.7, "sudachi": 0.5, "e5": 1.0, "e5_body": 0.0},
    coefficients={
        "faq": {"bias": -38.3329, "gap": 0.1426, "agree": 3.852, "dense": 41.1042, "foreign": -3.1142},
        "intent": {"bias": -23.2028, "gap": 0.1352, "agree": 3.4035, "dense": 20.6838, "cover": 2.5632, "unknown": -9.3774},
        "outside": {"bias": -28.4373, "gap": 0.3188, "dense": 29.5638, "unknown": 0.097, "foreign": 5.4144},
    },
    answer=0.9, suggest=0.55, outside=0.8,
    intents=IntentBands(sure=0.45, ask=0.3, sure_in_form=0.55, ask_in_form=0.4, cover_in_form=0.8),
)
# Without the embedding model the BM25 methods carry the whole score (fitted with --no-embeddings in issue 13's third
# round, with the features 'own' and 'asks'; the model with embeddings above is the second round's).
BM25_ONLY = Calibration(
    weights={"char": 1.0, "sudachi": 0.5},
    coefficients={
        "faq": {"bias": -0.569, "gap": 0.3935, "agree": 3.0613, "dense": 0.0, "cover": 0.8964, "foreign": -3.4844},
        "intent": {"bias": -1.7116, "gap": 0.3808, "agree": 3.6869, "dense": 0.0, "cover": 1.1786, "unknown": -12.1574, "asks": -2.4014},
        "outside": {"bias": -0.4868, "gap": 0.6202, "dense": 0.0, "own": 10.6078},
    },
    answer=0.9, suggest=0.1, outside=0.6,
    intents=IntentBands(sure=0.75, ask=0.4, sure_in_form=0.8, ask_in_form=0.45, cover_in_form=0.5),
)
DEFAULT_WEIGHTS = DEFAULT.weights


@dataclass(frozen=True)
class Target:
    kind: Kind
    id: str
    label: str


@dataclass(frozen=True)
class Ranked:
    target: Target
    score: float  # combined
    scores: Mapping[str, float]  # each method's own score, for `kyoso ask`
    confidence: float = 0.0  # filled in for the best candidate of each kind
    cover: float = 0.0  # the share of the line's terms the candidate's texts contain
    hit: FaqHit | None = None  # FAQ entries only


@dataclass(frozen=True)
class Judged:
    """A line's whole ranking, with the confidence of the best candidate of each kind."""

    ranked: list[Ranked]
    best: dict[Kind, Ranked]


def tokenizers_for(methods: Iterable[str], normalizer: Normalizer) -> list[Tokenizer]:
    available: dict[str, Tokenizer] = {"char": CharNgrams(normalizer), "sudachi": SudachiWords(normalizer)}
    return [available[method] for method in methods if method in available]


def _document(questions: Sequence[str], body: str) -> Document:
    return Document(questions=tuple(questions), body=body)


class FaqIndex:
    """Implements the core's ``FaqLookup`` over the FAQ entries, the intents and the outside topics."""

    def __init__(
        self,
        entries: Sequence[FaqEntry],
        facts: Mapping[str, object],
        synonyms: Sequence[Sequence[str]] = (),
        embedder: E5Embedder | None = None,
        calibration: Calibration | None = None,
        intents: Sequence[Intent] = (),
        topics: Sequence[OutsideTopic] = (),
        question_markers: Sequence[str] = (),
    ) -> None:
        normalizer = Normalizer(synonyms)
        self._question_markers = tuple(fold(marker) for marker in question_markers)
        self._hits = {
            entry.id: FaqHit(entry.id, entry.label, entry.question, render(entry.answer, facts), 0.0, tuple(entry.related))
            for entry in entries
        }
        self.targets = [
            *(Target("faq", entry.id, entry.label) for entry in entries),
            *(Target("intent", intent.id, intent.id) for intent in intents),
            *(Target("outside", topic.id, topic.label) for topic in topics),
        ]
        documents = [
            *(
                _document((entry.question, entry.label, *entry.paraphrases), " ".join([*entry.keywords, render(entry.answer, facts)]))
                for entry in entries
            ),
            # Intents have no answer text (so ``kyoso check`` can leave one example out exactly); a topic has its label.
            *(_document(intent.examples, "") for intent in intents),
            *(_document(topic.examples, topic.label) for topic in topics),
        ]
        self.calibration = calibration or (DEFAULT if embedder else BM25_ONLY)
        home = [target.kind != "outside" for target in self.targets]  # the window's answers and requests
        self._index = HybridIndex(documents, tokenizers_for(("char", "sudachi"), normalizer), embedder, self.calibration.weights, home)
        self._kinds = np.array([target.kind for target in self.targets])
        # Builds the index of another language (bot/faq/languages.py), or None where it has none.
        self.build_translation: Callable[[str], FaqIndex | None] = lambda language: None
        self._translations: dict[str, FaqIndex | None] = {}

    def in_language(self, language: str) -> FaqIndex:
        """The index that answers in ``language`` (this one for 日本語 or a language without its own).

        Built at the first question in that language, not with this one: most content loads (every
        reload, every worker) never see a question in English or やさしい日本語, and three indexes
        cost three times the build.
        """
        if language not in self._translations:
            self._translations[language] = self.build_translation(language)
        return self._translations[language] or self

    @property
    def methods(self) -> list[str]:
        return self._index.methods

    @property
    def weights(self) -> Mapping[str, float]:
        return self._index.weights

    @property
    def index(self) -> HybridIndex:
        return self._index

    def analyse(self, text: str) -> Analysis:
        """Each method's score of every candidate (in ``targets`` order), for calibration."""
        folded = fold(text)
        return replace(self._index.analyse(text), asks=float(any(marker in folded for marker in self._question_markers)))

    def judge(self, analysis: Analysis, calibration: Calibration | None = None) -> Judged:
        """Rank every candidate and give the best of each kind its confidence."""
        calibration = calibration or self.calibration
        total = combine(analysis.scores, calibration.weights)
        if not total.any():  # nothing to tell the candidates apart: the line shares nothing with any of them
            return Judged([], {})
        leaders = Leaders.of(analysis, total, calibration.weights, self._kinds == "intent")
        ranked: list[Ranked] = []
        best: dict[Kind, Ranked] = {}
        for index in leaders.order:
            target = self.targets[index]
            confidence = 0.0
            if target.kind not in best:
                confidence = probability(features(analysis, leaders, int(index)), calibration.coefficients[target.kind])
                if analysis.exact == index:
                    confidence = 1.0  # typed exactly as an entry's question or an intent's example is written
            found = Ranked(
                target=target,
                score=round(float(total[index]), 4),
                scores={method: float(values[index]) for method, values in analysis.scores.items()},
                confidence=confidence,
                cover=1.0 if analysis.exact == index else float(analysis.shared[index]),  # 「こんにちは」 has no kanji n-grams
                hit=_scored(self._hits[target.id], float(total[index])) if target.kind == "faq" else None,
            )
            ranked.append(found)
            best.setdefault(target.kind, found)
        return Judged(ranked, best)

    def ranked(self, text: str, limit: int = 5) -> list[Ranked]:
        """The best ``limit`` candidates with the combined score and each method's score."""
        return self.judge(self.analyse(text)).ranked[:limit]

    def read(self, text: str) -> Reading:
        return reading(self.judge(self.analyse(text)), self.calibration)

    def lookup(self, text: str) -> FaqMatch:
        return self.read(text).faq

    def get(self, entry_id: str) -> FaqHit | None:
        return self._hits.get(entry_id)


def reading(judged: Judged, calibration: Calibration) -> Reading:
    """What the ranking means for the user (see the module's docstring)."""
    if not judged.ranked:
        return Reading(bands=calibration.intents)
    first = judged.ranked[0]
    intent = judged.best.get("intent")
    outside = judged.best.get("outside")
    # An outside topic is judged against the FAQ entries only: an intent ranked above it (「ごみの出し方を教えて」 is
    # a little like 「できることを教えて」) must not hide it; whether the line is a request is the core's call.
    entry = judged.best.get("faq")
    is_outside = (outside is not None and outside.confidence >= calibration.outside
                  and (entry is None or outside.score > entry.score))
    return Reading(
        faq=FaqMatch() if is_outside else faq_match(judged, calibration),
        intent=intent.target.id if intent else None,
        intent_confidence=intent.confidence if intent else 0.0,
        intent_first=intent is not None and first is intent,
        intent_cover=intent.cover if intent else 0.0,
        outside=outside.target.label if is_outside and outside else None,
        bands=calibration.intents,
    )


def faq_match(judged: Judged, calibration: Calibration) -> FaqMatch:
    """Answer, did-you-mean, or nothing, from the best FAQ entry's confidence."""
    best = judged.best.get("faq")
    if best is None or best.confidence < calibration.suggest:
        return FaqMatch()
    outside = judged.best.get("outside")
    if best.confidence >= calibration.answer and (outside is None or best.score > outside.score):
        return FaqMatch(answer=best.hit)
    entries = [found for found in judged.ranked if found.hit is not None and found.score >= best.score - SUGGEST_SPREAD]
    return FaqMatch(suggestions=tuple(found.hit for found in entries[:SUGGESTIONS] if found.hit))


def _scored(hit: FaqHit, score: float) -> FaqHit:
    return FaqHit(hit.entry_id, hit.label, hit.question, hit.answer, round(score, 4), hit.related)
