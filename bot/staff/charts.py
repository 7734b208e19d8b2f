"""Horizontal bar charts as inline SVG, drawn on the server: no script, no library, readable on a phone and on paper.

One bar per row (a week, a month, a question of the form) under its label, one segment per series,
its value written beside it. The chart is an image with a title; the table under it on the page holds the same figures
for screen readers and for copying.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

# Dark enough against white for a non-text contrast of 3:1 or more, and apart from each other.
COLOURS = ("#1f5f8b", "#b35900", "#5b3f8f", "#2e6b30")
ROW, BAR_WIDTH, VALUE_WIDTH, FONT = 42, 230, 110, 14  # a 390 px phone shows it at about its own size
WIDTH = BAR_WIDTH + VALUE_WIDTH
LABEL_MAX = WIDTH // FONT - 1  # characters of a label on one line (Japanese: one em each)


@dataclass(frozen=True)
class Bar:
    label: str
    values: tuple[float, ...]  # one per series, stacked
    note: str = ""  # written after the bar (default: the total)


def bar_chart(chart_id: str, title: str, bars: Sequence[Bar], series: Sequence[str]) -> Markup:
    """``series``: the names of the segments (a legend is drawn when there are several)."""
    legend = len(series) > 1
    top = ROW if legend else 0
    height = top + ROW * max(len(bars), 1) + 4
    largest = max((sum(bar.values) for bar in bars), default=0) or 1
    parts = [
        f'<svg class="chart" id="{chart_id}" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'role="img" aria-labelledby="{chart_id}-title" preserveAspectRatio="xMinYMin meet">',
        f'<title id="{chart_id}-title">{escape(title)}（数値は下の表にもあります）</title>',
    ]
    if legend:
        x = 0.0
        for index, name in enumerate(series):
            parts.append(f'<rect x="{x}" y="6" width="14" height="14" fill="{COLOURS[index % len(COLOURS)]}"/>')
            parts.append(f'<text x="{x + 18}" y="18" font-size="{FONT}">{escape(name)}</text>')
            x += 18 + FONT * len(name) + 16
    for row, bar in enumerate(bars):
        y = top + row * ROW
        label = bar.label if len(bar.label) <= LABEL_MAX else bar.label[: LABEL_MAX - 1] + "…"
        parts.append(f'<text x="0" y="{y + 16}" font-size="{FONT}">{escape(label)}</text>')
        x = 0.0
        for index, value in enumerate(bar.values):
            width = BAR_WIDTH * value / largest
            if width > 0:
                colour = COLOURS[index % len(COLOURS)]
                parts.append(f'<rect x="{x:.1f}" y="{y + 22}" width="{width:.1f}" height="16" fill="{colour}"/>')
            x += width
        note = bar.note or _number(sum(bar.values))
        parts.append(f'<text x="{x + 6:.1f}" y="{y + 36}" font-size="{FONT}">{escape(note)}</text>')
    if not bars:
        parts.append(f'<text x="0" y="18" font-size="{FONT}">データがありません</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _number(value: float) -> str:
    return f"{value:g}"
