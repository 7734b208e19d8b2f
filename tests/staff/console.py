"""A staff console mounted at /staff in a small aiohttp app, on the test database, with a logged-out client; the core
and the staff services wired as the server wires them. ``console`` and ``line`` are fixtures: tests/staff/conftest.py
hands them to the tests there, other folders import them by name."""

from __future__ import annotations

import functools
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.channels.line import CHANNEL as LINE
from bot.content.loader import Content
from bot.core.engine import Engine
from bot.emulators.line import LineEmulator
from bot.faq.live import build_index
from bot.handoff.dossier import DossierBuilder
from bot.handoff.replies import ReplyFrame
from bot.staff.app import create_staff_app
from bot.staff.desk import ConsultationDesk
from bot.staff.services import StaffServices
from storage import retention
from storage.answers import SqlAnswers
from storage.consultations import SqlConsultations
from storage.handoff import SqlHandoff
from storage.queue import OUTBOX_RETRY
from storage.sql_store import SqlStore, create_engine_for
from storage.staff import SqlStaff
from storage.staff_accounts import SqlStaffAccounts
from storage.usage import SqlUsage
from tests.harness import PASSWORD, PASSWORD_HASH, line_emulator
from tests.helpers import FakeClock
from tests.proposals import JST


@dataclass
class Console:
    services: StaffServices
    client: TestClient
    clock: FakeClock

    async def csrf(self, path: str = "/staff/login") -> str:
        """The CSRF token of the current session, as a form on ``path`` carries it."""
        page = await (await self.client.get(path)).text()
        found = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert found, f"no CSRF field on {path}"
        return found.group(1)

    async def post(self, path: str, data: dict[str, str], from_page: str | None = None) -> web.Response:
        token = await self.csrf(from_page or path)
        return await self.client.post(path, data={**data, "csrf_token": token}, allow_redirects=False)

    async def login(self, name: str = "sato", password: str = PASSWORD) -> web.Response:
        return await self.post("/staff/login", {"name": name, "password": password}, "/staff/login")


def mount(services: StaffServices) -> web.Application:
    """What the real server does: the console as a sub-application under /staff."""
    root = web.Application()
    root.add_subapp("/staff", create_staff_app(services))
    return root


QUIET_FOR = timedelta(hours=72)


def make_engine(content: Content, store: SqlStore, clock: FakeClock) -> Engine:
    """The core as the server wires it (staff can reply on LINE), with BM25 alone for speed."""
    return Engine(content, store, build_index(content, None), clock, reply_channels={LINE})


async def make_services(store: SqlStore, database_url: str, content: Content, clock: FakeClock):  # type: ignore[no-untyped-def]
    engine = create_engine_for(database_url)
    policy = replace(OUTBOX_RETRY, first_delay=timedelta(seconds=1))
    consultations = SqlConsultations(engine, policy)
    resume = make_engine(content, store, clock).after_consultation
    index = build_index(content, None)
    services = StaffServices(
        staff=SqlStaff(engine, policy), accounts=SqlStaffAccounts(engine), store=store, handoff=SqlHandoff(engine, policy),
        builder=DossierBuilder(content, "http://127.0.0.1"), clock=clock, session_secret=b"test-secret",
        consultations=consultations, desk=ConsultationDesk(consultations, resume, clock, QUIET_FOR, lambda: None),
        reply_channels=frozenset({LINE}), answers=SqlAnswers(engine, policy), frame=ReplyFrame(content),
        purge_preview=functools.partial(retention.preview, engine), usage=SqlUsage(engine), content=lambda: content,
        faq_index=lambda: index, embedder=None, edited_content=None,
    )
    return services, engine


@pytest.fixture
async def console(store: SqlStore, database_url: str, content: Content) -> AsyncIterator[Console]:
    clock = FakeClock(datetime(2026, 11, 25, 14, 0, tzinfo=JST))
    services, engine = await make_services(store, database_url, content, clock)
    await services.accounts.add_user("sato", PASSWORD_HASH, clock.now())
    await services.accounts.set_password("sato", PASSWORD_HASH, temporary=False, now=clock.now())
    async with TestClient(TestServer(mount(services))) as client:
        yield Console(services, client, clock)
    await engine.dispose()


@pytest.fixture
async def line() -> AsyncIterator[LineEmulator]:
    """The LINE platform, for the tests on the whole server (tests/staff/serving.py)."""
    async with line_emulator() as emulator:
        yield emulator
