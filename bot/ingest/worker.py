"""Handle stored events: one user's strictly in order, different users concurrently, claimed in batches.

Nothing about a user lives only in memory. One claimer per process leases, in
one statement, the oldest pending event of as many users as it has free slots
(``EventLog.claim``: the database decides what may run, across processes);
each claimed event is processed in its own task. The events finished since
the last claim are marked done in the claim's own transaction, so a finished
user's next event can be among those claimed. A kick from a webhook, a
finished event or the periodic sweep (crashes, backoffs, another process's
work) makes the claimer look again; while events run, it waits until a few
slots are free (``claim_batch``), so under a burst one claim transaction
takes and finishes several events instead of one each.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from bot.core.ports import Clock
from bot.ingest.events import EventLog, StoredEvent
from bot.ingest.turns import PartlySent
from bot.retry import RetryPolicy

log = logging.getLogger(__name__)

Processor = Callable[[StoredEvent], Awaitable[None]]
"""Handles one event completely (the turn and its delivery); raising means "try again later"."""


INGEST_RETRY = RetryPolicy(max_attempts=5, first_delay=timedelta(seconds=2), lease=timedelta(minutes=2))


@dataclass(frozen=True)
class IngestPolicy:
    concurrency: int = 16  # events handled at once in this process (0: store only, handle nothing); below the pool size
    claim_batch: int = 4  # while events run, the claimer waits for this many free slots: claims and finishes go in batches
    retry: RetryPolicy = INGEST_RETRY
    sweep_every: float = 15.0


class Ingest:
    def __init__(self, events: EventLog, process: Processor, clock: Clock, policy: IngestPolicy = IngestPolicy()) -> None:
        self._events = events
        self._process = process
        self._clock = clock
        self._policy = policy
        self._finished: list[int] = []  # done, to be marked so in the next claim's transaction
        self._running: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()
        self._settled = asyncio.Event()
        self._claimer: asyncio.Task[None] | None = None
        self._stopping = False
        self._sweeper: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Pick up events left unfinished by an earlier run, then keep claiming and sweeping."""
        self._claimer = asyncio.create_task(self._claim_forever())
        self._sweeper = asyncio.create_task(self._sweep_forever())
        self.kick()

    async def stop(self) -> None:
        """Let a claim under way end (its database call cannot be taken back), then cancel the events' work.

        What was cancelled stays leased in the database and is taken up again when the lease runs out.
        """
        self._stopping = True
        if self._sweeper is not None:
            self._sweeper.cancel()
        self._wake.set()
        if self._claimer is not None:
            await asyncio.gather(self._claimer, return_exceptions=True)
        running = list(self._running)
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
        self._running.clear()
        finished, self._finished = self._finished, []
        try:
            await self._events.finish_many(finished, self._clock.now())
        except Exception as error:  # noqa: BLE001 - they are taken up again when their leases run out
            log.warning("could not mark %d finished events done at the stop: %s", len(finished), type(error).__name__)

    def kick(self) -> None:
        """New work may be there (stored events, a finished event): the claimer looks again."""
        self._settled.clear()
        self._wake.set()

    async def idle(self) -> None:
        """Wait until this process has nothing left to claim or to finish (tests and the benchmark)."""
        while not (self._settled.is_set() and not self._running and not self._wake.is_set()):
            await self._settled.wait()
            if self._running:
                await asyncio.gather(*list(self._running), return_exceptions=True)

    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(self._policy.sweep_every)
            self.kick()

    async def _claim_forever(self) -> None:
        slots = self._policy.concurrency
        while not self._stopping:
            await self._wake.wait()
            self._wake.clear()
            if self._stopping:
                return
            free = slots - len(self._running)
            if self._running and free < min(self._policy.claim_batch, slots):
                continue  # the events running kick again as they end: one claim for a few of them, not one each
            finished, self._finished = self._finished, []
            try:
                claimed = await self._events.claim(self._clock.now(), self._policy.retry.lease, free, finished)
            except Exception as error:  # noqa: BLE001 - e.g. the database is away: the sweep tries again
                log.warning("claiming events failed (%s: %s); trying again at the next sweep", type(error).__name__, error)
                self._finished.extend(finished)
                claimed = []
            for event in claimed:
                task = asyncio.create_task(self._handle(event))
                self._running.add(task)
                task.add_done_callback(self._ended)
            if len(claimed) == free > 0:
                self._wake.set()  # a full batch: there may be more (the next claim waits for a free slot)
            if not self._wake.is_set() and not self._running:
                self._settled.set()

    async def _handle(self, event: StoredEvent) -> None:
        try:
            await self._process(event)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - whatever failed, the event is retried, then given up
            await self._failed(event, error)
        else:
            self._finished.append(event.id)

    def _ended(self, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        self.kick()  # a free slot, and maybe the user's next event

    async def _failed(self, event: StoredEvent, error: Exception) -> None:
        reason = f"{type(error).__name__}: {error}"
        attempt = event.attempts + 1
        sent = event.sent + error.sent if isinstance(error, PartlySent) else event.sent
        try:
            if self._policy.retry.gives_up(attempt):
                log.error("giving up on %s event %s after %d attempts: %s", event.channel, event.event_id, attempt, reason)
                await self._events.give_up(event.id, self._clock.now(), reason)
                return
            backoff = self._policy.retry.delay(attempt)
            log.warning("%s event %s failed (attempt %d), retrying in %s: %s", event.channel, event.event_id, attempt, backoff, reason)
            await self._events.retry_later(event.id, self._clock.now() + backoff, reason, sent)
        except Exception:
            log.exception("could not record the failure of %s event %s; its lease runs out", event.channel, event.event_id)
