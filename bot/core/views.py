"""Messages built from the whole conversation: the criteria report and the draft summary card."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.content.loader import Content
from bot.content.models import ReportStep, SummaryStep
from bot.core.conditions import holds
from bot.core.documents import listed
from bot.core.draft import DocumentNote
from bot.core.messages import CardMessage, CardRow
from bot.core.options import display_value, field_is_active
from bot.core.text import render


def criteria_report(step: ReportStep, values: Mapping[str, str], facts: Mapping[str, object]) -> str:
    """One line per criterion (met, not met or unclear), what that means, then advice that applies."""
    lines = []
    all_met = True
    for item in step.items:
        answer = values.get(item.field, "")
        if answer == step.met_value:
            verdict = step.verdicts.met
        else:
            all_met = False
            verdict = step.verdicts.not_met if answer == step.not_met_value else step.verdicts.unknown
        lines.append(f"{item.label} → {verdict}")
    blocks = [step.title + "\n" + "\n".join(lines), step.all_met if all_met else step.not_all_met]
    blocks += [advice.text for advice in step.advice if holds(advice.when, values)]
    return render("\n\n".join(blocks), facts)


def next_steps(content: Content) -> str:
    """What happens after submitting: when and how staff get in touch, and whether the city's form is still needed."""
    texts, facts = content.submission, content.facts.facts
    contact = texts.contact
    if contact.time_frame:
        said = render(contact.with_time_frame, {**facts, "time_frame": contact.time_frame})
    else:
        said = render(contact.without_time_frame, facts)
    return "\n".join([said, render(texts.official_form.text or texts.official_form.unconfirmed, facts)])


def summary_card(
    step_ref: str, step: SummaryStep, content: Content, values: dict[str, str], documents: Sequence[DocumentNote] = (),
) -> CardMessage:
    """The draft's rows that apply; then the files kept with it, when there are any."""
    rows = [
        CardRow(
            label=row.label,
            value=display_value(content, step_ref, row.field, values[row.field]) if values.get(row.field) else step.empty_value,
        )
        for row in step.rows
        if field_is_active(content, step_ref, row.field, values)
    ]
    if documents and content.documents is not None:
        rows.append(CardRow(label=content.documents.summary_label, value=listed([document.name for document in documents])))
    return CardMessage(title=step.title, rows=rows)
