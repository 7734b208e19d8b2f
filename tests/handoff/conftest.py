"""Fixtures for the handoff tests: the handoff tables and a dispatcher on a moving clock."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from aiosmtpd.controller import Controller

from bot.content.loader import Content
from bot.handoff.dispatcher import HandoffDispatcher
from bot.handoff.dossier import DossierBuilder
from bot.handoff.sinks import HandoffSink
from storage.handoff import SqlHandoff
from storage.queue import RetryPolicy
from storage.sql_store import SqlStore, create_engine_for
from tests.helpers import FakeClock
from tests.proposals import JST

POLICY = RetryPolicy(max_attempts=5, first_delay=timedelta(seconds=10), max_delay=timedelta(minutes=5),
                     lease=timedelta(minutes=1))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 25, 10, 30, tzinfo=JST))


@pytest.fixture
async def handoff(store: SqlStore, database_url: str):  # type: ignore[no-untyped-def]
    engine = create_engine_for(database_url)
    yield SqlHandoff(engine, POLICY)
    await engine.dispose()


@pytest.fixture
def make_dispatcher(handoff: SqlHandoff, store: SqlStore, content: Content, clock: FakeClock):  # type: ignore[no-untyped-def]
    def make(*sinks: HandoffSink, on: SqlHandoff | None = None) -> HandoffDispatcher:
        builder = DossierBuilder(content, "https://kyoso.example.jp")
        return HandoffDispatcher(on or handoff, store, builder, sinks, clock)

    return make


class Inbox:
    """aiosmtpd handler keeping every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.recipients: list[list[str]] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # type: ignore[no-untyped-def]
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_inbox() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()
