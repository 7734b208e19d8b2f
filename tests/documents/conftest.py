"""The servers the documents' tests send files to: LINE (the emulator, with staff mail going to a real SMTP
server, aiosmtpd) and the web chat."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from bot.app import App, build_app
from bot.server.app import create_server_app
from bot.settings import REPOSITORY_ROOT, Settings
from storage.tables import documents
from tests.helpers import serve_locally

from bot.core.messages import UserKey
from bot.emulators.line import LineEmulator
from storage.sql_store import SqlStore
from tests.handoff.conftest import Inbox, free_port
from tests.harness import SECRET, TOKEN, LineStack
from tests.proposals import make_submission


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    mail, port = Inbox(), free_port()
    controller = Controller(mail, hostname="127.0.0.1", port=port)
    controller.start()
    yield mail, port
    controller.stop()


@pytest.fixture
async def line_with_mail(database_url: str, inbox: tuple[Inbox, int]) -> AsyncIterator[LineStack]:
    emulator = LineEmulator(channel_secret=SECRET, access_token=TOKEN)
    await emulator.start()
    stack = LineStack(database_url, emulator)
    stack.settings = {
        "smtp_host": "127.0.0.1", "smtp_port": inbox[1], "smtp_starttls": False, "staff_emails": "kyodo@city.example.jp",
        "session_secret": "s3cret", "faq_embeddings": False, "document_max_mb": 1, "mail_attachments_max_mb": 0.5,
    }
    await stack.start()
    yield stack
    await stack.stop()
    await emulator.close()


async def answer_the_rest(store: SqlStore, user: UserKey) -> None:
    """Every question of the draft answered (as the proposer would, question by question), up to その他."""
    async with store.turn(user) as turn:
        turn.state.values.update(make_submission().draft.model_dump(exclude_none=True, exclude={"schema_version"}))
        turn.state.step = "draft.notes"


@pytest.fixture
async def web(database_url: str) -> AsyncIterator[WebServer]:
    """The server as `kyoso serve` builds it (web chat only), with a 1 MB document limit."""
    settings = Settings(database_url=database_url, content_dir=REPOSITORY_ROOT, faq_embeddings=False, document_max_mb=1)
    app = await build_app(settings)
    runner, url = await serve_locally(create_server_app(app))
    yield WebServer(url, app)
    await runner.cleanup()
    await app.close()


@dataclass(frozen=True)
class WebServer:
    url: str
    app: App

    async def stored(self) -> list[tuple[str, bytes]]:
        """The documents kept, oldest first (name, bytes)."""
        async with self.app.database.connect() as connection:
            rows = await connection.execute(select(documents.c.name, documents.c.data).order_by(documents.c.id))
            return [(row.name, bytes(row.data)) for row in rows]
