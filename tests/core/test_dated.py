"""Fiscal years of dated facts (令和6年度), and when a fact counts as past."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.core.dated import current_fiscal_year, dated_note, fiscal_year_of

TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.mark.parametrize(("label", "year"), [
    ("令和6年度", 2024), ("令和元年度", 2019), ("平成31年度", 2019), ("2024年度", 2024), ("令和８年度", 2026),
    (" 令和6年度 ", 2024), ("令和6年", None), ("今年度", None), ("R6年度", None), ("令和0年度", None),
])
def test_fiscal_year_labels(label: str, year: int | None) -> None:
    assert fiscal_year_of(label) == year


def test_the_fiscal_year_starts_on_1_april_in_the_city() -> None:
    assert current_fiscal_year(datetime(2025, 3, 31, 23, 59, tzinfo=TOKYO)) == 2024
    assert current_fiscal_year(datetime(2025, 4, 1, 0, 0, tzinfo=TOKYO)) == 2025


def test_the_note_names_the_oldest_past_year_of_the_facts_a_text_uses() -> None:
    years = {"budget_total": "令和6年度", "limit": "令和5年度", "future": "令和9年度"}
    now = datetime(2026, 11, 25, tzinfo=TOKYO)
    note = "（{year}の情報です）"
    assert dated_note(["{budget_total}と{limit}"], years, now, note) == "（令和5年度の情報です）"
    assert dated_note(["{future}"], years, now, note) is None
    assert dated_note(["{city}"], years, now, note) is None
    assert dated_note(["{budget_total}"], years, datetime(2024, 4, 1, tzinfo=TOKYO), note) is None
