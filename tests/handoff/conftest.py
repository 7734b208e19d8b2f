"""Fixtures for the handoff tests: the handoff tables and a dispatcher on a moving clock."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.content.loader import Content
from bot.handoff.dispatcher import HandoffDispatcher
from bot.handoff.dossier import DossierBuilder
from bot.handoff.sinks import HandoffSink
from storage.handoff import SqlHandoff
from storage.sql_store import SqlStore, create_engine_for
from tests.handoff.policy import POLICY
from tests.helpers import FakeClock
from tests.mail import smtp_inbox  # noqa: F401 - the SMTP server fixture, for the tests here
from tests.proposals import JST


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
