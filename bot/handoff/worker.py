"""Working through an outbox: deliver each due row, record success, or schedule a retry with backoff."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic

from bot.core.ports import Clock
from storage.queue import Item, OutboxQueue

log = logging.getLogger(__name__)


class OutboxWorker(Generic[Item]):
    def __init__(self, queue: OutboxQueue[Item], deliver: Callable[[Item], Awaitable[None]], clock: Clock) -> None:
        self._queue = queue
        self._deliver = deliver
        self._clock = clock

    async def run_once(self) -> int:
        """Deliver every row due now; return how many were tried."""
        claimed = await self._queue.claim(self._clock.now())
        for item in claimed:
            try:
                await self._deliver(item.item)
            except Exception as error:  # noqa: BLE001 -- any failure of a sink is retried, and shown to staff
                log.warning("delivery %s failed (attempt %d): %s", item.id, item.attempt, error)
                await self._queue.failed(item, f"{type(error).__name__}: {error}"[:1000], self._clock.now())
            else:
                await self._queue.succeeded(item, self._clock.now())
        return len(claimed)


class Poller:
    """Runs jobs now and then every ``interval`` seconds, or sooner when woken (e.g. right after a submission).

    Running at start is what picks up rows a killed process left behind.
    """

    def __init__(self, jobs: Sequence[Callable[[], Awaitable[int]]], interval: float = 5.0) -> None:
        self._jobs = list(jobs)
        self._interval = interval
        self._woken = asyncio.Event()
        self._stopping = False

    def wake(self) -> None:
        self._woken.set()

    def stop(self) -> None:
        """End ``run`` after the job under way (a delivery half done is not cut off)."""
        self._stopping = True
        self._woken.set()

    async def run(self) -> None:
        while not self._stopping:
            self._woken.clear()
            busy = False
            for job in self._jobs:
                if self._stopping:
                    return
                try:
                    busy = await job() > 0 or busy
                except Exception:  # the database may be away for a moment: try again next round
                    log.exception("outbox job failed")
            if not busy:
                try:
                    await asyncio.wait_for(self._woken.wait(), self._interval)
                except TimeoutError:
                    pass
