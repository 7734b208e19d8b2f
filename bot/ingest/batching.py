"""Group commit: writes that arrive together go to the database in one transaction.

Each caller still waits until its own items are committed before it goes on
(a webhook answers 200, a finished event lets its user's next one be claimed),
so nothing is acknowledged that is not durable; the database sees one commit
per burst instead of one per caller. While a commit runs, what arrives waits
for the next one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")


class GroupCommit(Generic[T]):
    def __init__(self, commit: Callable[[list[T]], Awaitable[None]]) -> None:
        self._commit = commit
        self._waiting: list[tuple[Sequence[T], asyncio.Future[None]]] = []
        self._task: asyncio.Task[None] | None = None  # the running flush, held so it is not garbage-collected

    async def add(self, items: Sequence[T]) -> None:
        """Return once ``items`` are committed (together with whatever arrived meanwhile); raise if that failed."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((items, done))
        if self._task is None:
            self._task = asyncio.create_task(self._flush())
        await done

    async def drained(self) -> None:
        """Wait for the commit under way, if any (a clean stop)."""
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)

    async def _flush(self) -> None:
        try:
            while self._waiting:
                batch, self._waiting = self._waiting, []
                try:
                    await self._commit([item for items, _ in batch for item in items])
                except Exception as error:  # noqa: BLE001 - every waiter gets the failure (a webhook answers 503 or 500)
                    for _, done in batch:
                        if not done.done():
                            done.set_exception(error)
                    continue
                for _, done in batch:
                    if not done.done():
                        done.set_result(None)
        finally:
            self._task = None
