"""Translations of FAQ entries: keyed by the entry's id across a language's folder, not file by file.

FAQ ids are unique across all ``faq/*.yaml``, so staff may move an entry to another Japanese file (a sheet
import puts them all in one) and its translation still follows it: any ``faq/<language>/*.yaml`` but the files
translated file by file (facts, synonyms, out_of_scope: not entry lists) may hold the translation of any entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.content.problems import Problem
from bot.content.yamlsrc import LineMap, YamlSyntaxError, load_yaml

FACTS_FILE = "facts.yaml"
SYNONYMS_FILE = "synonyms.yaml"
OUT_OF_SCOPE_FILE = "out_of_scope.yaml"
NOT_ENTRY_FILES = frozenset({FACTS_FILE, SYNONYMS_FILE, OUT_OF_SCOPE_FILE})  # faq/ files translated file by file


@dataclass(frozen=True)
class EntryOverlay:
    """One entry's translation: where it is written and its texts."""

    file: Path
    lines: LineMap
    at: tuple[str | int, ...]  # ("entries", index) in ``file``
    data: dict[str, Any]

    @property
    def line(self) -> int:
        return self.lines.line_of(self.at + ("id",))


class EntryOverlays:
    """The FAQ entries' translations of one language folder (``faq/<language>/``), by entry id."""

    def __init__(self, folder: Path, problems: list[Problem]) -> None:
        self.japanese_folder = folder.parent
        self.by_id: dict[str, EntryOverlay] = {}
        self._taken: set[str] = set()
        for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else ():
            if path.name not in NOT_ENTRY_FILES:
                self._read(path, problems)

    def is_entry_file(self, path: Path) -> bool:
        """A Japanese FAQ file whose entries these translations are for."""
        return path.parent == self.japanese_folder and path.name not in NOT_ENTRY_FILES

    def take(self, entry_id: Any) -> EntryOverlay | None:
        """The translation of the Japanese entry ``entry_id``, if one is written."""
        overlay = self.by_id.get(entry_id) if isinstance(entry_id, str) else None
        if overlay is not None:
            self._taken.add(entry_id)
        return overlay

    def unmatched(self) -> list[Problem]:
        """Translations of ids no Japanese FAQ file has (once every Japanese file is read)."""
        return [
            Problem(overlay.file, overlay.line,
                    f"entries[{entry_id}]: no FAQ entry with id '{entry_id}' in {self.japanese_folder.name}/*.yaml to translate")
            for entry_id, overlay in self.by_id.items() if entry_id not in self._taken
        ]

    def _read(self, path: Path, problems: list[Problem]) -> None:
        try:
            data, lines = load_yaml(path)
        except YamlSyntaxError as error:
            problems.append(Problem(path, error.line, error.reason))
            return
        if data is None:
            return
        if not isinstance(data, dict) or not isinstance(data.get("entries", []), list):
            problems.append(Problem(path, 1, "an FAQ translation file is a mapping with a list of 'entries'"))
            return
        for key in data:
            if key != "entries":
                problems.append(Problem(path, lines.line_of((key,)), f"{key}: an FAQ translation file has only 'entries' "
                                        f"({', '.join(sorted(NOT_ENTRY_FILES))} are translated file by file)"))
        for index, item in enumerate(data.get("entries") or []):
            overlay = EntryOverlay(path, lines, ("entries", index), item if isinstance(item, dict) else {})
            entry_id = overlay.data.get("id")
            if not isinstance(entry_id, str):
                problems.append(Problem(path, overlay.line, "entries: each item names its 'id'"))
            elif entry_id in self.by_id:
                first = self.by_id[entry_id]
                problems.append(Problem(path, overlay.line,
                                        f"entries[{entry_id}]: already translated in {first.file.name} line {first.line}"))
            else:
                self.by_id[entry_id] = overlay
