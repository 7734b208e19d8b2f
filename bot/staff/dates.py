"""Japan dates typed in the console's filters: one wording for a mistake, and the instant a day starts."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time

from bot.handoff.render import STAFF_TIMEZONE


class BadDate(ValueError):
    """The message says, in Japanese, which date cannot be read and how to write it."""


def typed_day(query: Mapping[str, str], key: str, label: str) -> date | None:
    """The date in ``query[key]`` (YYYY-MM-DD), or None when it is left empty."""
    raw = query.get(key, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise BadDate(f"{label}の日付の形式が正しくありません（例: 2026-11-25）。") from None


def day_start(day: date) -> datetime:
    """The first instant of ``day`` in Japan (a range's last day is included: it ends where the next day starts)."""
    return datetime.combine(day, time(), STAFF_TIMEZONE)
