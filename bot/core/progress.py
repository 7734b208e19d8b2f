"""Where a proposer is in a long form (質問 3/12), and the answers a form reuses instead of asking again."""

from __future__ import annotations

from collections.abc import Sequence

from bot.content.loader import Content
from bot.content.models import SummaryStep
from bot.core.conditions import holds
from bot.core.options import display_value
from bot.core.text import render

MAX_REUSED_SHOWN = 100  # characters of each reused answer shown; the summary shows it whole


def progress_line(content: Content, ref: str, values: dict[str, str]) -> str | None:
    """The dialog's ``progress`` text for the question at ``ref``, counting only the questions that apply."""
    dialog_id, _, step_id = ref.partition(".")
    dialog = content.dialogs.get(dialog_id)
    if dialog is None or dialog.progress is None:
        return None
    asked = [
        step.id for step in dialog.steps
        if getattr(step, "field", None) and (step.when is None or holds(step.when, values))
    ]
    if step_id not in asked:
        return None
    return render(dialog.progress, {"number": asked.index(step_id) + 1, "total": len(asked)})


def field_label(content: Content, near: str, field: str) -> str:
    """What the draft summary of ``near``'s dialog calls a field (課題, 見込まれる成果); the field name otherwise."""
    dialog = content.dialogs.get(near.partition(".")[0])
    for step in dialog.steps if dialog else []:
        if isinstance(step, SummaryStep):
            for row in step.rows:
                if row.field == field:
                    return row.label
    return field


def reused_answers(content: Content, near: str, fields: Sequence[str], values: dict[str, str]) -> str:
    """The message naming each answer a form takes over without asking (e.g. from the criteria walk)."""
    lines = []
    for field in fields:
        shown = display_value(content, near, field, values[field])
        if len(shown) > MAX_REUSED_SHOWN:
            shown = shown[:MAX_REUSED_SHOWN] + "…"
        lines.append(f"・{field_label(content, near, field)}: {shown}")
    return render(content.common.messages.reused_answers, {**content.facts.facts, "answers": "\n".join(lines)})
