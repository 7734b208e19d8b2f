"""The dossier as Markdown (mail body), printable HTML and PDF, from one set of Jinja2 templates."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo

from jinja2 import BaseLoader, ChoiceLoader, Environment, PackageLoader, select_autoescape

from bot.core.draft import DocumentNote
from bot.handoff.dossier import Dossier
from bot.handoff.notices import AnswerNotice, StaffNotice

if TYPE_CHECKING:
    from bot.handoff.attachments import DossierFiles

STAFF_TIMEZONE = ZoneInfo("Asia/Tokyo")
CHANNEL_LABELS = {"line": "LINE", "telegram": "Telegram", "web": "Webチャット", "terminal": "端末"}


def japanese_datetime(value: datetime | None) -> str:
    """``2026年11月25日 10:00`` in Japan time, as staff read dates."""
    if value is None:
        return ""
    local = value.astimezone(STAFF_TIMEZONE)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def file_size(size: int) -> str:
    """``2.0 KB``, ``1.2 MB``: how large a file is, as staff read it."""
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{max(size, 1) / 1024:.1f} KB"


def channel_label(channel: str) -> str:
    return CHANNEL_LABELS.get(channel, channel)


class Spoken(Protocol):
    @property
    def sender(self) -> str: ...
    @property
    def author(self) -> str | None: ...


def speaker(line: Spoken) -> str:
    """Who said a line of a consultation (user / bot / a staff member), as staff read it."""
    return {"user": "相談者", "bot": "ボット"}.get(line.sender, f"{line.author}（職員）")


def template_environment(*extra: BaseLoader) -> Environment:
    """Autoescaping Jinja2 with our filters; ``extra`` loaders come first (the console adds its pages)."""
    environment = Environment(
        loader=ChoiceLoader([*extra, PackageLoader("bot.handoff", "templates")]),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["jdatetime"] = japanese_datetime
    environment.filters["channel"] = channel_label
    environment.filters["speaker"] = speaker
    environment.filters["filesize"] = file_size
    return environment


class DossierRenderer:
    """``files``: the drafts' files (企画書), for the staff mail and the console's download (none: not offered)."""

    def __init__(self, environment: Environment | None = None, files: DossierFiles | None = None) -> None:
        self._environment = environment or template_environment()
        self.files = files

    def markdown(self, dossier: Dossier, left_out: Sequence[DocumentNote] = ()) -> str:
        """``left_out``: files not attached to the mail (beyond its size limit), which the text says are in the console."""
        not_attached = {note.id for note in left_out}
        return self._environment.get_template("dossier.md").render(dossier=dossier, not_attached=not_attached)

    def chat_notice(self, dossier: Dossier) -> str:
        """A few lines for a staff chat (LINE group, Telegram), with the link to the console."""
        return self._environment.get_template("chat_notice.txt").render(dossier=dossier).strip()

    def notice(self, notice: StaffNotice) -> str:
        """A consultation or a proposer's answer, in a few lines (mail body and staff chats), with the console link."""
        template = "answer_notice.txt" if isinstance(notice, AnswerNotice) else "consultation_notice.txt"
        return self._environment.get_template(template).render(notice=notice).strip()

    def notice_subject(self, notice: StaffNotice) -> str:
        return self.notice(notice).splitlines()[0]

    def html(self, dossier: Dossier) -> str:
        return self._environment.get_template("dossier.html").render(dossier=dossier)

    async def pdf(self, dossier: Dossier) -> bytes:
        """A4 PDF via WeasyPrint (needs fonts-noto-cjk for the Japanese glyphs); rendered off the event loop."""
        html = self.html(dossier)
        return await asyncio.to_thread(_html_to_pdf, html)


def _html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML  # heavy import, only where a PDF is made

    pdf: bytes = HTML(string=html).write_pdf()
    return pdf
