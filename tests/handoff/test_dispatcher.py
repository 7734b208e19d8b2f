"""The handoff outbox: written with the submission, delivered once per sink, retried, and never lost."""

from __future__ import annotations

import asyncio
import signal
import sys
import textwrap
from collections import Counter

import pytest

from bot.handoff.dossier import Dossier
from storage.handoff import SqlHandoff
from storage.sql_store import SqlStore, create_engine_for
from tests.handoff.policy import POLICY
from tests.helpers import FakeClock
from tests.proposals import make_submission, submit


class RecordingSink:
    """A sink that fails its first ``failures`` attempts, then records what it received."""

    def __init__(self, name: str, failures: int = 0) -> None:
        self.name = name
        self.failures = failures
        self.attempts = 0
        self.received: list[tuple[str, str]] = []

    async def deliver(self, dossier: Dossier, key: str) -> None:
        self.attempts += 1
        if self.attempts <= self.failures:
            raise ConnectionError(f"{self.name} is down")
        self.received.append((dossier.reference, key))


async def run_until_quiet(dispatcher, clock: FakeClock, rounds: int = 10) -> None:  # type: ignore[no-untyped-def]
    """Run the dispatcher, moving the clock past each backoff delay in between."""
    for _ in range(rounds):
        await dispatcher.run_once()
        clock.advance(POLICY.max_delay.total_seconds() / 3600)


async def test_a_submission_is_delivered_to_every_sink(store: SqlStore, handoff: SqlHandoff, make_dispatcher) -> None:  # type: ignore[no-untyped-def]
    email, webhook = RecordingSink("email"), RecordingSink("webhook")
    reference = await submit(store, make_submission())

    assert await make_dispatcher(email, webhook).run_once() == 2

    assert [r for r, _ in email.received] == [reference] and [r for r, _ in webhook.received] == [reference]
    assert email.received[0][1] != webhook.received[0][1], "each (draft, sink) has its own idempotency key"
    statuses = {status.sink: status for status in await handoff.statuses(reference)}
    assert {sink: (s.status, s.attempts) for sink, s in statuses.items()} == {
        "email": ("sent", 1), "webhook": ("sent", 1)
    }


async def test_a_rolled_back_submission_leaves_nothing_to_deliver(store: SqlStore, make_dispatcher) -> None:  # type: ignore[no-untyped-def]
    sink = RecordingSink("email")
    with pytest.raises(RuntimeError):
        async with store.turn(make_submission().user) as turn:
            await turn.submit(make_submission())
            raise RuntimeError("the turn failed after submitting")

    assert await make_dispatcher(sink).run_once() == 0
    assert sink.received == []


async def test_a_sink_failing_three_times_then_succeeding_delivers_once(  # type: ignore[no-untyped-def]
    store: SqlStore, handoff: SqlHandoff, make_dispatcher, clock: FakeClock
) -> None:
    flaky = RecordingSink("webhook", failures=3)
    reference = await submit(store, make_submission())
    dispatcher = make_dispatcher(flaky)

    await dispatcher.run_once()
    [status] = await handoff.statuses(reference)
    assert (status.status, status.attempts, status.last_error) == ("pending", 1, "ConnectionError: webhook is down")
    assert status.next_attempt_at == clock.now() + POLICY.first_delay
    assert await dispatcher.run_once() == 0, "nothing is retried before its backoff delay"

    await run_until_quiet(dispatcher, clock)

    assert flaky.attempts == 4
    assert [r for r, _ in flaky.received] == [reference]
    [status] = await handoff.statuses(reference)
    assert (status.status, status.attempts, status.last_error) == ("sent", 4, None)


async def test_a_sink_that_never_recovers_is_marked_failed_and_can_be_retried(  # type: ignore[no-untyped-def]
    store: SqlStore, handoff: SqlHandoff, make_dispatcher, clock: FakeClock
) -> None:
    down, fine = RecordingSink("webhook", failures=100), RecordingSink("email")
    reference = await submit(store, make_submission())
    dispatcher = make_dispatcher(down, fine)

    await run_until_quiet(dispatcher, clock)

    statuses = {status.sink: status for status in await handoff.statuses(reference)}
    assert (statuses["webhook"].status, statuses["webhook"].attempts) == ("failed", POLICY.max_attempts)
    assert statuses["email"].status == "sent"

    down.failures = 0
    await handoff.deliveries.retry_now(statuses["webhook"].id, clock.now())
    await dispatcher.run_once()
    assert [r for r, _ in down.received] == [reference]
    assert {s.sink: s.status for s in await handoff.statuses(reference)} == {"email": "sent", "webhook": "sent"}


async def test_a_process_killed_after_submit_delivers_after_restart(  # type: ignore[no-untyped-def]
    store: SqlStore, handoff: SqlHandoff, make_dispatcher, database_url: str
) -> None:
    script = textwrap.dedent(
        f"""
        import asyncio, os, signal
        from storage.sql_store import SqlStore, create_engine_for
        from tests.proposals import make_submission, submit

        async def main():
            store = SqlStore(create_engine_for({database_url!r}))
            print(await submit(store, make_submission()), flush=True)
            os.kill(os.getpid(), signal.SIGKILL)  # dies before any dispatcher ran

        asyncio.run(main())
        """
    )
    process = await asyncio.create_subprocess_exec(sys.executable, "-c", script, stdout=asyncio.subprocess.PIPE)
    output, _ = await process.communicate()
    assert process.returncode == -signal.SIGKILL
    reference = output.decode().strip()

    sink = RecordingSink("email")
    await make_dispatcher(sink).run_once()  # the "restarted" process

    assert [r for r, _ in sink.received] == [reference]


async def test_a_delivery_held_by_a_dead_worker_is_taken_again_when_its_lease_ends(  # type: ignore[no-untyped-def]
    store: SqlStore, handoff: SqlHandoff, make_dispatcher, clock: FakeClock
) -> None:
    sink = RecordingSink("email")
    reference = await submit(store, make_submission())
    dispatcher = make_dispatcher(sink)
    await handoff.fan_out(["email"], clock.now())
    assert len(await handoff.deliveries.claim(clock.now())) == 1  # a worker claims it, then dies

    assert await dispatcher.run_once() == 0
    clock.advance(POLICY.lease.total_seconds() / 3600)
    assert await dispatcher.run_once() == 1
    assert [r for r, _ in sink.received] == [reference]


async def test_workers_side_by_side_deliver_each_draft_once(  # type: ignore[no-untyped-def]
    store: SqlStore, handoff: SqlHandoff, make_dispatcher, database_url: str, clock: FakeClock
) -> None:
    references = [await submit(store, make_submission()) for _ in range(12)]
    sink = RecordingSink("email")
    engines = [create_engine_for(database_url) for _ in range(3)]
    try:
        dispatchers = [make_dispatcher(sink, on=SqlHandoff(engine, POLICY)) for engine in engines]

        async def drain(dispatcher) -> None:  # type: ignore[no-untyped-def]
            for _ in range(5):
                await dispatcher.run_once()

        await asyncio.gather(*(drain(d) for d in dispatchers))
    finally:
        for engine in engines:
            await engine.dispose()

    assert Counter(r for r, _ in sink.received) == Counter(references)


async def test_drafts_wait_in_the_outbox_until_a_sink_is_configured(  # type: ignore[no-untyped-def]
    store: SqlStore, make_dispatcher
) -> None:
    reference = await submit(store, make_submission())
    assert await make_dispatcher().run_once() == 0  # a start without any sink

    sink = RecordingSink("email")
    await make_dispatcher(sink).run_once()
    assert [r for r, _ in sink.received] == [reference]
