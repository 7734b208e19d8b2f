"""Japanese text normalisation for matching: one spelling for the many ways people type a word.

Width and case (NFKC, casefold), long-vowel marks (or a dash typed for one)
and small kana are folded away, so テーマ, ﾃｰﾏ and テ-マ read alike; then every
word of a synonym group is read as the group's first word. Katakana is kept
apart from hiragana on purpose: a gram of hiragana alone is mostly a particle
and is dropped by the n-gram tokenizer, and folding katakana words into
hiragana lost them too (LocalgovFAQ character BM25 Hit@1 0.350 instead of 0.388).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

_KANA_VARIANTS = str.maketrans(
    "ぁぃぅぇぉっゃゅょゎゕゖゐゑゔァィゥェォッャュョヮヵヶヰヱヴ",
    "あいうえおつやゆよわかけいえぶアイウエオツヤユヨワカケイエブ",
)
_KANA = "\u3041-\u309f\u30a0-\u30ff"
# A long-vowel mark, or a dash typed in its place, after a kana carries no meaning for matching.
_LONG_VOWEL = re.compile(rf"(?<=[{_KANA}])[ー\-‐‑–—―−〜～]+")
_NOT_WORD = re.compile(r"[^\w]+")


def fold(text: str) -> str:
    """NFKC, casefold, long vowels dropped, small and old kana read as their plain forms."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return _LONG_VOWEL.sub("", text).translate(_KANA_VARIANTS)


class Normalizer:
    """Folds text and reads every synonym as its group's first word."""

    def __init__(self, synonym_groups: Iterable[Sequence[str]] = ()) -> None:
        self._canonical: dict[str, str] = {}
        for group in synonym_groups:
            folded = [fold(word) for word in group]
            for word in folded:  # the first word too, so NPO法人 is not read as NPO + 法人
                if word:
                    self._canonical.setdefault(word, folded[0])
        # Longest words first, so 実証実験 is read whole before 実験 alone.
        words = sorted(self._canonical, key=len, reverse=True)
        self._pattern = re.compile("|".join(map(re.escape, words))) if words else None

    def __call__(self, text: str) -> str:
        """The folded text with synonyms replaced and punctuation turned into single spaces."""
        folded = self.synonym(fold(text))
        return _NOT_WORD.sub(" ", folded).strip()

    def synonym(self, folded: str) -> str:
        """Replace every synonym in already folded text by its group's first word."""
        if self._pattern is None:
            return folded
        return self._pattern.sub(lambda match: self._canonical[match.group(0)], folded)
