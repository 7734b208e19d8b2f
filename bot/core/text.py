"""Japanese text helpers: normalisation for matching, templates, and sanity checks."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_OPTIONAL = re.compile(r"\[\[(.*?)\]\]", re.DOTALL)
_KATAKANA = {code: code - 0x60 for code in range(ord("ァ"), ord("ヶ") + 1)}
_TRAILING = "。．.、,!！?？ 　"


def fold(text: str) -> str:
    """Width (NFKC), case and katakana vs hiragana folded away."""
    return unicodedata.normalize("NFKC", text).casefold().translate(_KATAKANA)


def normalize(text: str) -> str:
    """:func:`fold`, and also spaces and trailing punctuation: for comparing a typed answer to a label."""
    return re.sub(r"\s+", "", fold(text)).strip(_TRAILING)


def placeholders(template: str) -> list[str]:
    return _PLACEHOLDER.findall(template)


def render(template: str, values: Mapping[str, object]) -> str:
    """Fill ``{name}`` placeholders; unknown names stay as written (``kyoso check`` reports them).

    ``[[…]]`` is said only when every placeholder in it has a value: 「のページ[[（{city_page_url}）]]」
    leaves the brackets out while staff have not filled in the address.
    """

    def optional(match: re.Match[str]) -> str:
        inner = match.group(1)
        return "" if any(values.get(name) == "" for name in placeholders(inner)) else inner

    filled = _OPTIONAL.sub(optional, template)
    return _PLACEHOLDER.sub(lambda match: str(values.get(match.group(1), match.group(0))), filled)


def has_content(text: str) -> bool:
    """True when the text has at least one letter or digit (not only emoji, marks or symbols)."""
    return any(unicodedata.category(char)[0] in "LN" for char in text)


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2
