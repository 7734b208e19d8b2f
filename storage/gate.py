"""SQLite's one connection, handed out with the webhooks first.

A SQLite process has one connection (see ``create_engine_for``), and
SQLAlchemy's pool hands it out first come, first served: a webhook storing
its events waited behind every turn and claim queued before it (16 of them
at the ingest's default concurrency), although the platform waits for its
200 and the turns can wait. The hot paths take the connection through
this gate: storing events goes before anything queued; the turns, claims and
finishes in their order. PostgreSQL has a pool of connections: no gate.
"""

from __future__ import annotations

import asyncio
import weakref
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncEngine


class Gate:
    def __init__(self) -> None:
        self._held = False
        self._first: deque[asyncio.Future[None]] = deque()
        self._others: deque[asyncio.Future[None]] = deque()

    @asynccontextmanager
    async def hold(self, first: bool = False) -> AsyncIterator[None]:
        """Hold the connection's turn (``first``: before everyone who waits without it)."""
        if self._held or self._first or self._others:
            waiting: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            (self._first if first else self._others).append(waiting)
            try:
                await waiting
            except asyncio.CancelledError:
                if waiting.done() and not waiting.cancelled():
                    self._next()  # it was handed to us just as we were cancelled: hand it on
                raise
        else:
            self._held = True
        try:
            yield
        finally:
            self._next()

    def _next(self) -> None:
        for queue in (self._first, self._others):
            while queue:
                waiting = queue.popleft()
                if not waiting.done():
                    waiting.set_result(None)  # still held: handed over
                    return
        self._held = False


class _NoGate(Gate):
    @asynccontextmanager
    async def hold(self, first: bool = False) -> AsyncIterator[None]:
        yield


_GATES: weakref.WeakKeyDictionary[Dialect, Gate] = weakref.WeakKeyDictionary()


def gate_of(engine: AsyncEngine) -> Gate:
    """The gate of the engine's connection (the same for ``recoverable(engine)``, which shares its dialect)."""
    dialect = engine.sync_engine.dialect
    gate = _GATES.get(dialect)
    if gate is None:
        gate = _GATES[dialect] = Gate() if dialect.name == "sqlite" else _NoGate()
    return gate
