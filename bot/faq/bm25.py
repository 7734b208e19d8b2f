"""Okapi BM25 over an inverted index, with a score scaled to 0..1 for calibration.

Raw BM25 grows with the length of the question, so it cannot carry one
threshold; ``coverage`` divides it by the most the question's terms could
score, which reads as "how much of what was asked this document covers".
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
        self._postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for term, (docs, weights) in postings.items():
            idf = math.log(1 + (self.size - len(docs) + 0.5) / (len(docs) + 0.5))
            self._idf[term] = idf
            self._postings[term] = (np.array(docs, dtype=np.int32), np.array(weights) * idf)

    def knows(self, term: str) -> bool:
        """Whether any document has the term."""
        return term in self._idf

    def shared(self, query: Sequence[str]) -> np.ndarray:
        """For every document, the share of the query's distinct terms it contains (0..1, unweighted)."""
        terms = set(query)
        total = np.zeros(self.size)
        for term in terms:
            found = self._postings.get(term)
            if found is not None:
                total[found[0]] += 1.0
        return total / len(terms) if terms else total

    def scores(self, query: Sequence[str]) -> np.ndarray:
        """Raw BM25 of every document (each distinct query term counted once)."""
        total = np.zeros(self.size)
        for term in set(query):
            found = self._postings.get(term)
            if found is not None:
                total[found[0]] += found[1]
        return total

    def coverage(self, query: Sequence[str]) -> np.ndarray:
        """BM25 divided by its upper bound for this query: 0 (nothing shared) to about 1."""
        # Unknown terms count as rare ones: a question full of words no answer uses is not covered.
        unseen = math.log(1 + (self.size + 0.5) / 0.5)
        bound = sum(self._idf.get(term, unseen) for term in set(query)) * (self._k1 + 1)
        return self.scores(query) / bound if bound > 0 else np.zeros(self.size)
