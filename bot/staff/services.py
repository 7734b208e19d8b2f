"""What the console needs, built by the composition root (``bot/app.py``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.content.loader import Content
from bot.core.messages import UserKey
from bot.core.ports import Clock
from bot.faq.dense import E5Embedder
from bot.faq.matcher import FaqIndex
from bot.handoff.dossier import DossierBuilder
from bot.handoff.render import DossierRenderer
from bot.handoff.replies import ReplyFrame
from bot.staff.desk import ConsultationDesk
from bot.staff.edited_content import EditedContent
from storage.answers import SqlAnswers
from storage.consultations import SqlConsultations
from storage.handoff import SqlHandoff
from storage.retention import PurgePreview
from storage.sql_store import SqlStore
from storage.staff import SqlStaff
from storage.staff_accounts import SqlStaffAccounts
from storage.usage import SqlUsage


def _nothing() -> None:
    return None


def _seen_nowhere(user: UserKey, until: datetime) -> None:
    return None


@dataclass(frozen=True)
class StaffServices:
    staff: SqlStaff
    accounts: SqlStaffAccounts
    store: SqlStore
    handoff: SqlHandoff
    builder: DossierBuilder
    clock: Clock
    session_secret: bytes
    consultations: SqlConsultations
    desk: ConsultationDesk
    answers: SqlAnswers  # proposers' answers to the replies, shown on the draft page
    frame: ReplyFrame  # a reply as the proposer receives it
    reply_channels: frozenset[str]  # where a reply reaches the user (push, or the web chat's pull)
    purge_preview: Callable[[datetime], Awaitable[PurgePreview]]
    usage: SqlUsage  # the insights page's counts
    content: Callable[[], Content]  # the content now (the insights name the draft form's questions)
    faq_index: Callable[[], FaqIndex]  # the FAQ matcher now (the nearest entry of a group of questions, 回答テスト)
    embedder: E5Embedder | None  # the FAQ's embedding model (None: BM25 only)
    edited_content: EditedContent | None  # the copy of the content being edited (KYOSO_EDITED_CONTENT_DIR), for 回答テスト
    retention_days: int = 90
    renderer: DossierRenderer = field(default_factory=DossierRenderer)
    wake_replies: Callable[[], None] = _nothing  # so a reply goes out at once, not at the next poll
    seen_by_staff: Callable[[UserKey, datetime], None] = _seen_nowhere  # the console showed the user's messages up to then
    lock_after: int = 5  # failed log-ins in a row that lock a name from one address (1 minute, then doubling) …
    lock_for: timedelta = timedelta(minutes=15)  # … up to this long
