"""The draft proposal a proposer builds, and what is stored when it is submitted."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from bot.core.messages import UserKey

OrgType = Literal["company", "npo", "citizen_group", "school", "other"]
ProposalType = Literal["theme", "free", "minmin"]
FundingWish = Literal["yes", "no", "undecided"]


class DraftProposal(BaseModel):
    """A proposal as handed to 協働共創推進課 staff (codes, not display labels)."""

    schema_version: Literal[1] = 1
    org_name: str = Field(description="団体名")
    org_type: OrgType = Field(description="団体の種類")
    contact_name: str = Field(description="担当者名")
    email: str | None = Field(default=None, description="メールアドレス")
    phone: str | None = Field(default=None, description="電話番号")
    proposal_type: ProposalType = Field(description="提案の種類")
    theme: str | None = Field(default=None, description="テーマ（テーマ型のみ）")
    partners: str | None = Field(default=None, description="連携する民間団体（民民連携のみ）")
    title: str = Field(description="提案のタイトル")
    problem: str = Field(description="市単独では解決できない課題")
    solution: str = Field(description="提案する解決策")
    roles_org: str = Field(description="団体の役割")
    roles_city: str = Field(description="市に期待する役割")
    expected_results: str = Field(description="見込まれる具体的な成果")
    cost: str = Field(description="おおよその費用と費用対効果")
    funding_wish: FundingWish = Field(description="市民協働・共創促進事業の活用希望")
    schedule: str | None = Field(default=None, description="スケジュール")
    notes: str | None = Field(default=None, description="その他")

    @model_validator(mode="after")
    def _consistent(self) -> DraftProposal:
        if not (self.email or self.phone):
            raise ValueError("email or phone is required")
        if self.proposal_type == "theme" and not self.theme:
            raise ValueError("a theme proposal needs a theme")
        if self.proposal_type == "minmin" and not self.partners:
            raise ValueError("a 民民連携 proposal needs at least one partner organisation")
        return self


class ConsentRecord(BaseModel):
    """The personal-data notice version the user agreed to, and when."""

    notice_version: str
    agreed_at: datetime


FaqOutcome = Literal["answered", "suggested", "unanswered"]


class FaqAsked(BaseModel):
    """A question the user typed on the way (kept for the staff dossier and the unanswered list)."""

    question: str
    faq_id: str | None
    outcome: FaqOutcome = "answered"
    asked_at: datetime


class DocumentNote(BaseModel):
    """A document (企画書) kept with a draft, as the conversation, the summary and the dossier know it; the bytes stay in storage."""

    id: int
    name: str
    kind: str = Field(description="what the bytes are (bot/core/documents.py: pdf, docx, png …)")
    size: int


class Submission(BaseModel):
    """Everything stored atomically when a proposer submits."""

    user: UserKey
    draft: DraftProposal
    criteria: dict[str, str] = Field(default_factory=dict)
    consent: ConsentRecord
    faq_log: list[FaqAsked] = Field(default_factory=list)
    submitted_at: datetime
    documents: list[DocumentNote] = Field(default_factory=list)
    language: str | None = Field(default=None, description="the language the proposer used (dialogs/languages.yaml); None: 日本語")


class ConsultationLine(BaseModel):
    sender: Literal["user", "staff", "bot"]
    author: str | None = None
    text: str
    at: datetime


class ConsultationRecord(BaseModel):
    """A consultation as kept with the draft the user submitted afterwards (for the dossier)."""

    id: int
    reason: str
    question: str
    opened_at: datetime
    taken_by: str | None
    closed_at: datetime | None
    close_reason: str | None
    lines: list[ConsultationLine]


class StoredDraft(Submission):
    """A submitted draft as read back from storage, with the consultations (担当者に相談) on the way to it."""

    reference: str
    status: str
    consultations: list[ConsultationRecord] = Field(default_factory=list)


# --- what storage hands the core about a user's submitted drafts -------------------------


class SubmittedDraft(BaseModel):
    """One of the user's submitted drafts as the user may see it (the draft's own fields, no staff notes)."""

    reference: str
    status: str
    version: int
    submitted_at: datetime
    data: dict[str, str]  # DraftProposal fields, codes as stored; missing ones left out

    @property
    def title(self) -> str:
        return self.data.get("title", "")


class ReturnedDraft(BaseModel):
    """A draft of the user's that waits for their revision, as storage hands it to the core."""

    reference: str
    fields: list[str]
    message: str
    data: dict[str, str]  # the draft's fields as stored (codes), empty ones as ''
    criteria: dict[str, str]


class StaffReply(BaseModel):
    """The latest staff reply delivered to a proposer about one of their drafts."""

    id: int
    reference: str
    sent_at: datetime
