"""Translations of the content files: overlays on the Japanese files, keyed by the same ids.

A translation of ``dialogs/main.yaml`` into English is ``dialogs/en/main.yaml``: the same keys, giving only
the texts (steps by ``id``, options by ``value``, rows and items by ``field``, FAQ entries and intents by
``id``; other lists position by position). The structure (``next``, ``field``, ``when``, …) stays in the
Japanese file: an overlay may repeat such a value unchanged but not change it, and a key the Japanese file
does not have is a problem (``file:line: reason``). A text the overlay leaves out is said in 日本語 and is
listed as missing. Typed words (``words``, ``examples``, …) are added to the Japanese ones, so a user may
type either. FAQ entries are the exception to file by file: their translations follow the entry's id
(bot/content/faq_overlays.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.content.faq_overlays import EntryOverlays
from bot.content.language_set import LANGUAGES_FILE
from bot.content.problems import Problem
from bot.content.yamlsrc import LineMap, YamlSyntaxError, load_yaml

Reader = Callable[[Path], tuple[Any, LineMap]]
KeyPath = tuple[str | int, ...]

# Keys whose values are structure, not text: the same in every language.
STRUCTURAL = frozenset({
    "id", "type", "next", "field", "value", "when", "branches", "options_from", "goto", "command", "show", "faq",
    "on_invalid", "summary", "validate", "related", "tags", "commands", "source", "version", "confirmed", "start", "home",
    "dialog", "fields", "met_value", "not_met_value", "required_unless", "text_step_buttons", "choice_step_buttons",
    "option", "menu", "counts", "lists", "synonyms", "kept_in", "kinds_allowed", "max_choices", "max_label_length",
    "resume_after_hours", "year",  # a dated fact's fiscal year (its date logic reads 令和6年度)
})
# Lists of words a user may type: a translation's words are added to the Japanese ones.
ADDED_WORDS = frozenset({"words", "examples", "paraphrases", "keywords", "question_markers"})
ID_KEYS = ("id", "value", "field")


STRUCTURAL_MAPPINGS = frozenset({"when", "branches", "counts", "lists"})


def structural(key: str, value: Any, at: KeyPath = ()) -> bool:
    """A name means structure unless it holds a mapping of texts: ``commands`` and ``menu`` are a list and a flag
    in an FAQ entry, texts (labels, words) in common.yaml; a dated fact's ``value`` (faq/facts.yaml) is its text."""
    if key == "value" and at[:1] == ("facts",):
        return False
    return key in STRUCTURAL_MAPPINGS or (key in STRUCTURAL and not isinstance(value, dict))
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


@dataclass(frozen=True)
class Missing:
    """A Japanese text a translation does not give (said in 日本語 meanwhile)."""

    file: Path  # the Japanese file
    line: int
    key: str  # e.g. steps[welcome].text: list items named by their id
    overlay: Path  # where the translation belongs

    def problem(self, language_name: str, relative_to: Path) -> Problem:
        where = _relative(self.overlay, relative_to)
        return Problem(self.file, self.line, f"no {language_name} text in {where} for {self.key}")


@dataclass
class Report:
    """What reading one language's overlays found: problems (errors) and missing texts (notes)."""

    problems: list[Problem] = field(default_factory=list)
    missing: list[Missing] = field(default_factory=list)
    translated: int = 0
    overlays: list[Path] = field(default_factory=list)


def overlay_reader(language: str, report: Report, entries: EntryOverlays) -> Reader:
    """A reader of content files that puts ``language``'s overlay (``<folder>/<language>/<file>``) on each file,
    and on each FAQ entry its translation from ``entries`` (whichever file of the language's folder holds it)."""

    def read(path: Path) -> tuple[Any, LineMap]:
        data, lines = load_yaml(path)
        if path.name == LANGUAGES_FILE:  # already in every language
            return data, lines
        overlay_path = path.parent / language / path.name
        given: set[KeyPath] = set()
        overlay_of: dict[int, Path] = {}  # an FAQ entry's position -> the file holding its translation
        if entries.is_entry_file(path) and isinstance(data, dict):
            data = _translate_entries(path, data, entries, report.problems, given, overlay_of)
        elif overlay_path.is_file() and isinstance(data, dict):
            report.overlays.append(overlay_path)
            try:
                over, over_lines = load_yaml(overlay_path)
            except YamlSyntaxError as error:
                report.problems.append(Problem(overlay_path, error.line, error.reason))
            else:
                if over is not None:
                    merger = _Merger(overlay_path, path.name, over_lines, report.problems, given, data)
                    data = merger.merge(data, over, (), ())
        for key_path in texts(data):
            if key_path in given:
                report.translated += 1
            else:
                position = key_path[1] if key_path[:1] == ("entries",) else None
                belongs = overlay_of.get(position, overlay_path) if isinstance(position, int) else overlay_path
                report.missing.append(Missing(path, lines.line_of(key_path), named(data, key_path), belongs))
        return data, lines

    return read


def _translate_entries(
    path: Path, data: dict[str, Any], entries: EntryOverlays, problems: list[Problem], given: set[KeyPath],
    overlay_of: dict[int, Path],
) -> dict[str, Any]:
    """A Japanese FAQ file with each entry's translation put on it, found by the entry's id."""
    items = data.get("entries")
    if not isinstance(items, list):
        return data
    merged = list(items)
    for position, item in enumerate(items):
        overlay = entries.take(item.get("id")) if isinstance(item, dict) else None
        if overlay is None:
            continue
        overlay_of[position] = overlay.file
        merger = _Merger(overlay.file, path.name, overlay.lines, problems, given, data)
        merged[position] = merger.merge(item, overlay.data, ("entries", position), overlay.at)
    return {**data, "entries": merged}


