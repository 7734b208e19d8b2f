"""The answers an asking step offers, and matching what the user typed or pressed against them."""

from __future__ import annotations

from dataclasses import dataclass

from bot.content.choices import choice_options
from bot.content.loader import Content
from bot.content.models import (
    ChoiceStep,
    ConsentStep,
    EditMenuStep,
    FaqListStep,
    Option,
    Step,
    SummaryStep,
)
from bot.core import payloads
from bot.core.conditions import holds
from bot.core.required import MissingValue
from bot.core.text import normalize


@dataclass(frozen=True)
class Offered:
    """One answer the current step accepts, with the payload its button sends."""

    option: Option
    payload: str


def offered(step: Step, content: Content, values: dict[str, str]) -> list[Offered]:
    if isinstance(step, ChoiceStep):
        return [
            Offered(option, payloads.OPTION + option.value)
            for option in choice_options(step, content)
            if option.when is None or holds(option.when, values)
        ]
    if isinstance(step, (SummaryStep, ConsentStep)):
        return [Offered(option, payloads.OPTION + option.value) for option in step.options]
    if isinstance(step, EditMenuStep):
        summary = content.step(step.summary)
        if not isinstance(summary, SummaryStep):
            raise MissingValue(f"the summary step of {step.summary!r}")  # checked when the content is loaded
        return [
            Offered(Option(value=row.field, label=row.label), payloads.EDIT + row.field)
            for row in summary.rows
            if field_is_active(content, step.summary, row.field, values)
        ]
    if isinstance(step, FaqListStep):
        return [
            Offered(Option(value=entry.id, label=entry.label), payloads.FAQ + entry.id)
            for entry in content.faq
            if entry.menu
        ]
    return []


def match(text: str, choices: list[Offered]) -> Offered | None:
    """The offered answer the text names: its number, its label, or one of its words."""
    wanted = normalize(text)
    if not wanted:
        return None
    if wanted.isdigit() and 1 <= int(wanted) <= len(choices):
        return choices[int(wanted) - 1]
    for choice in choices:
        names = [choice.option.label, *choice.option.words]
        if any(normalize(name) == wanted for name in names):
            return choice
    return None


def contained(text: str, choices: list[Offered]) -> Offered | None:
    """The one offered answer whose label or word the text contains (「NPOです」 -> NPO法人).

    The longest name found wins, so 「わからないです」 is わからない, not ない; two answers
    named equally long is no answer.
    """
    wanted = normalize(text)
    found: dict[int, set[int]] = {}
    for position, choice in enumerate(choices):
        for name in (choice.option.label, *choice.option.words):
            named = normalize(name)
            if named and named in wanted:
                found.setdefault(len(named), set()).add(position)
    if not found:
        return None
    longest = found[max(found)]
    return choices[longest.pop()] if len(longest) == 1 else None


def field_steps(content: Content, near: str) -> dict[str, str]:
    """Field name -> the step that asks it, preferring steps in the same dialog as ``near``.

    Content does not change once loaded, so each dialog's map is built once (a summary
    asks it for every row, on every prompt).
    """
    dialog = near.split(".", 1)[0]
    cached = content.field_steps_near.get(dialog)
    if cached is None:
        cached = content.field_steps_near[dialog] = _field_steps(content, dialog)
    return cached


def _field_steps(content: Content, dialog: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for ref, step in sorted(content.steps.items(), key=lambda item: not item[0].startswith(dialog + ".")):
        name = getattr(step, "field", None)
        if name and name not in found:
            found[name] = ref
    return found


def field_is_active(content: Content, near: str, name: str, values: dict[str, str]) -> bool:
    """A field counts only when the step that asks it applies (e.g. テーマ only for テーマ型)."""
    ref = field_steps(content, near).get(name)
    if ref is None:
        return False
    condition = content.step(ref).when
    return condition is None or holds(condition, values)


def display_value(content: Content, near: str, name: str, value: str) -> str:
    """The label a user saw for a stored choice code (``npo`` -> ``NPO法人``)."""
    ref = field_steps(content, near).get(name)
    step = content.step(ref) if ref else None
    if isinstance(step, ChoiceStep):
        for option in choice_options(step, content):
            if option.value == value:
                return option.label
    return value
