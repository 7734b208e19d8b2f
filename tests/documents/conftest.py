"""The LINE stack (emulator + `kyoso serve`'s server) with staff mail going to a real SMTP server (aiosmtpd)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from aiosmtpd.controller import Controller

from bot.core.messages import UserKey
from bot.emulators.line import LineEmulator
from storage.sql_store import SqlStore
from tests.handoff.conftest import Inbox, free_port
from tests.line.conftest import SECRET, TOKEN, LineStack
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
