"""Two ways to cut normalised Japanese into BM25 terms: character n-grams and morphemes.

Character n-grams need no dictionary and survive typos and unknown words;
morphemes (SudachiPy, core dictionary) know word boundaries and read variant
spellings (附属/付属, 申込/申し込み) as one normalised form.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cached_property
from typing import Any, Protocol

from bot.faq.normalize import Normalizer, fold

_HIRAGANA_ONLY = re.compile(r"^[\u3041-\u309f]+$")
_DROPPED_POS = {"助詞", "助動詞", "補助記号", "記号", "空白"}


class Tokenizer(Protocol):
    name: str

    def __call__(self, text: str) -> list[str]: ...


class CharNgrams:
    """1- and 2-grams of the normalised text; grams of hiragana alone (mostly particles) are dropped."""

    name = "char"

    def __init__(self, normalizer: Normalizer, sizes: tuple[int, ...] = (1, 2)) -> None:
        self._normalize = normalizer
        self._sizes = sizes

    def __call__(self, text: str) -> list[str]:
        grams: list[str] = []
        for chunk in self._normalize(text).split():
            for size in self._sizes:
                grams += [
                    gram
                    for start in range(len(chunk) - size + 1)
                    if not _HIRAGANA_ONLY.match(gram := chunk[start : start + size])
                ]
        return grams


class SudachiWords:
    """Normalised forms of SudachiPy's mode-B words, without particles, auxiliaries and symbols."""

    name = "sudachi"

    def __init__(self, normalizer: Normalizer) -> None:
        self._normalizer = normalizer

    @cached_property
    def _tokenizer(self) -> Any:
        """Loaded on first use: the dictionary takes a moment and some memory."""
        from sudachipy import Dictionary, SplitMode

        return Dictionary(dict="core").tokenizer(SplitMode.B, fields={"pos", "normalized_form"})

    def __call__(self, text: str) -> list[str]:
        text = unicodedata.normalize("NFKC", text).casefold()
        words = []
        for morpheme in self._tokenizer.tokenize(text):
            if morpheme.part_of_speech()[0] in _DROPPED_POS:
                continue
            word = self._normalizer.synonym(fold(morpheme.normalized_form()))
            if word.strip():
                words.append(word)
        return words
