"""FAQ entries to and from CSV or Excel sheets, for staff who prefer a spreadsheet to YAML.

One row per entry, one column per field (``COLUMNS``); list fields hold one
item per line (or items separated by ``|``); ``menu`` is 1/0 (or true/false,
はい/いいえ). An import is checked row by row with the same model as the YAML
files, then the whole content is checked with the new file in place (unknown
related ids, duplicate ids, long labels, unknown {facts}); only when nothing
is wrong is the YAML file written.
"""

from __future__ import annotations

import csv
import re
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bot.content.loader import load_content
from bot.content.models import FaqEntry
from bot.content.problems import ContentInvalid

COLUMNS = ["id", "question", "label", "menu", "paraphrases", "keywords", "answer", "related", "commands", "tags", "source"]
LIST_COLUMNS = {"paraphrases", "keywords", "related", "commands", "tags"}
_TRUE, _FALSE = {"1", "true", "yes", "はい"}, {"", "0", "false", "no", "いいえ"}
_ITEM_SEPARATOR = re.compile(r"\s*(?:\n|\|)\s*")


class SheetInvalid(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


def import_entries(sheet: Path, content_root: Path, target_name: str) -> tuple[Path, int]:
    """Check the sheet's entries and write them to faq/``target_name``; return the file and the count."""
    if "/" in target_name or not target_name.endswith(".yaml") or target_name in ("facts.yaml", "synonyms.yaml"):
        raise SheetInvalid([f"--to must name an entries file in faq/ such as imported.yaml, not '{target_name}'"])
    entries = _entries(_read(sheet), sheet)
    text = _to_yaml(entries, sheet)
    with tempfile.TemporaryDirectory() as scratch:
        trial = Path(scratch)
        for folder in ("dialogs", "faq"):
            shutil.copytree(content_root / folder, trial / folder)
        (trial / "faq" / target_name).write_text(text, encoding="utf-8")
        try:
            load_content(trial)
        except ContentInvalid as invalid:
            raise SheetInvalid([problem.render(trial) for problem in invalid.problems]) from None
    target = content_root / "faq" / target_name
    temporary = target.with_suffix(".yaml.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(target)
    return target, len(entries)


def export_entries(entries: Iterable[FaqEntry], sheet: Path) -> None:
    rows = [[_cell(entry, column) for column in COLUMNS] for entry in entries]
    if sheet.suffix.lower() == ".xlsx":
        from openpyxl import Workbook
        from openpyxl.styles import Alignment

        book = Workbook()
        page = book.worksheets[0]  # a new workbook's one sheet
        page.title = "faq"
        page.append(COLUMNS)
        for row in rows:
            page.append(row)
        for line in page.iter_rows(min_row=2):
            for cell in line:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        book.save(sheet)
        return
    with sheet.open("w", encoding="utf-8-sig", newline="") as handle:  # with a BOM, Excel opens it as UTF-8
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerows(rows)


def _cell(entry: FaqEntry, column: str) -> str | int:
    value = getattr(entry, column)
    if column in LIST_COLUMNS:
        return "\n".join(value)
    if column == "menu":
        return int(value)
    return str(value)


def _read(sheet: Path) -> list[dict[str, Any]]:
    if not sheet.is_file():
        raise SheetInvalid([f"{sheet}: no such file"])
    suffix = sheet.suffix.lower()
    if suffix == ".xlsx":
        from openpyxl import load_workbook

        page = load_workbook(sheet, read_only=True, data_only=True).worksheets[0]
        lines = [["" if cell is None else str(cell) for cell in row] for row in page.iter_rows(values_only=True)]
    elif suffix == ".csv":
        try:
            with sheet.open(encoding="utf-8-sig", newline="") as handle:
                lines = list(csv.reader(handle))
        except UnicodeDecodeError:
            raise SheetInvalid([f"{sheet}: not UTF-8 text (save it as 'CSV UTF-8')"]) from None
    else:
        raise SheetInvalid([f"{sheet}: use a .csv or .xlsx file"])
    if not lines:
        raise SheetInvalid([f"{sheet}: the sheet is empty"])
    header = [name.strip() for name in lines[0]]
    problems = [f"row 1: unknown column '{name}' (columns: {', '.join(COLUMNS)})" for name in header if name and name not in COLUMNS]
    problems += [f"row 1: column '{name}' is missing" for name in ("id", "question", "label", "answer", "source") if name not in header]
    if problems:
        raise SheetInvalid(problems)
    return [dict(zip(header, line, strict=False)) for line in lines[1:]]  # a row may end before the last columns


def _entries(rows: Sequence[dict[str, Any]], sheet: Path) -> list[FaqEntry]:
    entries, problems = [], []
    for number, row in enumerate(rows, start=2):  # the header is row 1, as the spreadsheet shows it
        if not any(str(value).strip() for value in row.values()):
            continue
        data: dict[str, Any] = {}
        for column, value in row.items():
            if not column:
                continue
            text = str(value).strip()
            if column in LIST_COLUMNS:
                data[column] = [item for item in _ITEM_SEPARATOR.split(text) if item]
            elif column == "menu":
                if text.lower() not in _TRUE | _FALSE:
                    problems.append(f"row {number}: menu: write 1 or 0, not '{text}'")
                    continue
                data[column] = text.lower() in _TRUE
            elif text:
                data[column] = text
        try:
            entries.append(FaqEntry.model_validate(data))
        except ValidationError as error:
            for detail in error.errors():
                where = ".".join(str(part) for part in detail["loc"])
                reason = "the cell is empty, but this column is required" if detail["type"] == "missing" else detail["msg"]
                problems.append(f"row {number}: {where}: {reason}")
    if problems:
        raise SheetInvalid(problems)
    if not entries:
        raise SheetInvalid([f"{sheet}: no entries below the header row"])
    return entries


class _Dumper(yaml.SafeDumper):
    """Multi-line answers as ``|-`` blocks, as staff write them by hand."""


_Dumper.add_representer(
    str,
    lambda dumper, text: dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|" if "\n" in text else None),
)


def _to_yaml(entries: Sequence[FaqEntry], sheet: Path) -> str:
    data = {"entries": [entry.model_dump(exclude_defaults=True) for entry in entries]}
    body = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000)
    return f"# Imported from {sheet.name} by `kyoso faq import`; edit here or import again (this file is replaced whole).\n{body}"
