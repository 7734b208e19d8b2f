"""Button payloads: short prefixes so they fit Telegram's 64-byte callback data."""

from __future__ import annotations

OPTION = "o:"
COMMAND = "c:"
FAQ = "f:"
EDIT = "e:"
PAGE = "p:"
CONFIRM = "y:"
MENU_ITEM = "m:"  # an item of the menu, from wherever the user is (提案の下書きをつくる under an FAQ answer)
NONE_FITS = "n:"  # どれでもない under a did-you-mean
HELPFUL = "h:"  # 役に立ちましたか？ under an FAQ answer: 'h:yes:<entry id>' or 'h:no:<entry id>'
PROPOSAL = "d:"  # わたしの提案: one of the user's submitted drafts in full, 'd:<reference>'
REVISE = "r:"  # 修正を始める under a 差し戻し: 'r:<reference>'
LANGUAGE = "l:"  # 'l:en' switches to English; 'l:' alone lists the languages (bot/core/language.py)
AFTER_HANDOFF = (PROPOSAL, REVISE)  # buttons about a submitted draft: they work even in a new conversation


def split(payload: str) -> tuple[str, str]:
    """``'o:yes'`` -> ``('o:', 'yes')``; an unknown payload gives ``('', payload)``."""
    for prefix in (OPTION, COMMAND, FAQ, EDIT, PAGE, CONFIRM, MENU_ITEM, NONE_FITS, HELPFUL, PROPOSAL, REVISE, LANGUAGE):
        if payload.startswith(prefix):
            return prefix, payload[len(prefix):]
    return "", payload
