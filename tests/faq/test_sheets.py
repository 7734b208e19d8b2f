"""`kyoso faq import/export`: staff round-trip entries through CSV and Excel; a bad sheet writes nothing."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from openpyxl import Workbook

from bot.cli import main
from bot.content.loader import load_content
from bot.faq.sheets import COLUMNS
from bot.settings import REPOSITORY_ROOT

NEW_ENTRY = {
    "id": "office_hours",
    "question": "窓口の担当はどこですか？",
    "label": "窓口の担当課",
    "menu": "0",
    "paraphrases": "担当課はどこ\n窓口の担当",
    "keywords": "担当課|窓口",
    "answer": "「{desk_name}」は、{section}が担当しています。",
    "related": "contact",
    "commands": "human",
    "tags": "窓口",
    "source": "お問合せ",
}


@pytest.fixture
def content_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "content"
    for folder in ("dialogs", "faq"):
        shutil.copytree(REPOSITORY_ROOT / folder, root / folder)
    monkeypatch.setenv("KYOSO_CONTENT_DIR", str(root))
    return root


def _write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_import_csv_writes_a_checked_yaml_file(content_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sheet = _write_csv(tmp_path / "new.csv", [NEW_ENTRY])
    assert main(["faq", "import", str(sheet)]) == 0
    assert "wrote 1 entries to faq/imported.yaml" in capsys.readouterr().out
    entry = load_content(content_dir).faq_entry("office_hours")
    assert entry is not None
    assert entry.paraphrases == ["担当課はどこ", "窓口の担当"] and entry.keywords == ["担当課", "窓口"]
    assert entry.answer == NEW_ENTRY["answer"] and entry.menu is False and entry.commands == ["human"]


def test_export_then_import_xlsx_round_trips(content_dir: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "faq.xlsx"
    assert main(["faq", "export", str(sheet)]) == 0
    before = load_content(content_dir).faq
    for path in (content_dir / "faq").glob("*.yaml"):
        if path.name not in ("facts.yaml", "synonyms.yaml"):
            path.unlink()
    assert main(["faq", "import", str(sheet), "--to", "all.yaml"]) == 0
    assert load_content(content_dir).faq == before


def test_a_bad_sheet_names_its_rows_and_writes_nothing(content_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [NEW_ENTRY, {**NEW_ENTRY, "id": "Bad Id", "question": ""}, {**NEW_ENTRY, "id": "x2", "menu": "たぶん"}]
    sheet = _write_csv(tmp_path / "bad.csv", rows)
    assert main(["faq", "import", str(sheet)]) == 1
    errors = capsys.readouterr().err
    assert "row 3: id: String should match pattern" in errors
    assert "row 3: question: the cell is empty, but this column is required" in errors
    assert "row 4: menu: write 1 or 0, not 'たぶん'" in errors
    assert "nothing was written" in errors
    assert not (content_dir / "faq" / "imported.yaml").exists()


def test_content_problems_of_an_import_are_reported_like_kyoso_check(content_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = Workbook()
    book.active.append(COLUMNS)
    book.active.append([{**NEW_ENTRY, "related": "no_such_entry", "label": "とても長いボタンの文字はLINEでは切れてしまいます"}[c] for c in COLUMNS])
    book.save(tmp_path / "bad.xlsx")
    assert main(["faq", "import", str(tmp_path / "bad.xlsx")]) == 1
    errors = capsys.readouterr().err
    assert "faq/imported.yaml:" in errors and "no FAQ entry 'no_such_entry'" in errors and "at most 20" in errors
    assert not (content_dir / "faq" / "imported.yaml").exists()
