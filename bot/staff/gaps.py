"""From unanswered to FAQ: the questions the bot could not answer (or answered with "did you mean"), grouped by meaning.

The questions are embedded as the FAQ embeds its own questions (``E5Embedder.passages(as_query=True)``)
and grouped by average linkage: two groups merge while their questions are, on average, at least
``THRESHOLD`` alike (cosine). Without the model, a bag of character pairs stands in (a rougher grouping).
Each group names the FAQ entry nearest to its most asked question (the FAQ's own ranking).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

# Picked on a tuning set of 12 questions (説明会 / 駐車場 / 提案書の様式 / unrelated ones): related questions
# are 0.9 and more alike, unrelated ones up to 0.86. tests/staff/test_gaps.py checks it on other questions.
THRESHOLD = 0.88
THRESHOLD_WITHOUT_MODEL = 0.5
MOST_QUESTIONS = 500  # the most asked distinct questions are grouped (the page is for reading, not for every typo)

Embed = Callable[[Sequence[str]], np.ndarray]


@dataclass(frozen=True)
class Asked:
    question: str
    count: int


@dataclass(frozen=True)
class Group:
    questions: list[Asked]  # most asked first

    @property
    def total(self) -> int:
        return sum(asked.count for asked in self.questions)

    @property
    def leader(self) -> str:
        return self.questions[0].question


def group(questions: Sequence[Asked], embed: Embed | None) -> list[Group]:
    """Largest groups first (by how often their questions were asked), each most asked question first."""
    kept = sorted(questions, key=lambda asked: -asked.count)[:MOST_QUESTIONS]
    if not kept:
        return []
    texts = [asked.question for asked in kept]
    vectors = embed(texts) if embed is not None else _character_pairs(texts)
    threshold = THRESHOLD if embed is not None else THRESHOLD_WITHOUT_MODEL
    members = _average_linkage(np.asarray(vectors, dtype=np.float64), threshold)
    groups = [Group(sorted((kept[index] for index in indices), key=lambda asked: -asked.count)) for indices in members]
    return sorted(groups, key=lambda found: (-found.total, -len(found.questions), found.leader))


def _average_linkage(vectors: np.ndarray, threshold: float) -> list[list[int]]:
    similarity = vectors @ vectors.T
    size = len(vectors)
    members: list[list[int]] = [[index] for index in range(size)]
    alive = np.ones(size, dtype=bool)
    np.fill_diagonal(similarity, -np.inf)
    while True:
        masked = np.where(alive[:, None] & alive[None, :], similarity, -np.inf)
        first, second = np.unravel_index(int(np.argmax(masked)), masked.shape)
        if masked[first, second] < threshold:
            break
        a, b = len(members[first]), len(members[second])
        merged = (similarity[first] * a + similarity[second] * b) / (a + b)
        similarity[first], similarity[:, first] = merged, merged
        similarity[first, first] = -np.inf
        members[first] += members[second]
        members[second] = []
        alive[second] = False
    return [found for found in members if found]


def _character_pairs(texts: Sequence[str]) -> np.ndarray:
    """Each text as its character pairs, counted and L2-normalised."""
    bags = [Counter(text[index:index + 2] for index in range(len(text) - 1)) for text in texts]
    vocabulary = {pair: number for number, pair in enumerate(sorted({pair for bag in bags for pair in bag}))}
    vectors = np.zeros((len(texts), max(len(vocabulary), 1)))
    for row, bag in enumerate(bags):
        for pair, count in bag.items():
            vectors[row, vocabulary[pair]] = count
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)
