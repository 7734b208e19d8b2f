"""Checks of faq/facts.yaml against itself and against every text: years of dated facts, counts the page names."""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.content.faq_overlays import FACTS_FILE
from bot.content.loader import Content, Source
from bot.content.models import CountedFact
from bot.content.problems import Problem
from bot.content.yamlsrc import strings
from bot.core.dated import fiscal_year_of

_NUMBER = r"(?P<n>[0-9０-９]+|[一二三四五六七八九十])"
_COUNTER = r"\s*(?:つ|種類|種|通り)"
_WITHIN = 20  # characters of the same sentence between the word and its number (「提案方法は「テーマ型」と「フリー型」の2種類」)
_KANJI = {kanji: value for value, kanji in enumerate("一二三四五六七八九十", start=1)}


def fact_checks(content: Content) -> list[Problem]:
    return _years(content) + _counts(content)


def _facts_source(content: Content) -> Source:
    return next(source for _, source in content.raw_sources if source.file.name == FACTS_FILE and source.file.parent.name == "faq")


def _years(content: Content) -> list[Problem]:
    source = _facts_source(content)
    return [
        source.at("facts", name, "year").problem(f"facts.{name}.year: '{year}' is not a fiscal year (write 令和6年度 or 2024年度)")
        for name, year in content.facts.years.items()
        if fiscal_year_of(year) is None
    ]


def _counts(content: Content) -> list[Problem]:
    """A text naming another number of a counted thing than facts.yaml (「提案の種類は3つ」 where the page says 2)."""
    facts_source = _facts_source(content)
    problems = []
    for data, source in content.raw_sources:
        if source is facts_source:
            continue
        for path, text in strings(data):
            for name, counted in content.facts.counts.items():
                for offset, word, named in _numbers_named(text, counted):
                    if named != counted.count:
                        listed = f" ({'、'.join(counted.items)})" if counted.items else ""
                        reason = (f"says {named} {word} where faq/facts.yaml counts.{name} says {counted.count}{listed}: "
                                  "the text contradicts a fact of the page")
                        problems.append(source.at(*path).problem_in_text(text, offset, reason))
    return problems


def _numbers_named(text: str, counted: CountedFact) -> Iterator[tuple[int, str, int]]:
    """(offset, word, number) of each count of the thing in ``text``: 「5つの条件」 and 「提案の種類は3つ」 alike."""
    for word in counted.words:
        word_pattern = re.escape(word)
        patterns = [
            rf"{_NUMBER}{_COUNTER}の{word_pattern}",
            rf"{word_pattern}[^。\n]{{0,{_WITHIN}}}?{_NUMBER}{_COUNTER}",
        ]
        for pattern in patterns:
            for found in re.finditer(pattern, text):
                yield found.start("n"), word, _value(found["n"])


def _value(number: str) -> int:
    return _KANJI[number] if number in _KANJI else int(number)  # int() reads full-width digits too

