"""How staff see a proposer's language: by its name in dialogs/languages.yaml; nothing for 日本語."""

from __future__ import annotations

from bot.content.language_set import BASE_LANGUAGE
from bot.content.loader import Content


def language_name(content: Content, language: str | None) -> str | None:
    if language in (None, BASE_LANGUAGE):
        return None
    found = content.languages.get(language) if content.languages else None
    return found.name if found else language
