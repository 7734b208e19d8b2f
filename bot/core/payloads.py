"""Button payloads: short prefixes so they fit Telegram's 64-byte callback data."""

from __future__ import annotations

OPTION = "o:"
COMMAND = "c:"
FAQ = "f:"
EDIT = "e:"
PAGE = "p:"
CONFIRM = "y:"


def split(payload: str) -> tuple[str, str]:
    """``'o:yes'`` -> ``('o:', 'yes')``; an unknown payload gives ``('', payload)``."""
    for prefix in (OPTION, COMMAND, FAQ, EDIT, PAGE, CONFIRM):
        if payload.startswith(prefix):
            return prefix, payload[len(prefix):]
    return "", payload
