"""Okapi BM25 over an inverted index, with a score scaled to 0..1 for calibration.

Raw BM25 grows with the length of the question, so it cannot carry one
threshold; ``coverage`` divides it by the most the question's terms could
score, which reads as "how much of what was asked this document covers".

The postings of all terms sit in two flat arrays (documents, weights), a term
naming its slice; a question's scores are one ``np.bincount`` over the slices of
its terms, not a Python loop of array updates per term (a long question on
LocalgovFAQ's 1,786 entries has a hundred terms).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np


class BM25:
    def __init__(self, documents: Sequence[Sequence[str]], k1: float = 1.2, b: float = 0.75) -> None:
        self.size = len(documents)
        self._k1 = k1
        lengths = np.array([len(doc) for doc in documents], dtype=np.float64)
        average = float(lengths.mean()) if self.size and lengths.mean() > 0 else 1.0
        postings: dict[str, tuple[list[int], list[float]]] = {}
        for index, doc in enumerate(documents):
            norm = k1 * (1 - b + b * lengths[index] / average)
            for term, count in Counter(doc).items():
                docs, weights = postings.setdefault(term, ([], []))
                docs.append(index)
                weights.append(count * (k1 + 1) / (count + norm))
        self._idf: dict[str, float] = {}
        self._slices: dict[str, tuple[int, int]] = {}
        all_docs: list[int] = []
        all_weights: list[float] = []
        for term, (docs, weights) in postings.items():
            idf = math.log(1 + (self.size - len(docs) + 0.5) / (len(docs) + 0.5))
            self._idf[term] = idf
            self._slices[term] = (len(all_docs), len(all_docs) + len(docs))
            all_docs += docs
            all_weights += [weight * idf for weight in weights]
        self._docs = np.array(all_docs, dtype=np.int64)
        self._weights = np.array(all_weights, dtype=np.float64)
        self._unseen = math.log(1 + (self.size + 0.5) / 0.5)

    def knows(self, term: str) -> bool:
        """Whether any document has the term."""
        return term in self._idf

    def rarity(self, term: str) -> float:
        """The term's IDF; a term no document has counts as the rarest there could be."""
        return self._idf.get(term, self._unseen)

    def _positions(self, query: Sequence[str]) -> np.ndarray:
        """Where the postings of the query's distinct known terms are in the flat arrays."""
        found = [self._slices[term] for term in set(query) if term in self._slices]
        if not found:
            return np.zeros(0, dtype=np.int64)
        starts, ends = np.array(found, dtype=np.int64).T
        lengths = ends - starts
        # positions start..end-1 of every slice, in one go: each slice's start, plus 0..length-1
        offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
        return offsets + np.arange(int(lengths.sum()))

    def shared(self, query: Sequence[str]) -> np.ndarray:
        """For every document, the share of the query's distinct terms it contains (0..1, unweighted)."""
        distinct = len(set(query))
        if not distinct:
            return np.zeros(self.size)
        return np.bincount(self._docs[self._positions(query)], minlength=self.size) / distinct

    def scores(self, query: Sequence[str]) -> np.ndarray:
        """Raw BM25 of every document (each distinct query term counted once)."""
        positions = self._positions(query)
        return np.bincount(self._docs[positions], weights=self._weights[positions], minlength=self.size).astype(np.float64)

    def coverage(self, query: Sequence[str]) -> np.ndarray:
        """BM25 divided by its upper bound for this query: 0 (nothing shared) to about 1."""
        # Unknown terms count as rare ones: a question full of words no answer uses is not covered.
        bound = sum(self._idf.get(term, self._unseen) for term in set(query)) * (self._k1 + 1)
        return self.scores(query) / bound if bound > 0 else np.zeros(self.size)
