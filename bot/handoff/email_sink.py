"""Staff e-mail over SMTP: Japanese subject with the reference, the whole draft as text, printable attachments."""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate

from bot.core.documents import MEDIA_TYPES
from bot.core.messages import Choice
from bot.handoff.attachments import MailFiles
from bot.handoff.dossier import Dossier
from bot.handoff.notices import StaffNotice
from bot.handoff.render import DossierRenderer


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    sender: str
    recipients: Sequence[str]
    user: str | None = None
    password: str | None = None
    starttls: bool = True
    tls: ssl.SSLContext | None = None  # None: verify the server against the system's trusted CAs
    timeout: float = 30.0


class EmailSink:
    name = "email"

    def __init__(self, config: SmtpConfig, renderer: DossierRenderer) -> None:
        self._config = config
        self._renderer = renderer

    async def deliver(self, dossier: Dossier, key: str) -> None:
        message = await self.message(dossier, key)
        await asyncio.to_thread(send_message, self._config, message)

    async def notify(self, notice: StaffNotice, key: str) -> None:
        message = self._message(self._renderer.notice_subject(notice), key)
        message.set_content(self._renderer.notice(notice))
        await asyncio.to_thread(send_message, self._config, message)

    async def message(self, dossier: Dossier, key: str) -> EmailMessage:
        """The draft as text, its printable PDF and JSON, and its files as far as the mail's size limit allows."""
        files = self._renderer.files
        sent = await files.for_mail(dossier) if files is not None else MailFiles([], list(dossier.documents))
        revised = f"（第{dossier.version}版）" if dossier.version > 1 else ""
        message = self._message(f"【協働・共創の窓口】提案の下書き {dossier.reference}{revised}（{dossier.draft.org_name}）", key)
        message.set_content(self._renderer.markdown(dossier, sent.left_out))
        message.add_attachment(
            await self._renderer.pdf(dossier), maintype="application", subtype="pdf",
            filename=f"{dossier.reference}.pdf",
        )
        message.add_attachment(
            dossier.model_dump_json(indent=2).encode(), maintype="application", subtype="json",
            filename=f"{dossier.reference}.json",
        )
        for file in sent.attached:
            maintype, _, subtype = MEDIA_TYPES.get(file.note.kind, "application/octet-stream").partition("/")
            message.add_attachment(file.data, maintype=maintype, subtype=subtype, filename=file.note.name)
        return message

    def _message(self, subject: str, key: str) -> EmailMessage:
        return new_message(self._config, subject, key, self._config.recipients)


class ReceiptMessenger:
    """受付控え: mails a proposer their copy, through the replies' outbox (``user_id`` is the address).

    The message's first line is the subject, the rest its text.
    """

    channel = "email"

    def __init__(self, config: SmtpConfig) -> None:
        self._config = config

    async def send(self, user_id: str, text: str, key: str, choices: Sequence[Choice] = ()) -> None:
        subject, _, body = text.partition("\n")
        message = new_message(self._config, subject, key, [user_id])
        message.set_content(body.lstrip("\n"))
        await asyncio.to_thread(send_message, self._config, message)


def new_message(config: SmtpConfig, subject: str, key: str, recipients: Sequence[str]) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = config.sender
    message["To"] = ", ".join(recipients)
    message["Date"] = formatdate(localtime=False)
    # The same Message-ID on every attempt lets mail systems drop a repeat after a crash.
    message["Message-ID"] = f"<{key}@kyoso>"
    return message


def send_message(config: SmtpConfig, message: EmailMessage) -> None:
    with smtplib.SMTP(config.host, config.port, timeout=config.timeout) as smtp:
        if config.starttls:
            smtp.starttls(context=config.tls or ssl.create_default_context())
        if config.user:
            smtp.login(config.user, config.password or "")
        smtp.send_message(message)
