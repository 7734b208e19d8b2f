"""Evaluate the small condition language of the dialog files."""

from __future__ import annotations

from collections.abc import Mapping

from bot.content.models import Condition


def holds(condition: Condition, values: Mapping[str, str]) -> bool:
    if condition.all is not None:
        return all(holds(part, values) for part in condition.all)
    if condition.any is not None:
        return any(holds(part, values) for part in condition.any)
    value = values.get(condition.field or "", "")
    if condition.equals is not None:
        return value == condition.equals
    if condition.one_of is not None:
        return value in condition.one_of
    return bool(value) == condition.filled
