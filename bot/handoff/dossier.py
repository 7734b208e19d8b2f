"""The handoff dossier: everything staff need about one submitted draft, schema-versioned.

It carries both the codes (``draft``, ``criteria``) for the city's systems and
readable rows (``fields``, ``criteria_answers``) with the labels the proposer
saw, so every rendering (mail, Markdown, HTML, PDF, console) says the same.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from bot.content.choices import choice_options
from bot.content.loader import Content
from bot.content.models import ChoiceStep, ReportStep
from bot.core.draft import ConsentRecord, ConsultationRecord, DocumentNote, DraftProposal, FaqAsked, StoredDraft
from bot.core.language_names import language_name
from bot.core.messages import UserKey
from bot.core.options import display_value, field_steps
from bot.core.transfer import CHANNELS_PASSED, channels_passed

DRAFT_SUMMARY_STEP = "draft.summary"
CRITERIA_REPORT_STEP = "criteria.report"


class LabelledValue(BaseModel):
    name: str
    label: str
    value: str


class FieldChange(BaseModel):
    """One field of a resubmitted version (差し戻し) against the version before, as labels."""

    name: str
    label: str
    old: str
    new: str


class Dossier(BaseModel):
    schema_version: Literal[2] = 2  # 2: ``user_tag`` instead of the raw ``user_id`` (a web visitor's id is a credential)
    reference: str
    status: str
    channel: str
    user_tag: str
    submitted_at: datetime
    draft: DraftProposal
    fields: list[LabelledValue]
    criteria: dict[str, str]
    criteria_answers: list[LabelledValue]
    faq_asked: list[FaqAsked]
    consultations: list[ConsultationRecord] = []
    documents: list[DocumentNote] = []  # the files (企画書) sent with the draft; staff download them in the console
    channels: list[str] = []  # where the proposer wrote the draft, in order (「別の端末で続ける」 moves it)
    language: str | None = None  # the proposer's language, by its name (English, やさしい にほんご); None: 日本語
    consent: ConsentRecord
    console_url: str | None = None
    version: int = 1  # one more per resubmission after a 差し戻し
    changes: list[FieldChange] = []  # what the resubmission changed (version 2 on)

    @property
    def title(self) -> str:
        return self.draft.title

    def field(self, name: str) -> str:
        """The readable value of a draft field ('' when empty)."""
        return next((row.value for row in self.fields if row.name == name), "")


class DossierBuilder:
    """Builds dossiers with the labels of the content (field names, option labels, criteria).

    ``content`` is fixed, or a function giving the current content (the running bot's follows edits).
    """

    def __init__(self, content: Content | Callable[[], Content], console_base_url: str | None = None) -> None:
        self._current = content if callable(content) else lambda: content
        self._console_base_url = console_base_url.rstrip("/") if console_base_url else None
        self._labelled: tuple[Content, dict[str, str]] | None = None

    @property
    def _content(self) -> Content:
        return self._current()

    @property
    def _criteria_labels(self) -> dict[str, str]:
        """Worked out once per loaded content."""
        content = self._content
        if self._labelled is None or self._labelled[0] is not content:
            self._labelled = (content, _criteria_labels(content))
        return self._labelled[1]

    def build(self, stored: StoredDraft, version: int = 1, changes: dict[str, dict[str, object]] | None = None) -> Dossier:
        return Dossier(
            version=version,
            changes=[
                FieldChange(name=name, label=self.field_label(name), old=self._shown(name, change.get("old")),
                            new=self._shown(name, change.get("new")))
                for name, change in (changes or {}).items()
            ],
            reference=stored.reference,
            status=stored.status,
            channel=stored.user.channel,
            user_tag=user_tag(stored.user),
            submitted_at=stored.submitted_at,
            draft=stored.draft,
            fields=self._fields(stored.draft),
            criteria=stored.criteria,
            criteria_answers=[
                LabelledValue(name=name, label=label, value=value)
                for name, answer in stored.criteria.items() if name != CHANNELS_PASSED
                for label, value in [self.criterion(name, answer)]
            ],
            faq_asked=stored.faq_log,
            consultations=stored.consultations,
            documents=stored.documents,
            channels=channels_passed(stored.criteria, stored.user.channel),
            language=language_name(self._content, stored.language),
            consent=stored.consent,
            console_url=f"{self._console_base_url}/staff/drafts/{stored.reference}" if self._console_base_url else None,
        )

    def label(self, name: str, value: str) -> str:
        """The label the proposer saw for a draft field's code (``theme`` -> ``テーマ型``)."""
        return display_value(self._content, DRAFT_SUMMARY_STEP, name, value)

    def _shown(self, name: str, value: object) -> str:
        return "" if value in (None, "") else self.label(name, str(value))

    def field_label(self, name: str) -> str:
        """What a draft field is called (``org_name`` -> ``団体名``)."""
        info = DraftProposal.model_fields.get(name)
        return info.description if info is not None and info.description else name

    def criterion(self, name: str, answer: str) -> tuple[str, str]:
        """A criteria-walk answer as (question label, the answer the proposer chose)."""
        return self._criteria_labels.get(name, name), display_value(self._content, CRITERIA_REPORT_STEP, name, answer)

    def criteria(self) -> list[tuple[str, str]]:
        """(name, question label) of every criterion of the criteria walk, in its order."""
        return list(self._criteria_labels.items())

    def options(self, name: str) -> list[tuple[str, str]]:
        """(code, label) of every answer a draft's choice field offers (for the console's filters)."""
        ref = field_steps(self._content, DRAFT_SUMMARY_STEP).get(name)
        step = self._content.step(ref) if ref else None
        if not isinstance(step, ChoiceStep):
            return []
        return [(option.value, option.label) for option in choice_options(step, self._content)]

    def _fields(self, draft: DraftProposal) -> list[LabelledValue]:
        rows = []
        for name in DraftProposal.model_fields:
            value = getattr(draft, name)
            if name == "schema_version" or value in (None, ""):
                continue
            rows.append(LabelledValue(name=name, label=self.field_label(name), value=self.label(name, str(value))))
        return rows


def user_tag(user: UserKey) -> str:
    """A short hash that tells users apart in dossiers and the console without showing their id."""
    return hashlib.sha256(f"{user.channel}:{user.user_id}".encode()).hexdigest()[:12]


def _criteria_labels(content: Content) -> dict[str, str]:
    """The report's label for each criterion; for other criteria-walk answers, the question asked."""
    report = content.steps.get(CRITERIA_REPORT_STEP)
    labels = {item.field: item.label for item in report.items} if isinstance(report, ReportStep) else {}
    for name, ref in field_steps(content, CRITERIA_REPORT_STEP).items():
        step = content.step(ref)
        if name not in labels and isinstance(step, ChoiceStep):
            labels[name] = step.text.strip().splitlines()[-1]
    return labels
