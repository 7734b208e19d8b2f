"""`kill -9` at random moments during a burst, in a loop: after the last restart every event was handled once.

Two `kyoso serve` workers on PostgreSQL behind a round-robin balancer; LINE
(the emulator) redelivers whatever was not acknowledged. Each round sends
questions of new users and part of two proposers' conversations, and kills
one worker at a random moment, then starts it again. Afterwards: one turn per
event, each user's turns in the order sent, every message the bot meant to
send delivered once, and each of the two submitted drafts announced once in
the staff LINE group.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.burst import Burst, send_burst, send_until_acknowledged, user_ids
from bench.tally import settle, tally
from bench.workers import SECRET, TOKEN, Balancer, Workers, worker_environment
from bot.content.loader import Content
from bot.core import payloads
from bot.core.engine import Engine
from bot.core.messages import Inbound, UserKey
from bot.emulators.line import LineEmulator
from bot.faq.live import build_index
from storage.migrate import upgrade
from storage.sql_store import SqlStore, create_engine_for
from storage.tables import drafts, handoff_deliveries
from tests.helpers import FakeClock
from tests.proposals import play_happy_path

pytestmark = [pytest.mark.postgres, pytest.mark.parametrize("database_url", ["postgres"], indirect=True)]

ROUNDS = 3
USERS_PER_ROUND, MESSAGES = 8, 4
PROPOSERS = user_ids(2, first=0xABC0)
STAFF_GROUP = "C" + "5" * 32
SETTINGS = {
    "faq_embeddings": "false", "ingest_lease_seconds": "4", "ingest_sweep_seconds": "0.5",
    "handoff_lease_seconds": "4", "handoff_retry_seconds": "0.5", "staff_line_group_id": STAFF_GROUP,
}


@pytest.fixture
async def emulator() -> AsyncIterator[LineEmulator]:
    async with LineEmulator(channel_secret=SECRET, access_token=TOKEN) as platform:
        yield platform


async def test_kill_9_during_a_burst_loses_and_repeats_nothing(
    content: Content, database_url: str, emulator: LineEmulator, tmp_path: Path
) -> None:
    seed = random.randrange(1 << 32)
    chance = random.Random(seed)
    script = await _proposer_script(content, tmp_path)
    workers = Workers(2, worker_environment(database_url, emulator.url, **SETTINGS), tmp_path)
    balancer = Balancer(workers)
    engine = create_engine_for(database_url)
    burst = Burst()
    try:
        await workers.start_all()
        emulator.webhook_url = await balancer.start() + "/webhooks/line"
        for round_number in range(ROUNDS):
            users = user_ids(USERS_PER_ROUND, first=1 + round_number * USERS_PER_ROUND)
            await asyncio.gather(
                send_burst(emulator, users, MESSAGES, concurrency=4, burst=burst),
                *(_propose(emulator, proposer, _part(script, round_number), burst) for proposer in PROPOSERS),
                _kill_and_restart(workers, chance),
            )
        await settle(engine, timeout=60)
        await _handed_off(engine, timeout=60)
        result = await tally(engine, burst, emulator)
        references = await _references(engine)
    finally:
        await balancer.close()
        await workers.stop_all()
        await engine.dispose()

    note = f"random seed {seed}; worker logs in {tmp_path}"
    assert workers.starts == 2 + ROUNDS, note
    assert result.accepted == len(burst.questions) == ROUNDS * USERS_PER_ROUND * MESSAGES, note
    assert (result.processed, result.lost, result.duplicates, result.out_of_order, result.not_done) == (
        result.accepted, 0, 0, 0, 0), note
    assert (result.missing_messages, result.extra_messages) == (0, 0), note
    notices = [message["text"] for message in emulator.seen[STAFF_GROUP] if message["from"] == "bot"]
    assert len(references) == len(PROPOSERS), note
    assert sorted(next(ref for ref in references if ref in notice) for notice in notices) == sorted(references), note


async def _kill_and_restart(workers: Workers, chance: random.Random) -> None:
    await asyncio.sleep(chance.uniform(0.1, 1.0))
    victim = chance.choice([index for index, worker in enumerate(workers.workers) if worker.up])
    await workers.kill(victim)
    await workers.start(victim)


async def _proposer_script(content: Content, folder: Path) -> list[Inbound]:
    """What a proposer sends to submit the happy-path draft (played once against a scratch database)."""
    scratch = f"sqlite+aiosqlite:///{folder / 'script.db'}"
    await upgrade(scratch)
    store = SqlStore(create_engine_for(scratch))
    try:
        clock = FakeClock(datetime.now(UTC))
        sent, _ = await play_happy_path(Engine(content, store, build_index(content, None), clock), UserKey(channel="line", user_id="U0"))
    finally:
        await store.close()
    return sent


def _part(script: Sequence[Inbound], round_number: int) -> Sequence[Inbound]:
    size = -(-len(script) // ROUNDS)
    return script[round_number * size:(round_number + 1) * size]


async def _propose(emulator: LineEmulator, user: str, inbounds: Sequence[Inbound], burst: Burst) -> None:
    for inbound in inbounds:
        if inbound.payload == payloads.COMMAND + "resume":
            event = emulator.follow_event(user)
        elif inbound.payload is not None:
            event = emulator.postback_event(user, inbound.payload)
        else:
            event = emulator.text_event(user, inbound.text or "")
        assert await send_until_acknowledged(emulator, event, give_up_after=60, burst=burst) is not None


async def _handed_off(engine: AsyncEngine, timeout: float) -> None:
    """Wait until every draft's staff notice has been delivered."""
    query = select(handoff_deliveries.c.status)
    for _ in range(int(timeout / 0.25)):
        async with engine.connect() as connection:
            statuses = list((await connection.execute(query)).scalars())
        if len(statuses) == len(PROPOSERS) and set(statuses) == {"sent"}:
            return
        await asyncio.sleep(0.25)


async def _references(engine: AsyncEngine) -> list[str]:
    async with engine.connect() as connection:
        return list((await connection.execute(select(drafts.c.reference))).scalars())
