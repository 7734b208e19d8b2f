"""``required``: an explicit check where the code relies on a value being there (``assert`` vanishes under ``python -O``)."""

from __future__ import annotations

from typing import TypeVar

T = TypeVar("T")


class MissingValue(RuntimeError):
    """A value the code relies on is missing: a bug or content that was not checked, never user input."""


def required(value: T | None, what: str) -> T:
    if value is None:
        raise MissingValue(f"{what} is missing")
    return value
