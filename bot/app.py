"""The composition root: the one place that builds and wires every object.

One database engine (one connection pool) serves the conversation store, the
ingest, the staff side and the health check; one clock; one live content
(dialogs and FAQ, reloaded on edit) that everything showing content reads at
the moment it shows it. ``bot/server`` only adds the routes and the lifetimes.
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.channels.line import CHANNEL as LINE
from bot.channels.line.delivery import DeliveryPolicy
from bot.channels.line.liff import LiffIdentity
from bot.channels.line.setup import LineChannel, LineConfig
from bot.channels.telegram import CHANNEL as TELEGRAM
from bot.channels.web import CHANNEL as WEB
from bot.clock import SystemClock
from bot.content.loader import Content, load_content
from bot.core.engine import Engine
from bot.core.messages import CardMessage, Outbound, UserKey
from bot.core.ports import Clock
from bot.core.reminders import Reminders
from bot.core.throttle import TurnLimit
from bot.core.transfer import TransferLimits, Transfers
from bot.faq.dense import E5Embedder
from bot.faq.live import LiveContent, build_index, load_embedder
from bot.forms.liff_pages import LiffForm
from bot.forms.links import FormLinks
from bot.forms.pages import FormPages, Push
from bot.handoff.attachments import DossierFiles
from bot.handoff.dossier import DossierBuilder
from bot.handoff.render import DossierRenderer
from bot.handoff.replies import ProposerMessenger, PullMessenger, ReplyDispatcher, ReplyFrame
from bot.handoff.worker import Poller
from bot.ingest.batching import GroupCommit
from bot.ingest.events import NewEvent
from bot.ingest.turns import DurableChannel, DurableTurns
from bot.ingest.worker import INGEST_RETRY, Ingest, IngestPolicy
from bot.reminding import build_reminders
from bot.settings import Settings
from bot.staff.desk import ConsultationDesk
from bot.staff.edited_content import EditedContent
from bot.staff.services import StaffServices
from bot.staff.sessions import dev_session_secret
from bot.staff.setup import StaffWork, receipt_messengers
from storage import retention
from storage.answers import SqlAnswers
from storage.consultations import SqlConsultations
from storage.documents import SqlDocuments
from storage.events import SqlEventLog
from storage.handoff import SqlHandoff
from storage.migrate import upgrade
from storage.queue import OUTBOX_RETRY
from storage.reminders import SqlIdleDrafts
from storage.sql_store import SqlStore, create_engine_for
from storage.staff import SqlStaff
from storage.staff_accounts import SqlStaffAccounts
from storage.transfer import SqlTransfers
from storage.usage import SqlUsage
from storage.web_history import SqlWebHistory

if TYPE_CHECKING:
    from bot.channels.telegram.setup import TelegramChannel

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AppOptions:
    """What tests and the benchmark shorten or switch; production takes the settings (``ingest`` None)."""

    ingest: IngestPolicy | None = None
    line_delivery: DeliveryPolicy = field(default_factory=DeliveryPolicy)
    telegram_polling: bool = False
    content_check_seconds: float = 3.0  # how often the content files are looked at for edits


@dataclass
class App:
    settings: Settings
    clock: Clock
    database: AsyncEngine
    live: LiveContent
    store: SqlStore
    events: SqlEventLog
    web_history: SqlWebHistory
    engine: Engine
    ingest: Ingest
    accept: GroupCommit[NewEvent]  # webhooks store their events through this: one commit per burst
    line: LineChannel | None
    telegram: TelegramChannel | None
    staff: StaffWork
    forms: FormPages | None = None  # 「フォームでまとめて入力」 (served when the content has a form)
    reminders: Reminders | None = None  # about unsent drafts, pushed on LINE and Telegram

    @property
    def content(self) -> Content:
        """The content as it is now (edits are picked up within seconds)."""
        return self.live.current()

    async def close(self) -> None:
        await self.database.dispose()


async def build_app(settings: Settings, options: AppOptions = AppOptions(), clock: Clock | None = None) -> App:
    """Load and check the content, bring the database schema up to date, and wire everything."""
    content = load_content(settings.content_dir)
    await upgrade(settings.database_url)
    clock = clock or SystemClock(ZoneInfo(settings.timezone))
    database = create_engine_for(settings.database_url)
    store, events = SqlStore(database), SqlEventLog(database)
    embedder = load_embedder(settings.cache_dir) if settings.faq_embeddings else None
    live = LiveContent(content, lambda loaded: build_index(loaded, embedder), check_every=options.content_check_seconds)
    limit = TurnLimit(turns=settings.user_messages_per_minute)
    # Staff answer consultations on these channels (push, or the web chat's pull); the terminal has neither.
    form_key = settings.session_secret.get_secret_value().encode() if settings.session_secret else None
    liff = LiffIdentity(settings.line_liff_id, settings.line_api_base_url) if settings.line_liff_id else None
    links = FormLinks(
        form_key or dev_session_secret(Path.cwd() / "var" / "staff-session.key"), settings.staff_base_url,
        timedelta(minutes=settings.form_link_minutes), {LINE: liff.app_url} if liff else None,
    )
    engine = Engine(
        live.current, store, live, clock, reply_channels={LINE, TELEGRAM, WEB}, limit=limit,
        reply_window=timedelta(hours=settings.proposer_reply_hours), form_links=links, documents=settings.documents,
        transfers=_transfers(settings, database),
    )

    def one_to_one() -> str:
        return live.current().common.messages.one_to_one

    line = telegram = None
    if settings.line_channel_secret is not None and settings.line_channel_access_token is not None:
        line = LineChannel(
            LineConfig(
                secret=settings.line_channel_secret.get_secret_value(),
                access_token=settings.line_channel_access_token.get_secret_value(),
                api_base_url=settings.line_api_base_url, delivery=options.line_delivery,
                max_age=timedelta(hours=settings.event_max_age_hours), max_document_bytes=settings.documents.max_bytes,
            ),
            events, clock, lambda: live.current().common.messages,
        )
    if settings.telegram_bot_token is not None:
        from bot.channels.telegram.setup import TelegramChannel, TelegramConfig  # python-telegram-bot: 15 MB, when used

        secret = settings.telegram_webhook_secret
        telegram = TelegramChannel(
            TelegramConfig(
                token=settings.telegram_bot_token.get_secret_value(), api_base_url=settings.telegram_api_base_url,
                webhook_secret=secret.get_secret_value() if secret else None, commands=settings.telegram_commands,
                poll_timeout=settings.telegram_poll_timeout, polling=options.telegram_polling,
                max_document_bytes=settings.documents.max_bytes,
            ),
            clock, one_to_one,
        )
    channels: dict[str, DurableChannel] = {name: channel for name, channel in ((LINE, line), (TELEGRAM, telegram)) if channel}
    policy = options.ingest or IngestPolicy(
        retry=replace(INGEST_RETRY, lease=timedelta(seconds=settings.ingest_lease_seconds)),
        sweep_every=settings.ingest_sweep_seconds,
        concurrency=settings.ingest_concurrency,
    )
    ingest = Ingest(events, DurableTurns(channels, engine.handle_event), clock, policy)
    accept = GroupCommit[NewEvent](lambda batch: events.add(batch, clock.now()))
    messengers = [channel for channel in (line, telegram) if channel is not None]
    staff = _staff_work(settings, database, live, store, engine, clock, messengers, embedder)
    entrances = (LiffForm(liff, links, live.current, clock),) if liff else ()
    forms = FormPages(links, live.current, store, engine, clock, _push_to(messengers), entrances)
    reminders = build_reminders(settings, live.current, store, SqlIdleDrafts(database), events, clock, line, telegram)
    return App(
        settings, clock, database, live, store, events, SqlWebHistory(database), engine, ingest, accept, line, telegram, staff,
        forms, reminders,
    )


def _transfers(settings: Settings, database: AsyncEngine) -> Transfers:
    limits = TransferLimits(
        lifetime=timedelta(minutes=settings.transfer_code_minutes), wrong_per_user=settings.transfer_wrong_per_user,
        wrong_overall=settings.transfer_wrong_overall,
    )
    return Transfers(SqlTransfers(database), limits)


def _push_to(messengers: Sequence[ProposerMessenger]) -> Push:
    """What comes next after the form was saved, to the user's chat (the web chat shows it at its next turn)."""
    by_channel = {messenger.channel: messenger for messenger in messengers}

    async def push(user: UserKey, replies: list[Outbound]) -> None:
        messenger, key = by_channel.get(user.channel), uuid.uuid4().hex
        if messenger is None:
            return
        try:
            for index, reply in enumerate(replies):
                text = reply.as_text() if isinstance(reply, CardMessage) else reply.text
                await messenger.send(user.user_id, text, f"form-{key}-{index}", reply.choices)
        except Exception as error:  # noqa: BLE001 - the answers are saved; the chat shows the rest at its next turn
            log.warning("the next question after the form did not reach %s: %s", user, type(error).__name__)

    return push


