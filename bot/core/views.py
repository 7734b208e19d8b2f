"""Messages built from the whole conversation: the criteria report and the draft summary card."""

from __future__ import annotations

from collections.abc import Mapping

from bot.content.loader import Content
from bot.content.models import ReportStep, SummaryStep
from bot.core.conditions import holds
from bot.core.messages import CardMessage, CardRow
from bot.core.options import display_value, field_is_active
from bot.core.text import render


def criteria_report(step: ReportStep, values: Mapping[str, str], facts: Mapping[str, object]) -> str:
    """Which criteria look met, which not and why, then advice that applies — never a bare verdict."""
    lines = [step.title]
    all_met = True
    for item in step.items:
        answer = values.get(item.field, "")
        if answer == step.met_value:
            verdict = item.met
        else:
            all_met = False
            verdict = item.not_met if answer == step.not_met_value else item.unknown
        lines.append(f"{item.label}\n→ {verdict}")
    lines.append(step.all_met if all_met else step.not_all_met)
    lines += [advice.text for advice in step.advice if holds(advice.when, values)]
    return render("\n\n".join(lines), facts)


def summary_card(step_ref: str, step: SummaryStep, content: Content, values: dict[str, str]) -> CardMessage:
    rows = [
        CardRow(
            label=row.label,
            value=display_value(content, step_ref, row.field, values[row.field]) if values.get(row.field) else step.empty_value,
        )
        for row in step.rows
        if field_is_active(content, step_ref, row.field, values)
    ]
    return CardMessage(title=step.title, rows=rows)
