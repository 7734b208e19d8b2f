"""The FAQ lookup the bot uses: a hybrid index over the entries, cut into answer / did-you-mean / unknown.

The bands were calibrated on tests/faq/questions.yaml (see ``Bands``): above
``answer`` the top entry is said; between ``suggest`` and ``answer`` (or when
the runner-up is too close) the top three are offered as buttons; below
``suggest`` the bot says it does not know.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from bot.content.models import FaqEntry
from bot.core.ports import FaqHit, FaqMatch
from bot.core.text import render
from bot.faq.dense import E5Embedder
from bot.faq.hybrid import Document, HybridIndex, combine
from bot.faq.normalize import Normalizer
from bot.faq.tokens import CharNgrams, SudachiWords, Tokenizer

# Fitted on our own question set; see faq/README.md for how to refit after large content changes.
DEFAULT_WEIGHTS: Mapping[str, float] = {"char": 0.2, "sudachi": 0.2, "e5": 1.0}
# Without the embedding model the BM25 methods carry the whole score.
BM25_ONLY_WEIGHTS: Mapping[str, float] = {"char": 1.0, "sudachi": 0.4}
SUGGESTIONS = 3


@dataclass(frozen=True)
class Bands:
    """Where the combined score turns a question into an answer, a did-you-mean, or "not found"."""

    answer: float
    suggest: float
    margin: float  # an answer needs this lead over the runner-up, else the user chooses


DEFAULT_BANDS = Bands(answer=1.03, suggest=0.93, margin=0.02)
BM25_ONLY_BANDS = Bands(answer=0.48, suggest=0.22, margin=0.05)


@dataclass(frozen=True)
class Ranked:
    hit: FaqHit
    scores: Mapping[str, float]  # each method's own score, for `kyoso ask`


def tokenizers_for(methods: Iterable[str], normalizer: Normalizer) -> list[Tokenizer]:
    available: dict[str, Tokenizer] = {"char": CharNgrams(normalizer), "sudachi": SudachiWords(normalizer)}
    return [available[method] for method in methods if method in available]


class FaqIndex:
    """Implements the core's ``FaqLookup`` over the FAQ entries."""

    def __init__(
        self,
        entries: Sequence[FaqEntry],
        facts: Mapping[str, object],
        synonyms: Sequence[Sequence[str]] = (),
        embedder: E5Embedder | None = None,
        bands: Bands | None = None,
    ) -> None:
        normalizer = Normalizer(synonyms)
        self._entries = list(entries)
        self._hits = {
            entry.id: FaqHit(entry.id, entry.label, entry.question, render(entry.answer, facts), 0.0, tuple(entry.related))
            for entry in entries
        }
        documents = [
            Document(
                questions=(entry.question, entry.label, *entry.paraphrases),
                body=" ".join([*entry.keywords, render(entry.answer, facts)]),
            )
            for entry in entries
        ]
        weights = DEFAULT_WEIGHTS if embedder else BM25_ONLY_WEIGHTS
        self.bands = bands or (DEFAULT_BANDS if embedder else BM25_ONLY_BANDS)
        self._index = HybridIndex(documents, tokenizers_for(("char", "sudachi"), normalizer), embedder, weights)

    @property
    def methods(self) -> list[str]:
        return self._index.methods

    @property
    def weights(self) -> Mapping[str, float]:
        return self._index.weights

    def method_scores(self, text: str) -> dict[str, np.ndarray]:
        """Each method's score of every entry (in file order), for calibration."""
        return self._index.method_scores(text)

    def ranked(self, text: str, limit: int = 5) -> list[Ranked]:
        """The best ``limit`` entries with the combined score and each method's score."""
        per_method = self._index.method_scores(text)
        total = combine(per_method, self._index.weights)
        if not len(total):
            return []
        order = total.argsort()[::-1][:limit]
        return [
            Ranked(
                hit=_scored(self._hits[self._entries[index].id], float(total[index])),
                scores={method: float(values[index]) for method, values in per_method.items()},
            )
            for index in order
        ]

    def lookup(self, text: str) -> FaqMatch:
        return decide(self.ranked(text, SUGGESTIONS), self.bands)

    def get(self, entry_id: str) -> FaqHit | None:
        return self._hits.get(entry_id)


def decide(ranked: Sequence[Ranked], bands: Bands) -> FaqMatch:
    """Answer, did-you-mean, or nothing, from the best entries (best first)."""
    if not ranked or ranked[0].hit.score < bands.suggest:
        return FaqMatch()
    top = ranked[0].hit
    runner_up = ranked[1].hit.score if len(ranked) > 1 else 0.0
    if top.score >= bands.answer and top.score - runner_up >= bands.margin:
        return FaqMatch(answer=top)
    return FaqMatch(suggestions=tuple(found.hit for found in ranked[:SUGGESTIONS] if found.hit.score >= bands.suggest))


def _scored(hit: FaqHit, score: float) -> FaqHit:
    return FaqHit(hit.entry_id, hit.label, hit.question, hit.answer, round(score, 4), hit.related)
