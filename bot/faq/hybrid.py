"""Ranks documents for a question by combining BM25 (per tokenizer) and embedding similarity.

Each method gives every document a score: BM25 coverage (0 to about 1), and the
cosine similarity of the question to the document's questions (``e5``) and to its
body (``e5_body``). Before they are weighted, each method's scores are turned into
z-scores over the documents of this question: the embedding's similarities are
squeezed together (0.87–0.98 for everything), so what carries the signal is how far
an entry stands out from the others, not the raw number. On LocalgovFAQ this is
worth +0.02 Hit@1 with the same weights (bench/faq_localgov.py).

A question is embedded once per lookup; ``analyse`` returns every method's raw
scores, so the caller can rank, combine and judge confidence from one pass.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from bot.faq.bm25 import BM25
from bot.faq.dense import E5Embedder
from bot.faq.normalize import fold
from bot.faq.tokens import Tokenizer

_NOT_WORD = re.compile(r"[^\w]+")
DENSE_QUESTIONS = "e5"
DENSE_BODY = "e5_body"


@dataclass(frozen=True)
class Document:
    """What one entry is made of: short texts that ask for it, and the text that answers."""

    questions: tuple[str, ...]
    body: str


@dataclass(frozen=True)
class Analysis:
    """Every method's raw score of every document, and how much of the question no document knows."""

    scores: dict[str, np.ndarray]
    unknown_words: float  # share of the question's terms (first tokenizer) that occur in no document
    shared: np.ndarray  # per document, the share of the question's terms (first tokenizer) it contains
    exact: int | None = None  # the document one of whose questions is exactly the text (after normalising)
    # The rarity-weighted share of the question's terms (first tokenizer) that no ``home`` document has: high
    # for 「市民農園の申し込み方法」, whose topic no FAQ entry names although its verbs match 提案の方法 well.
    foreign: float = 0.0
    # Per document, the share of the question's distinct terms it contains and no ``home`` document has (the mean
    # over the tokenizers: one kanji such as 料 is weak evidence): a topic outside the window is named by words of
    # its own (婚姻届), not by words nobody uses.
    own: np.ndarray | None = None
    asks: float = 0.0  # 1 when the line reads as a question (a question marker: ？, ですか, 教えて …), set by the FaqIndex


