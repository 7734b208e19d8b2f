"""The staff side wired from settings: the console, and the handoff and reply dispatchers running while it is mounted."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import AsyncIterator, Sequence
from datetime import timedelta
from pathlib import Path

import aiohttp
from aiohttp import web

from bot.channels.web import CHANNEL as WEB_CHANNEL
from bot.content.loader import Content
from bot.core.ports import Clock
from bot.handoff.chat_sink import staff_chat_sinks
from bot.handoff.dispatcher import HandoffDispatcher
from bot.handoff.dossier import DossierBuilder
from bot.handoff.email_sink import EmailSink, SmtpConfig
from bot.handoff.notifier import AnswerNotifier, ConsultationNotifier
from bot.handoff.render import DossierRenderer
from bot.handoff.replies import ProposerMessenger, PullMessenger, ReplyDispatcher, ReplyFrame
from bot.handoff.sinks import HandoffSink
from bot.handoff.webhook_sink import WebhookSink
from bot.handoff.worker import Poller
from bot.settings import Settings
from bot.staff.app import create_staff_app
from bot.staff.desk import ConsultationDesk, Resume
from bot.staff.pull import create_reply_pull_app
from bot.staff.services import StaffServices
from bot.staff.sessions import dev_session_secret
from storage import retention
from storage.answers import SqlAnswers
from storage.consultations import SqlConsultations
from storage.handoff import SqlHandoff
from storage.queue import RetryPolicy
from storage.sql_store import SqlStore, create_engine_for
from storage.staff import SqlStaff

log = logging.getLogger(__name__)


def handoff_sinks(settings: Settings, renderer: DossierRenderer, http: aiohttp.ClientSession) -> list[HandoffSink]:
    """A sink for every channel the settings configure (none configured: drafts wait in the outbox)."""
    sinks: list[HandoffSink] = []
    if settings.smtp_host and settings.staff_email_list:
        password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
        config = SmtpConfig(
            host=settings.smtp_host, port=settings.smtp_port, sender=settings.smtp_from,
            recipients=settings.staff_email_list, user=settings.smtp_user, password=password,
            starttls=settings.smtp_starttls,
        )
        sinks.append(EmailSink(config, renderer))
    if settings.handoff_webhook_url:
        if settings.handoff_webhook_secret is None:
            raise ValueError("KYOSO_HANDOFF_WEBHOOK_URL needs KYOSO_HANDOFF_WEBHOOK_SECRET to sign the requests")
        secret = settings.handoff_webhook_secret.get_secret_value().encode()
        sinks.append(WebhookSink(settings.handoff_webhook_url, secret, http))
    return sinks


STAFF_PREFIX = "/staff"
REPLY_PULL_PREFIX = "/api/staff-replies"


def build_staff_apps(
    settings: Settings,
    content: Content,
    store: SqlStore,
    resume: Resume,
    clock: Clock,
    messengers: Sequence[ProposerMessenger] = (),
) -> dict[str, web.Application]:
    """Sub-applications by mount prefix: the console, and the web chat's pull of staff replies.

    The handoff, consultation-notice and reply dispatchers, and the timer that closes consultations
    whose user went quiet, run for as long as the console is mounted. ``messengers`` push staff replies
    over the proposers' channels (the web chat pulls them instead), and notify the staff chats
    configured for their channels. ``resume`` is the core's ``Engine.after_consultation``.
    """
    policy = RetryPolicy(
        max_attempts=settings.handoff_max_attempts,
        first_delay=timedelta(seconds=settings.handoff_retry_seconds),
        lease=timedelta(seconds=settings.handoff_lease_seconds),
    )
    database = create_engine_for(settings.database_url)
    renderer = DossierRenderer()
    secret = settings.session_secret.get_secret_value().encode() if settings.session_secret else None
    staff, handoff = SqlStaff(database, policy), SqlHandoff(database, policy)
    builder = DossierBuilder(content, settings.staff_base_url)
    reply_messengers = [PullMessenger(WEB_CHANNEL), *messengers]
    replies = ReplyDispatcher(staff.replies, reply_messengers, clock)
    reply_poller = Poller([replies.run_once])
    consultations = SqlConsultations(database, policy)
    answers = SqlAnswers(database, policy)
    desk = ConsultationDesk(
        consultations, resume, clock, timedelta(hours=settings.consultation_quiet_hours), reply_poller.wake
    )
    console = create_staff_app(StaffServices(
        staff=staff, store=store, handoff=handoff, builder=builder, clock=clock, renderer=renderer,
        session_secret=secret or dev_session_secret(Path.cwd() / "var" / "staff-session.key"),
        consultations=consultations, desk=desk, answers=answers, frame=ReplyFrame(content), wake_replies=reply_poller.wake,
        reply_channels=frozenset(messenger.channel for messenger in reply_messengers),
        purge_preview=functools.partial(retention.preview, database), retention_days=settings.retention_days,
    ))

    async def run_dispatchers(_: web.Application) -> AsyncIterator[None]:
        async with aiohttp.ClientSession() as http:
            chats = {"line": settings.staff_line_group_id, "telegram": settings.staff_telegram_chat_id}
            sinks = [*handoff_sinks(settings, renderer, http), *staff_chat_sinks(chats, messengers, renderer)]
            if not sinks:
                log.warning(
                    "no staff sink is configured (KYOSO_SMTP_HOST + KYOSO_STAFF_EMAILS, KYOSO_HANDOFF_WEBHOOK_URL, "
                    "KYOSO_STAFF_LINE_GROUP_ID, KYOSO_STAFF_TELEGRAM_CHAT_ID): drafts wait in the outbox"
                )
            dispatcher = HandoffDispatcher(handoff, store, builder, sinks, clock)
            notifier = ConsultationNotifier(
                consultations, sinks, clock, timedelta(minutes=settings.consultation_remind_minutes),
                settings.staff_base_url,
            )
            answered = AnswerNotifier(answers, sinks, clock, settings.staff_base_url)
            pollers = [
                Poller([dispatcher.run_once, notifier.run_once, answered.run_once]), reply_poller,
                Poller([desk.close_abandoned], 60),
            ]
            tasks = [asyncio.create_task(poller.run()) for poller in pollers]
            yield
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await database.dispose()

    console.cleanup_ctx.append(run_dispatchers)
    return {STAFF_PREFIX: console, REPLY_PULL_PREFIX: create_reply_pull_app(staff, consultations)}