def _staff_work(
    settings: Settings, database: AsyncEngine, live: LiveContent, store: SqlStore, engine: Engine, clock: Clock,
    messengers: Sequence[ProposerMessenger], embedder: E5Embedder | None,
) -> StaffWork:
    policy = replace(
        OUTBOX_RETRY, max_attempts=settings.handoff_max_attempts,
        first_delay=timedelta(seconds=settings.handoff_retry_seconds),
        lease=timedelta(seconds=settings.handoff_lease_seconds),
    )
    staff = SqlStaff(database, policy)
    consultations = SqlConsultations(database, policy)
    answers = SqlAnswers(database, policy)
    reply_messengers = [PullMessenger(WEB), *messengers]
    replies = Poller([ReplyDispatcher(staff.replies, [*reply_messengers, *receipt_messengers(settings)], clock).run_once])
    quiet_for = timedelta(hours=settings.consultation_quiet_hours)
    secret = settings.session_secret.get_secret_value().encode() if settings.session_secret else None
    services = StaffServices(
        staff=staff, accounts=SqlStaffAccounts(database), store=store, handoff=SqlHandoff(database, policy),
        builder=DossierBuilder(live.current, settings.staff_base_url), clock=clock,
        renderer=DossierRenderer(files=DossierFiles(SqlDocuments(database), int(settings.mail_attachments_max_mb * 1024 * 1024))),
        session_secret=secret or b"",  # unset: the development secret, made when the console is mounted
        consultations=consultations, answers=answers, frame=ReplyFrame(live.current),
        desk=ConsultationDesk(consultations, engine.after_consultation, clock, quiet_for, replies.wake),
        wake_replies=replies.wake, reply_channels=frozenset(messenger.channel for messenger in reply_messengers),
        purge_preview=functools.partial(retention.preview, database), retention_days=settings.retention_days,
        usage=SqlUsage(database), content=live.current, faq_index=lambda: live.index, embedder=embedder,
        edited_content=EditedContent(settings.edited_content_dir, embedder) if settings.edited_content_dir else None,
        seen_by_staff=_seen_by_staff(messengers),
    )
    return StaffWork(settings, services, messengers, replies)


def _seen_by_staff(messengers: Sequence[ProposerMessenger]) -> Callable[[UserKey, datetime], None]:
    """LINE marks what staff read in the console as read (既読); the other channels have no such mark."""
    line = next((messenger for messenger in messengers if isinstance(messenger, LineChannel)), None)

    def seen(user: UserKey, until: datetime) -> None:
        if line is not None and user.channel == LINE:
            line.signs.seen_by_staff(user.user_id, until)

    return seen