class HybridIndex:
    def __init__(
        self,
        documents: Sequence[Document],
        tokenizers: Sequence[Tokenizer],
        embedder: E5Embedder | None,
        weights: Mapping[str, float],
        home: Sequence[bool] | None = None,
    ) -> None:
        """``home``: which documents are the window's own answers (for ``Analysis.foreign``; default all)."""
        self.size = len(documents)
        self._tokenizers = list(tokenizers)
        # Tokens of every text of every document (its questions, then its body), kept so that a
        # variant without one text (``leave_out``) needs no second tokenization.
        self._texts = {
            tokenizer.name: [[tokenizer(text) for text in (*doc.questions, doc.body)] for doc in documents]
            for tokenizer in self._tokenizers
        }
        self._bm25 = {name: _bm25(texts) for name, texts in self._texts.items()}
        self._home_terms = {
            name: {term for index, parts in enumerate(texts) if home is None or home[index] for part in parts for term in part}
            for name, texts in self._texts.items()
        }
        self._documents_questions = [doc.questions for doc in documents]
        self._exact: dict[str, int] = {}
        for index, doc in enumerate(documents):
            for text in doc.questions:
                self._exact.setdefault(_spelling(text), index)
        self._embedder = embedder
        self._question_rows = np.zeros(0, dtype=np.int64)
        if embedder is not None:
            asked = [(index, text) for index, doc in enumerate(documents) for text in doc.questions]
            self._question_rows = np.array([index for index, _ in asked], dtype=np.int64)
            self._question_vectors = embedder.passages([text for _, text in asked], as_query=True)
            self._body_vectors = embedder.passages([doc.body for doc in documents])
        self.methods = [*self._bm25, *([DENSE_QUESTIONS, DENSE_BODY] if embedder else [])]
        self.weights = {method: weights.get(method, 0.0) for method in self.methods}

    def analyse(self, text: str) -> Analysis:
        """Every method's score of every document (one embedding of ``text``)."""
        scores: dict[str, np.ndarray] = {}
        unknown, foreign, shared, own = 0.0, 0.0, np.zeros(self.size), np.zeros(self.size)
        for position, tokenizer in enumerate(self._tokenizers):
            terms = tokenizer(text)
            bm25 = self._bm25[tokenizer.name]
            scores[tokenizer.name] = bm25.coverage(terms)
            distinct = set(terms)
            home_terms = self._home_terms[tokenizer.name]
            if position == 0 and terms:
                unknown = sum(not bm25.knows(term) for term in distinct) / len(distinct)
                rarity = {term: bm25.rarity(term) for term in distinct}
                foreign = sum(value for term, value in rarity.items() if term not in home_terms) / sum(rarity.values())
                shared = bm25.shared(terms)
            elsewhere = [term for term in distinct if term not in home_terms]
            if elsewhere:
                own = own + bm25.shared(elsewhere) * len(elsewhere) / len(distinct) / len(self._tokenizers)
        if self._embedder is not None:
            vector = self._embedder.query(text)
            # einsum, not @: numpy's BLAS hands a product this size to a helper thread that then
            # spins for a while, taking the second core from the next question's encoding.
            similarities = np.einsum("ij,j->i", self._question_vectors, vector)
            best = np.full(self.size, -1.0, dtype=similarities.dtype)
            np.maximum.at(best, self._question_rows, similarities)
            scores[DENSE_QUESTIONS] = best
            scores[DENSE_BODY] = np.einsum("ij,j->i", self._body_vectors, vector)
        return Analysis(scores, unknown, shared, self._exact.get(_spelling(text)), foreign, own)

    def method_scores(self, text: str) -> dict[str, np.ndarray]:
        return self.analyse(text).scores

    def scores(self, text: str) -> np.ndarray:
        """The weighted sum of the methods' z-scores."""
        return combine(self.method_scores(text), self.weights)

    def leave_out(self, document: int, question: int) -> HybridIndex:
        """This index as if one question text of one document were not written (for ``kyoso check``)."""
        variant = object.__new__(HybridIndex)
        variant.__dict__.update(self.__dict__)
        variant._texts = {
            name: [parts if index != document else parts[:question] + parts[question + 1:] for index, parts in enumerate(texts)]
            for name, texts in self._texts.items()
        }
        variant._bm25 = {name: _bm25(texts) for name, texts in variant._texts.items()}
        left_out = _spelling(self._documents_questions[document][question])
        variant._exact = {text: owner for text, owner in self._exact.items() if (text, owner) != (left_out, document)}
        if self._embedder is not None:
            rows = np.flatnonzero(self._question_rows == document)
            keep = np.ones(len(self._question_rows), dtype=bool)
            keep[rows[question]] = False
            variant._question_rows = self._question_rows[keep]
            variant._question_vectors = self._question_vectors[keep]
        return variant


def _spelling(text: str) -> str:
    """A text as typed, without width, case, long-vowel marks, punctuation and spaces: for exact matches."""
    return _NOT_WORD.sub("", fold(text))


def _bm25(texts: Sequence[Sequence[list[str]]]) -> BM25:
    return BM25([[term for part in parts for term in part] for parts in texts])


def standardized(values: np.ndarray) -> np.ndarray:
    """Scores as z-scores over the documents (all zero when they are all equal)."""
    spread = float(values.std())
    return (values - values.mean()) / spread if spread > 1e-9 else np.zeros_like(values)


def combine(scores: Mapping[str, np.ndarray], weights: Mapping[str, float]) -> np.ndarray:
    total: np.ndarray | None = None
    for method, values in scores.items():
        weight = weights.get(method, 0.0)
        if not weight:
            continue
        weighted = weight * standardized(values)
        total = weighted if total is None else total + weighted
    if total is None:
        size = len(next(iter(scores.values()))) if scores else 0
        return np.zeros(size)
    return total
