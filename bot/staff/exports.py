"""CSV (Excel-friendly: UTF-8 with BOM, CRLF, no formulas) and JSON exports of drafts as dossiers."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence

from bot.core.draft import DraftProposal
from bot.handoff.dossier import Dossier
from bot.handoff.render import channel_label, japanese_datetime

# A cell starting with one of these is a formula to Excel and LibreOffice (full-width forms included).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
_FIELDS = [name for name in DraftProposal.model_fields if name != "schema_version"]


def safe_cell(value: str) -> str:
    """Neutralise spreadsheet formula injection by making such a cell plain text."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def to_csv(dossiers: Sequence[Dossier]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    labels = [DraftProposal.model_fields[name].description or name for name in _FIELDS]
    writer.writerow(["受付番号", "状態", "送信日時", "受付経路", *labels])
    for dossier in dossiers:
        row = [dossier.reference, dossier.status, japanese_datetime(dossier.submitted_at),
               channel_label(dossier.channel), *(dossier.field(name) for name in _FIELDS)]
        writer.writerow([safe_cell(cell) for cell in row])
    return buffer.getvalue().encode("utf-8-sig")


def to_json(dossiers: Sequence[Dossier]) -> bytes:
    data = {"schema_version": 1, "drafts": [dossier.model_dump(mode="json") for dossier in dossiers]}
    return json.dumps(data, ensure_ascii=False, indent=2).encode()