def texts(data: Any, path: KeyPath = ()) -> Iterator[KeyPath]:
    """The key paths of the texts a translation should give: Japanese strings outside the structure."""
    if isinstance(data, str):
        if _JAPANESE.search(data):
            yield path
    elif isinstance(data, dict):
        for key, value in data.items():
            if not structural(key, value, path) and key not in ADDED_WORDS:
                yield from texts(value, path + (key,))
    elif isinstance(data, list) and any(isinstance(item, dict) for item in data):
        for index, item in enumerate(data):
            yield from texts(item, path + (index,))


class _Merger:
    def __init__(
        self, overlay: Path, base_name: str, lines: LineMap, problems: list[Problem], given: set[KeyPath], base: Any
    ) -> None:
        self.overlay, self.base_name, self.lines, self.problems, self.given = overlay, base_name, lines, problems, given
        self.base = base

    def _problem(self, at: KeyPath, reason: str) -> None:
        self.problems.append(Problem(self.overlay, self.lines.line_of(at), reason))

    def _name(self, at_base: KeyPath, key: str | None = None) -> str:
        shown = named(self.base, at_base)
        return f"{shown}.{key}" if shown and key else key or shown or "the file"

    def merge(self, base: Any, over: Any, at_base: KeyPath, at_over: KeyPath) -> Any:
        if isinstance(base, dict):
            return self._mapping(base, over, at_base, at_over)
        if isinstance(base, list):
            return self._list(base, over, at_base, at_over)
        if isinstance(base, str) and isinstance(over, str) and over.strip():
            self.given.add(at_base)
            return over
        if isinstance(base, str):
            self._problem(at_over, f"{self._name(at_base)}: give a text (the Japanese file has one)")
        else:
            self._problem(at_over, f"{self._name(at_base)}: not a text; change it in {self.base_name}, not in the translation")
        return base

    def _mapping(self, base: dict[str, Any], over: Any, at_base: KeyPath, at_over: KeyPath) -> dict[str, Any]:
        if not isinstance(over, dict):
            self._problem(at_over, f"{self._name(at_base)}: should be a mapping, as in {self.base_name}")
            return base
        merged = dict(base)
        for key, value in over.items():
            where = at_over + (key,)
            if key not in base:
                self._problem(where, f"{self._name(at_base, key)}: there is no such key in {self.base_name}")
            elif structural(key, base[key], at_base):
                if value != base[key]:
                    self._problem(where, f"{self._name(at_base, key)}: not a text; change it in {self.base_name}, not in the translation")
            elif key in ADDED_WORDS:
                merged[key] = self._words(base[key], value, at_base + (key,), where)
            else:
                merged[key] = self.merge(base[key], value, at_base + (key,), where)
        if isinstance(base.get("label"), str) and isinstance(merged.get("words"), list) and base["label"] not in merged["words"]:
            merged["words"] = [*merged["words"], base["label"]]  # the Japanese button's words still work when typed
        return merged

    def _words(self, base: Any, over: Any, at_base: KeyPath, at_over: KeyPath) -> Any:
        if not isinstance(over, list) or not all(isinstance(word, str) and word for word in over):
            self._problem(at_over, f"{self._name(at_base)}: should be a list of words")
            return base
        return [*base, *(word for word in over if word not in base)]

    def _list(self, base: list[Any], over: Any, at_base: KeyPath, at_over: KeyPath) -> list[Any]:
        if not isinstance(over, list):
            self._problem(at_over, f"{self._name(at_base)}: should be a list, as in {self.base_name}")
            return base
        key = next((name for name in ID_KEYS if base and all(isinstance(item, dict) and name in item for item in base)), None)
        merged = list(base)
        if key is None:  # position by position
            if not all(isinstance(item, dict) for item in base):
                self._problem(at_over, f"{self._name(at_base)}: not a text; change it in {self.base_name}, not in the translation")
                return base
            for index, item in enumerate(over):
                if index >= len(base):
                    self._problem(at_over + (index,), f"{self._name(at_base)}: {self.base_name} has only {len(base)} items here")
                    break
                merged[index] = self.merge(base[index], item, at_base + (index,), at_over + (index,))
            return merged
        positions = {item[key]: index for index, item in enumerate(base)}
        for index, item in enumerate(over):
            ident = item.get(key) if isinstance(item, dict) else None
            if ident not in positions:
                reason = (f"{self._name(at_base)}: each item names its '{key}'" if ident is None
                          else f"{self._name(at_base)}: {self.base_name} has no item with {key} '{ident}'")
                self._problem(at_over + (index,), reason)
                continue
            position = positions[ident]
            merged[position] = self.merge(base[position], item, at_base + (position,), at_over + (index,))
        return merged


def named(data: Any, path: KeyPath) -> str:
    """``('steps', 0, 'text')`` as ``steps[welcome].text``: list items by their id where they have one."""
    shown = ""
    for part in path:
        if isinstance(part, int) and isinstance(data, list):
            item = data[part]
            ident = next((item[key] for key in ID_KEYS if isinstance(item, dict) and key in item), part)
            shown += f"[{ident}]"
        else:
            shown += f".{part}" if shown else str(part)
        data = data[part]
    return shown


def dotted(path: KeyPath) -> str:
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path).lstrip(".")


def _relative(path: Path, root: Path) -> Path:
    try:
        return path.relative_to(root)
    except ValueError:
        return path
