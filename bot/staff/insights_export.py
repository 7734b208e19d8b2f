"""The insights page's figures as CSV (Excel-friendly: UTF-8 with BOM, CRLF), one figure a row.

Columns: 期間の開始, 期間, 経路, 指標, 値. The whole span comes first (期間: 全期間), then each week or
month; every channel shown on the page, then all of them together. The questions of the draft form
(how many reached each) and the FAQ entries (answers, 役に立ちましたか？) are counted over the whole span.
"""

from __future__ import annotations

import csv
import io
from datetime import date

from bot.staff.exports import safe_cell
from bot.staff.insights import ALL, CONSULT, FAQ, RATES, USE, Figures, channel_name

HEADER = ["期間の開始", "期間", "経路", "指標", "値"]
WHOLE_SPAN = "全期間"


def to_csv(figures: Figures) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    columns = [*figures.channels, ALL]
    spans: list[tuple[date | None, str, str]] = [(None, figures.query.since.isoformat(), WHOLE_SPAN)]
    spans += [(period.start, period.start.isoformat(), period.label) for period in figures.periods]
    for start, iso, label in spans:
        for channel in columns:
            rows = [(name, _number(figures.get(metric, start, channel))) for metric, name in USE + FAQ]
            rows += [(f"{name}（%）", _number(figures.rate(metric, start, channel))) for metric, name in RATES]
            rows += [(name, _number(figures.get(metric, start, channel))) for metric, name in CONSULT[:2]]
            median = figures.get("minutes_to_take", start, channel) if figures.has_median(start, channel) else None
            rows.append((CONSULT[2][1], _number(median)))
            for name, value in rows:
                writer.writerow([safe_cell(cell) for cell in (iso, label, channel_name(channel), name, value)])
    for channel in columns:
        for step in figures.steps:
            name = f"下書きの質問に進んだ会話: {step.label}"
            writer.writerow([safe_cell(cell) for cell in (
                figures.query.since.isoformat(), WHOLE_SPAN, channel_name(channel), name,
                str(figures.reached.get((step.ref, channel), 0)),
            )])
    for entry_id, counted in figures.entries.items():
        label = figures.entry_labels.get(entry_id, entry_id)
        for key, name in (("answered", "文章の質問にそのまま回答"), ("yes", "役に立った（はい）"), ("no", "役に立たなかった（いいえ）")):
            writer.writerow([safe_cell(cell) for cell in (
                figures.query.since.isoformat(), WHOLE_SPAN, channel_name(figures.query.channel),
                f"FAQ {label}（{entry_id}）: {name}", str(counted[key]),
            )])
    return buffer.getvalue().encode("utf-8-sig")


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"
