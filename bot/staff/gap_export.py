"""A group of unanswered questions as a sheet `kyoso faq import` reads (bot/faq/sheets.py's columns).

- a new entry: one row, the most asked question as its question, the others as paraphrases, and the
  answer and source marked 要記入 for staff to write from the public page before importing;
- extra example questions: every entry of the file that holds the chosen entry, that entry with the
  group's questions added to its paraphrases; imported with ``--to`` that file, it replaces it whole.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from bot.content.loader import Content
from bot.content.models import FaqEntry
from bot.faq.sheets import export_entries
from bot.staff.gaps import Group

TO_FILL = "要記入"
LABEL_MAX = 20


def new_entry(group: Group, entry_id: str) -> FaqEntry:
    leader = group.leader
    return FaqEntry(
        id=entry_id, question=leader, label=leader if len(leader) <= LABEL_MAX else leader[: LABEL_MAX - 1] + "…",
        paraphrases=[asked.question for asked in group.questions[1:]],
        answer=f"{TO_FILL}: 公開ページの内容から、この質問への回答を書いてください。", source=TO_FILL,
    )


def entry_id_for(group: Group, content: Content) -> str:
    """A free id such as ``new_question_3`` (staff may rename it before importing)."""
    taken = {entry.id for entry in content.faq}
    number = 1
    while f"new_question_{number}" in taken:
        number += 1
    return f"new_question_{number}"


def with_examples(content: Content, entry_id: str, group: Group) -> tuple[str, list[FaqEntry]]:
    """The file holding ``entry_id`` (its name in faq/) and its entries, that one with the group's questions added."""
    source = content.faq_sources[entry_id]
    file_name = Path(source.file).name
    entries = [entry for entry in content.faq if Path(content.faq_sources[entry.id].file).name == file_name]
    added = []
    for entry in entries:
        if entry.id == entry_id:
            known = {entry.question, *entry.paraphrases}
            extra = [asked.question for asked in group.questions if asked.question not in known]
            entry = entry.model_copy(update={"paraphrases": [*entry.paraphrases, *extra]})
        added.append(entry)
    return file_name, added


def as_csv(entries: list[FaqEntry]) -> bytes:
    with tempfile.TemporaryDirectory() as scratch:
        sheet = Path(scratch) / "entries.csv"
        export_entries(entries, sheet)
        return sheet.read_bytes()


