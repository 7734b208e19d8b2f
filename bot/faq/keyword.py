"""A simple keyword matcher: the placeholder FAQ lookup until a ranked index replaces it.

An entry scores the total length of its keywords (and of its question and
paraphrases, when typed whole) found in the normalised question; longer
matches say more, so they weigh more.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.content.models import FaqEntry
from bot.core.ports import FaqHit, FaqMatch
from bot.core.text import normalize, render

MIN_SCORE = 2


class KeywordFaq:
    def __init__(self, entries: list[FaqEntry], facts: Mapping[str, object]) -> None:
        self._hits = {
            entry.id: FaqHit(entry.id, entry.label, entry.question, render(entry.answer, facts), 1.0, tuple(entry.related))
            for entry in entries
        }
        self._terms = {
            entry.id: sorted({normalize(term) for term in [*entry.keywords, entry.question, *entry.paraphrases]} - {""})
            for entry in entries
        }

    def lookup(self, text: str) -> FaqMatch:
        query = normalize(text)
        best_id, best_score = None, 0
        for entry_id, terms in self._terms.items():
            score = sum(len(term) for term in terms if term in query)
            if score > best_score:
                best_id, best_score = entry_id, score
        if best_id is None or best_score < MIN_SCORE:
            return FaqMatch()
        return FaqMatch(answer=self._hits[best_id])

    def get(self, entry_id: str) -> FaqHit | None:
        return self._hits.get(entry_id)
