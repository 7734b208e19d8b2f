"""Group commit for acknowledgements: webhook calls that arrive together are stored in one transaction.

Each caller still waits until its own events are committed before answering
200, so nothing is acknowledged that is not durable; the database sees one
commit per burst instead of one per request.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.ingest.events import NewEvent

AddMany = Callable[[list[NewEvent], datetime], Awaitable[None]]


class GroupCommit:
    def __init__(self, add_many: AddMany) -> None:
        self._add_many = add_many
        self._waiting: list[tuple[list[NewEvent], asyncio.Future[None]]] = []
        self._flushing = False
        self._task: asyncio.Task[None] | None = None  # held so the running flush is not garbage-collected

    async def add(self, events: list[NewEvent], now: datetime) -> None:
        """Return once ``events`` are committed (together with whatever arrived meanwhile)."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((events, done))
        if not self._flushing:
            self._flushing = True
            self._task = asyncio.create_task(self._flush(now))
        await done

    async def _flush(self, now: datetime) -> None:
        try:
            while self._waiting:
                batch, self._waiting = self._waiting, []
                try:
                    await self._add_many([event for events, _ in batch for event in events], now)
                except Exception as error:  # noqa: BLE001 - every waiter gets the failure (its webhook call answers 500)
                    for _, done in batch:
                        done.set_exception(error)
                    continue
                for _, done in batch:
                    done.set_result(None)
        finally:
            self._flushing = False
