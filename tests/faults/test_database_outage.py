"""PostgreSQL away for a while: webhooks answer 503, nothing is half-written, and LINE's redelivery is handled once it is back.

The database goes while a reply is on its way to LINE, so the event cannot be marked done: once the
database is back, the event is taken up again and its reply is not shown twice.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import make_url, select

from bot.app import AppOptions
from bot.channels.line.delivery import DeliveryPolicy
from bot.emulators.line import Fault, LineEmulator
from bot.ingest.worker import INGEST_RETRY, IngestPolicy
from bot.retry import RetryPolicy
from storage.sql_store import create_engine_for
from storage.tables import inbound_events
from tests.faults.proxy import CuttableProxy
from tests.harness import SECRET, TOKEN, LineStack
from tests.helpers import wait_until

pytestmark = pytest.mark.postgres

USERS = ["U" + str(n) * 32 for n in range(1, 4)]
QUESTION = "共創とは何ですか？ {}"
ANSWER = "立場の異なる協働相手"
SHORT_LEASE = AppOptions(
    ingest=IngestPolicy(retry=replace(INGEST_RETRY, first_delay=timedelta(milliseconds=50), lease=timedelta(seconds=1)), sweep_every=0.2),
    line_delivery=DeliveryPolicy(retry=RetryPolicy(max_attempts=4, first_delay=timedelta(milliseconds=50)), request_timeout=2.0),
)


@pytest.fixture
async def proxy(database_url: str) -> AsyncIterator[CuttableProxy]:
    url = make_url(database_url)
    cuttable = CuttableProxy(url.host or "127.0.0.1", url.port or 5432)
    await cuttable.start()
    yield cuttable
    await cuttable.cut()


@pytest.fixture
async def line(database_url: str, proxy: CuttableProxy) -> AsyncIterator[LineStack]:
    emulator = LineEmulator(channel_secret=SECRET, access_token=TOKEN)
    await emulator.start()
    through_proxy = make_url(database_url).set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    stack = LineStack(through_proxy, emulator)
    await stack.start(SHORT_LEASE)
    yield stack
    await stack.stop()
    await emulator.close()


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_webhooks_answer_503_while_the_database_is_away_and_nothing_is_lost(
    line: LineStack, proxy: CuttableProxy, database_url: str
) -> None:
    for user in USERS:
        await line.emulator.follow(user)
    await line.settled()
    line.emulator.fail_next("reply", Fault(delay=1.0))  # a slow answer: the database goes while the reply is on its way
    assert await line.emulator.type(USERS[0], QUESTION.format(1)) == 200
    await wait_until(lambda: any(call.endpoint == "reply" and call.status == 0 for call in line.emulator.calls), timeout=15)

    await proxy.cut()
    during = [await line.emulator.type(user, QUESTION.format(number + 2)) for number, user in enumerate(USERS)]
    assert during == [503, 503, 503]
    assert await _stored_questions(database_url) == [QUESTION.format(1)]
    await wait_until(lambda: all(call.status for call in line.emulator.calls), timeout=15)  # the slow reply got through …
    await line.settled()  # … and marking its event done failed

    await proxy.start()
    assert await line.emulator.redeliver_unacknowledged() == 200
    assert await line.emulator.type(USERS[0], QUESTION.format(5)) == 200
    await _until_answered(line, {USERS[0]: 3, USERS[1]: 1, USERS[2]: 1})

    assert await _stored_questions(database_url) == [
        QUESTION.format(number) for number in range(1, 6)
    ]
    for user, answers in {USERS[0]: 3, USERS[1]: 1, USERS[2]: 1}.items():
        assert sum(ANSWER in text for text in line.emulator.texts(user)) == answers


async def _stored_questions(database_url: str) -> list[str]:
    """The questions of the stored events, in arrival order (read past the proxy)."""
    engine = create_engine_for(database_url)
    try:
        async with engine.connect() as connection:
            bodies = (await connection.execute(select(inbound_events.c.body).order_by(inbound_events.c.id))).scalars()
            return [text for body in bodies if (text := _text_of(body))]
    finally:
        await engine.dispose()


def _text_of(body: str) -> str | None:
    return json.loads(body).get("message", {}).get("text")


async def _until_answered(line: LineStack, answers: dict[str, int]) -> None:
    """Let the server work (the sweep picks up what the outage interrupted) until every answer arrived."""
    await wait_until(lambda: all(
        sum(ANSWER in text for text in line.emulator.texts(user)) >= count for user, count in answers.items()
    ), timeout=15)
    await line.settled()
