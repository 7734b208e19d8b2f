"""aiosqlite with the statements run on the event loop's thread; only what may wait goes to the connection's thread.

aiosqlite sends every call (a cursor, each execute, each fetch, its close)
to one thread and wakes the event loop when it is done: a dozen thread hops
per transaction, each costing the loop a wake-up and the GIL hand-over (up to
``sys.getswitchinterval()`` when the loop is busy), which held the process's
only connection, and the webhooks waiting for it, for most of a turn.

A statement on a file that WAL keeps (readers never wait) inside a
transaction that took the write lock up front (``BEGIN IMMEDIATE``) cannot
wait for anybody: it runs at once, in microseconds. Two things can wait and
still go to the thread, so the loop serves requests meanwhile: ``BEGIN``
(another process, e.g. ``kyoso purge``, may hold the write lock: up to the
busy timeout) and ``COMMIT`` (the disk, and WAL checkpoints).
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable
from typing import Any

import aiosqlite


def _waits(function: Callable[..., Any], args: tuple[Any, ...]) -> bool:
    """Whether this call may wait for another process or for the disk."""
    name = getattr(function, "__name__", "")
    if name == "commit":
        return True
    return name in ("execute", "executescript") and bool(args) and str(args[0]).lstrip()[:5].upper() == "BEGIN"


class InlineConnection(aiosqlite.Connection):
    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if _waits(fn, args):
            return await super()._execute(fn, *args, **kwargs)
        if not self._running or not self._connection:
            raise ValueError("Connection closed")  # as aiosqlite says it (SQLAlchemy maps it to OperationalError)
        return fn(*args, **kwargs)


def connect(database: str, *, iter_chunk_size: int = 64, **kwargs: Any) -> InlineConnection:
    """Like ``aiosqlite.connect``; the connection is used from two threads, one at a time (never both at once)."""
    connection = InlineConnection(
        functools.partial(sqlite3.connect, database, **{**kwargs, "check_same_thread": False}), iter_chunk_size
    )
    connection._thread.daemon = True  # as SQLAlchemy does for aiosqlite's own connections
    return connection
