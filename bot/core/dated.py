"""Facts that hold for one fiscal year (予算額 of 令和6年度): once that year is past, say where the latest is.

The city's fiscal year starts on 1 April; ``now`` is the engine's clock, in the city's time zone.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import datetime

from bot.core.text import placeholders, render

FISCAL_YEAR_STARTS = 4  # April
_ERAS = {"令和": 2018, "平成": 1988}  # 令和1年度 is 2019, 平成1年度 is 1989
_YEAR = re.compile(r"^(?:(?P<era>令和|平成)(?P<number>元|\d+)|(?P<western>\d{4}))年度$")


def fiscal_year_of(label: str) -> int | None:
    """``令和6年度`` -> 2024, ``2024年度`` -> 2024; None for anything else."""
    found = _YEAR.match(unicodedata.normalize("NFKC", label.strip()))
    if found is None:
        return None
    if found["western"]:
        return int(found["western"])
    number = 1 if found["number"] == "元" else int(found["number"])
    return _ERAS[found["era"]] + number if number >= 1 else None


def current_fiscal_year(now: datetime) -> int:
    return now.year if now.month >= FISCAL_YEAR_STARTS else now.year - 1


def past_year(templates: Iterable[str], years: Mapping[str, str], now: datetime) -> str | None:
    """The oldest fiscal year (as written) of the dated facts these texts use, if it is before the current one."""
    current = current_fiscal_year(now)
    used = {name for template in templates for name in placeholders(template) if name in years}
    past = [(year, years[name]) for name in used if (year := fiscal_year_of(years[name])) is not None and year < current]
    return min(past)[1] if past else None


def dated_note(
    templates: Iterable[str], years: Mapping[str, str], now: datetime, note: str, facts: Mapping[str, object] | None = None,
) -> str | None:
    """``note`` (with ``{year}`` and any ``facts``) when the texts use a fact from a past fiscal year; None otherwise."""
    year = past_year(templates, years, now)
    return None if year is None else render(note, {**(facts or {}), "year": year})
