"""Ranks documents for a question by combining BM25 (per tokenizer) and embedding similarity.

Each method gives every document a score between 0 and about 1 (BM25
coverage, cosine similarity); the combined score is their weighted sum, so it
keeps an absolute scale that one calibrated threshold can cut.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from bot.faq.bm25 import BM25
from bot.faq.dense import E5Embedder
from bot.faq.tokens import Tokenizer


@dataclass(frozen=True)
class Document:
    """What one entry is made of: short texts that ask for it, and the text that answers."""

    questions: tuple[str, ...]
    body: str


class HybridIndex:
    def __init__(
        self,
        documents: Sequence[Document],
        tokenizers: Sequence[Tokenizer],
        embedder: E5Embedder | None,
        weights: Mapping[str, float],
    ) -> None:
        self.size = len(documents)
        self._tokenizers = list(tokenizers)
        self._bm25 = {
            tokenizer.name: BM25([tokenizer(" ".join([*doc.questions, doc.body])) for doc in documents])
            for tokenizer in self._tokenizers
        }
        self._embedder = embedder
        if embedder is not None:
            asked = [(index, text) for index, doc in enumerate(documents) for text in doc.questions]
            # One row per question and per body; a document scores its best row.
            self._owners = np.array([index for index, _ in asked] + list(range(self.size)), dtype=np.int64)
            self._vectors = np.concatenate(
                [embedder.passages([text for _, text in asked], as_query=True), embedder.passages([doc.body for doc in documents])]
            )
        self.methods = [*self._bm25, *([embedder.name] if embedder else [])]
        self.weights = {method: weights.get(method, 0.0) for method in self.methods}

    def method_scores(self, text: str) -> dict[str, np.ndarray]:
        """Every method's score of every document, each on its own 0..1 scale."""
        scores = {tokenizer.name: self._bm25[tokenizer.name].coverage(tokenizer(text)) for tokenizer in self._tokenizers}
        if self._embedder is not None:
            # einsum, not @: numpy's BLAS hands a product this size to a helper thread that then
            # spins for a while, taking the second core from the next question's encoding.
            similarities = np.einsum("ij,j->i", self._vectors, self._embedder.query(text))
            best = np.full(self.size, -1.0, dtype=similarities.dtype)
            np.maximum.at(best, self._owners, similarities)
            scores[self._embedder.name] = best
        return scores

    def scores(self, text: str) -> np.ndarray:
        """The weighted sum of the methods' scores."""
        return combine(self.method_scores(text), self.weights)


def combine(scores: Mapping[str, np.ndarray], weights: Mapping[str, float]) -> np.ndarray:
    total: np.ndarray | None = None
    for method, values in scores.items():
        weighted = weights.get(method, 0.0) * values
        total = weighted if total is None else total + weighted
    return total if total is not None else np.zeros(0)
