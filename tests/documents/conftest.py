"""The servers the documents' tests send files to: LINE (the emulator, with staff mail going to a real SMTP
server, aiosmtpd) and the web chat."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from bot.app import build_app
from bot.emulators.line import LineEmulator
from bot.server.app import create_server_app
from bot.settings import REPOSITORY_ROOT, Settings
from tests.documents.servers import WebServer
from tests.harness import SECRET, TOKEN, LineStack
from tests.helpers import serve_locally
from tests.mail import Inbox, smtp_server


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    with smtp_server() as running:
        yield running


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


@pytest.fixture
async def web(database_url: str) -> AsyncIterator[WebServer]:
    """The server as `kyoso serve` builds it (web chat only), with a 1 MB document limit."""
    settings = Settings(database_url=database_url, content_dir=REPOSITORY_ROOT, faq_embeddings=False, document_max_mb=1)
    app = await build_app(settings)
    runner, url = await serve_locally(create_server_app(app))
    yield WebServer(url, app)
    await runner.cleanup()
    await app.close()
