"""aiosqlite with the statements run on the event loop's thread; only what must wait goes to the connection's thread.

aiosqlite sends every call (a cursor, each execute, each fetch, its close)
to one thread and wakes the event loop when it is done: a dozen thread hops
per transaction, each costing the loop a wake-up and a turn of its queue
(several milliseconds when 64 webhooks are in it), which held the process's
only connection, and the webhooks waiting for it, for most of a turn.

On a file that WAL keeps (readers never wait), a statement inside a
transaction that took the write lock up front (``BEGIN IMMEDIATE``) cannot
wait for anybody: it runs at once, in microseconds. What can wait:

- ``BEGIN``, when another process (e.g. ``kyoso purge``) holds the write
  lock: it is tried at once without waiting, and only when the lock is taken
  does it wait (the busy timeout) in the thread, while the loop goes on;
- ``COMMIT`` with ``synchronous=FULL`` (storing events: the disk), in the
  thread; a ``synchronous=NORMAL`` commit only writes to WAL, so it runs at
  once;
- the WAL checkpoint (it writes the database file and waits for the disk):
  SQLite's automatic one would run inside whichever commit crosses its size,
  here every ``CHECKPOINT_EVERY`` commits one goes to the thread and
  checkpoints after it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from typing import Any

import aiosqlite

CHECKPOINT_EVERY = 200  # commits (a turn writes a few pages: about SQLite's default of 1000 pages)
_FULL = 2  # PRAGMA synchronous


class InlineConnection(aiosqlite.Connection):
    def __init__(self, connector: Callable[[], sqlite3.Connection], iter_chunk_size: int, busy_ms: int) -> None:
        super().__init__(connector, iter_chunk_size)
        self._busy_ms = busy_ms
        self._commits = 0  # since the last checkpoint
        self.synchronous = "FULL"  # what the next transaction's commit must wait for (set before its BEGIN)
        self._synchronous_set = ""  # the connection's PRAGMA synchronous, once set here

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")  # as aiosqlite says it (SQLAlchemy maps it to OperationalError)
        name = getattr(fn, "__name__", "")
        if name == "commit":
            return await self._commit()
        if name == "execute" and args and str(args[0]).lstrip()[:5].upper() == "BEGIN":
            return await self._begin(fn, *args)
        return fn(*args, **kwargs)

    async def _in_thread(self, fn: Callable[..., Any], *args: Any) -> Any:
        """aiosqlite's own way: on the connection's thread (its ``_execute`` has no type hints)."""
        execute: Callable[..., Awaitable[Any]] = super()._execute
        return await execute(fn, *args)

    async def _begin(self, fn: Callable[..., Any], *args: Any) -> Any:
        connection = self._conn
        if self.synchronous != self._synchronous_set:  # between transactions, and only when it changes
            connection.execute(f"PRAGMA synchronous={self.synchronous}")
            self._synchronous_set = self.synchronous
        connection.execute("PRAGMA busy_timeout=0")
        try:
            return fn(*args)  # the usual case: nobody else holds the lock
        except sqlite3.OperationalError as error:
            if (getattr(error, "sqlite_errorcode", 0) or 0) & 0xFF != sqlite3.SQLITE_BUSY:
                raise
        finally:
            connection.execute(f"PRAGMA busy_timeout={self._busy_ms}")
        return await self._in_thread(fn, *args)

    async def _commit(self) -> None:
        connection = self._conn
        self._commits += 1
        checkpoint = self._commits >= CHECKPOINT_EVERY
        if checkpoint:
            self._commits = 0
        elif connection.execute("PRAGMA synchronous").fetchone()[0] < _FULL:
            connection.commit()
            return
        await self._in_thread(_commit_in_thread, connection, checkpoint)


def _commit_in_thread(connection: sqlite3.Connection, checkpoint: bool) -> None:
    connection.commit()
    if checkpoint:
        connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()


def connect(database: str, *, iter_chunk_size: int = 64, timeout: float = 5.0, **kwargs: Any) -> InlineConnection:
    """Like ``aiosqlite.connect``; the connection is used from two threads, one at a time (never both at once)."""

    def connector() -> sqlite3.Connection:
        connection: sqlite3.Connection = sqlite3.connect(database, timeout=timeout, **{**kwargs, "check_same_thread": False})
        connection.execute("PRAGMA wal_autocheckpoint=0")  # checkpoints are ours (see above)
        return connection

    connection = InlineConnection(connector, iter_chunk_size, int(timeout * 1000))
    connection._thread.daemon = True  # noqa: SLF001 - as SQLAlchemy does for aiosqlite's own connections
    return connection
