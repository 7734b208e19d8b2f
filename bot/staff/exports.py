"""CSV (Excel-friendly: UTF-8 with BOM, CRLF, no formulas) and JSON exports of drafts as dossiers.

The CSV has one row per draft: the draft's fields, then one column per criterion of the criteria walk
(the proposer's answer), then the status history and the staff notes (one line each, in one cell).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence

from bot.core.draft import DraftProposal
from bot.handoff.dossier import Dossier
from bot.handoff.render import channel_label, japanese_datetime
from storage.staff import DraftActivity

# A cell starting with one of these is a formula to Excel and LibreOffice (full-width forms included).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
_FIELDS = [name for name in DraftProposal.model_fields if name != "schema_version"]


def safe_cell(value: str) -> str:
    """Neutralise spreadsheet formula injection by making such a cell plain text."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def to_csv(
    dossiers: Sequence[Dossier], criteria: Sequence[tuple[str, str]], activities: Mapping[str, DraftActivity]
) -> bytes:
    """``criteria``: (name, label) of every criterion; ``activities``: each draft's notes and audit, by reference."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    labels = [DraftProposal.model_fields[name].description or name for name in _FIELDS]
    writer.writerow(["受付番号", "状態", "送信日時", "受付経路", *labels,
                     *(f"条件: {label}" for _, label in criteria), "状態の履歴", "職員メモ"])
    for dossier in dossiers:
        answers = {row.name: row.value for row in dossier.criteria_answers}
        activity = activities.get(dossier.reference, DraftActivity())
        row = [dossier.reference, dossier.status, japanese_datetime(dossier.submitted_at),
               channel_label(dossier.channel), *(dossier.field(name) for name in _FIELDS),
               *(answers.get(name, "") for name, _ in criteria), _status_history(activity), _notes(activity)]
        writer.writerow([safe_cell(cell) for cell in row])
    return buffer.getvalue().encode("utf-8-sig")


def _status_history(activity: DraftActivity) -> str:
    """Oldest first: 「2026年11月25日 14:00 受付 → 確認中（sato）: 内容を確認します」."""
    changes = [entry for entry in reversed(activity.audit) if entry.action == "status"]
    return "\n".join(
        f"{japanese_datetime(entry.at)} {entry.detail.get('from')} → {entry.detail.get('to')}（{entry.staff}）"
        + (f": {entry.detail['note']}" if entry.detail.get("note") else "")
        for entry in changes
    )


def _notes(activity: DraftActivity) -> str:
    return "\n".join(f"{japanese_datetime(note.created_at)} {note.author}: {note.text}" for note in activity.notes)


def to_json(dossiers: Sequence[Dossier]) -> bytes:
    data = {"schema_version": 2, "drafts": [dossier.model_dump(mode="json") for dossier in dossiers]}
    return json.dumps(data, ensure_ascii=False, indent=2).encode()
