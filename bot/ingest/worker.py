"""Handle stored events: one user's strictly in order, different users concurrently.

Nothing about a user lives only in memory: the in-process task per user is a
shortcut to start work at once, the database lease (``EventLog.claim``) is what
guarantees order, and a periodic sweep picks up whatever a crash, a backoff
or another process left behind.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta

from bot.core.ports import Clock
from bot.ingest.events import EventLog, StoredEvent

log = logging.getLogger(__name__)

Processor = Callable[[StoredEvent], Awaitable[None]]
"""Handles one event of its channel completely (core turn and delivery); raising means "try again later"."""


@dataclass(frozen=True)
class IngestPolicy:
    concurrency: int = 8  # events handled at once in this process (0: store only, handle nothing); below the pool size
    lease: timedelta = timedelta(minutes=2)
    max_attempts: int = 5
    first_backoff: timedelta = timedelta(seconds=2)
    sweep_every: float = 15.0


class Ingest:
    def __init__(
        self, events: EventLog, processors: Mapping[str, Processor], clock: Clock, policy: IngestPolicy = IngestPolicy()
    ) -> None:
        self._events = events
        self._processors = processors
        self._clock = clock
        self._policy = policy
        self._slots = asyncio.Semaphore(policy.concurrency)
        self._running: dict[tuple[str, str], asyncio.Task[None]] = {}
        self._dirty: set[tuple[str, str]] = set()
        self._sweeper: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Pick up events left unfinished by an earlier run, then keep sweeping."""
        await self.sweep()
        self._sweeper = asyncio.create_task(self._sweep_forever())

    async def stop(self) -> None:
        tasks = list(self._running.values()) + ([self._sweeper] if self._sweeper else [])
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._running.clear()

    def kick(self, channel: str, user_id: str) -> None:
        """New work for this user: start its worker, or tell the running one to look again."""
        key = (channel, user_id)
        self._dirty.add(key)
        if key not in self._running:
            self._running[key] = asyncio.create_task(self._work(key))

    async def sweep(self) -> None:
        for channel, user_id in await self._events.users_with_work(self._clock.now()):
            self.kick(channel, user_id)

    async def idle(self) -> None:
        """Wait until no user has work running in this process (tests and the benchmark)."""
        while self._running:
            await asyncio.gather(*list(self._running.values()), return_exceptions=True)

    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(self._policy.sweep_every)
            try:
                await self.sweep()
            except Exception:
                log.exception("sweeping for unfinished events failed")

    async def _work(self, key: tuple[str, str]) -> None:
        try:
            while True:
                self._dirty.discard(key)
                async with self._slots:  # claim only with a free slot: no lease is held while waiting
                    event = await self._events.claim(*key, self._clock.now(), self._policy.lease)
                    if event is not None:
                        await self._process(event)
                if event is None and key not in self._dirty:
                    return
        except Exception:
            log.exception("event worker for %s:%s stopped; the sweep will retry", *key)
        finally:
            self._running.pop(key, None)

    async def _process(self, event: StoredEvent) -> None:
        processor = self._processors.get(event.channel)
        if processor is None:
            await self._events.finish(event.id, self._clock.now(), error=f"no processor for channel {event.channel}")
            return
        try:
            await processor(event)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - whatever failed, the event is retried, then given up
            await self._failed(event, error)
            return
        await self._events.finish(event.id, self._clock.now())

    async def _failed(self, event: StoredEvent, error: Exception) -> None:
        reason = f"{type(error).__name__}: {error}"
        attempt = event.attempts + 1
        if attempt >= self._policy.max_attempts:
            log.error("giving up on %s event %s after %d attempts: %s", event.channel, event.event_id, attempt, reason)
            await self._events.finish(event.id, self._clock.now(), error=reason)
            return
        backoff = self._policy.first_backoff * 2 ** (attempt - 1)
        log.warning("%s event %s failed (attempt %d), retrying in %s: %s", event.channel, event.event_id, attempt, backoff, reason)
        await self._events.retry_later(event.id, self._clock.now() + backoff, reason)
