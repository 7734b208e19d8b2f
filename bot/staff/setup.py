"""The staff side's routes and background work: the console, and the handoff and reply dispatchers running while it is mounted."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta

import aiohttp
from aiohttp import web

from bot.handoff.chat_sink import staff_chat_sinks
from bot.handoff.dispatcher import HandoffDispatcher
from bot.handoff.email_sink import EmailSink, ReceiptMessenger, SmtpConfig
from bot.handoff.notifier import AnswerNotifier, ConsultationNotifier
from bot.handoff.receipts import Receipts
from bot.handoff.render import DossierRenderer
from bot.handoff.replies import ProposerMessenger
from bot.handoff.sinks import HandoffSink
from bot.handoff.webhook_sink import WebhookSink
from bot.handoff.worker import Poller
from bot.settings import Settings
from bot.staff.app import create_staff_app
from bot.staff.services import StaffServices
from bot.staff.sessions import server_secret

log = logging.getLogger(__name__)


def handoff_sinks(settings: Settings, renderer: DossierRenderer, http: aiohttp.ClientSession) -> list[HandoffSink]:
    """A sink for every channel the settings configure (none configured: drafts wait in the outbox)."""
    sinks: list[HandoffSink] = []
    if (config := smtp_config(settings)) is not None:
        sinks.append(EmailSink(config, renderer))
    if settings.handoff_webhook_url:
        if settings.handoff_webhook_secret is None:
            raise ValueError("KYOSO_HANDOFF_WEBHOOK_URL needs KYOSO_HANDOFF_WEBHOOK_SECRET to sign the requests")
        secret = settings.handoff_webhook_secret.get_secret_value().encode()
        sinks.append(WebhookSink(settings.handoff_webhook_url, secret, http))
    return sinks


def smtp_config(settings: Settings) -> SmtpConfig | None:
    """Staff mail, when configured (the 受付控え to proposers goes out only then)."""
    if not (settings.smtp_host and settings.staff_email_list):
        return None
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    return SmtpConfig(
        host=settings.smtp_host, port=settings.smtp_port, sender=settings.smtp_from,
        recipients=settings.staff_email_list, user=settings.smtp_user, password=password,
        starttls=settings.smtp_starttls,
    )


def receipt_messengers(settings: Settings) -> list[ProposerMessenger]:
    """The mail that sends proposers their 受付控え through the replies' outbox (none without staff mail)."""
    config = smtp_config(settings)
    return [ReceiptMessenger(config)] if config is not None else []


STAFF_PREFIX = "/staff"
STOP_SECONDS = 5.0  # at a stop, the delivery under way gets this long to end before it is cut off


@dataclass(frozen=True)
class StaffWork:
    """The staff services and their background work, built by the composition root (``bot/app.py``).

    While the console is mounted, the handoff, consultation-notice and reply dispatchers run, and the
    timer that closes consultations whose user went quiet. ``messengers`` push staff replies over the
    proposers' channels (the web chat pulls them instead) and notify the staff chats of their channels.
    """

    settings: Settings
    services: StaffServices
    messengers: Sequence[ProposerMessenger]
    replies: Poller  # sends staff replies to proposers

    async def run(self, _: web.Application) -> AsyncIterator[None]:
        settings, services = self.settings, self.services
        async with aiohttp.ClientSession() as http:
            chats = {"line": settings.staff_line_group_id, "telegram": settings.staff_telegram_chat_id}
            sinks = [*handoff_sinks(settings, services.renderer, http), *staff_chat_sinks(chats, self.messengers, services.renderer)]
            if not sinks:
                log.warning(
                    "no staff sink is configured (KYOSO_SMTP_HOST + KYOSO_STAFF_EMAILS, KYOSO_HANDOFF_WEBHOOK_URL, "
                    "KYOSO_STAFF_LINE_GROUP_ID, KYOSO_STAFF_TELEGRAM_CHAT_ID): drafts wait in the outbox"
                )
            receipts = Receipts(services.content, enabled=smtp_config(settings) is not None)
            dispatcher = HandoffDispatcher(services.handoff, services.store, services.builder, sinks, services.clock, receipts)
            notifier = ConsultationNotifier(
                services.consultations, sinks, services.clock, timedelta(minutes=settings.consultation_remind_minutes),
                settings.staff_base_url,
            )
            answered = AnswerNotifier(services.answers, sinks, services.clock, settings.staff_base_url)
            pollers = [
                Poller([dispatcher.run_once, notifier.run_once, answered.run_once]), self.replies,
                Poller([services.desk.close_abandoned], 60),
            ]
            tasks = [asyncio.create_task(poller.run()) for poller in pollers]
            yield
            for poller in pollers:
                poller.stop()
            late = (await asyncio.wait(tasks, timeout=STOP_SECONDS))[1]
            for task in late:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task


def staff_apps(work: StaffWork) -> dict[str, web.Application]:
    """Sub-applications by mount prefix: the console, with the background work (the web chat's pull of staff replies
    is the web channel's: ``bot/channels/web/staff_replies.py``)."""
    services = work.services
    services = replace(services, session_secret=server_secret(services.session_secret))
    console = create_staff_app(services)
    console.cleanup_ctx.append(work.run)
    return {STAFF_PREFIX: console}
