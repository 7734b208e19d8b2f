"""The records the ingest path keeps, and the storage it needs (implemented in ``storage/events.py``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol


@dataclass(frozen=True)
class NewEvent:
    """An event as it arrives: ``event_id`` is the platform's own id, so a redelivery collides with it."""

    channel: str
    event_id: str
    user_id: str
    occurred_at: int
    body: str


@dataclass(frozen=True)
class StoredEvent:
    id: int
    channel: str
    event_id: str
    user_id: str
    occurred_at: int
    body: str
    attempts: int  # failed attempts so far (each ended with a backoff)
    claims: int  # times a worker took the event before this claim
    sent: int  # what an earlier attempt delivered, counted as the channel counts (see ``PartlySent``)

    @property
    def interrupted(self) -> bool:
        """An earlier attempt ended without a word (its process died): it may have delivered more than ``sent``."""
        return self.claims > self.attempts


class EventLog(Protocol):
    async def add(self, events: list[NewEvent], now: datetime) -> None:
        """Store the events not seen before (by channel and event id); a redelivered one is dropped."""
        ...

    async def claim(self, now: datetime, lease: timedelta, limit: int, finished: Sequence[int] = ()) -> list[StoredEvent]:
        """Mark ``finished`` done, then lease up to ``limit`` events, oldest first: each the oldest unfinished
        event of a user nobody holds (so a finished event's next one may be among them). One transaction."""
        ...

    async def finish_many(self, event_ids: Sequence[int], now: datetime) -> None:
        """These events are done: their users' next events may be claimed."""
        ...

    async def give_up(self, event_id: int, now: datetime, error: str) -> None:
        """Stop trying (``error`` says why); the user's next events go ahead."""
        ...

    async def retry_later(self, event_id: int, until: datetime, error: str, sent: int) -> None:
        """Count a failed attempt and keep the lease until ``until`` (a backoff), then any worker may retry."""
        ...
