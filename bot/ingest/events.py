"""The records the ingest path keeps, and the storage it needs (implemented in ``storage/events.py``)."""

from __future__ import annotations

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
    status: str
    replies: str | None
    attempts: int


class EventLog(Protocol):
    async def add(self, events: list[NewEvent], now: datetime) -> None:
        """Store the events not seen before (by channel and event id); a redelivered one is dropped."""
        ...

    async def claim(self, channel: str, user_id: str, now: datetime, lease: timedelta) -> StoredEvent | None:
        """The user's oldest unfinished event, leased to the caller; None while another lease on the user is live."""
        ...

    async def mark_handled(self, event_id: int, replies: str) -> None:
        """The core has answered: keep its replies so a restart delivers them without asking the core again."""
        ...

    async def finish(self, event_id: int, now: datetime, error: str | None = None) -> None:
        """Done (``error`` None) or given up (``error`` says why)."""
        ...

    async def retry_later(self, event_id: int, until: datetime, error: str) -> None:
        """Count a failed attempt and keep the lease until ``until`` (a backoff), then any worker may retry."""
        ...

    async def users_with_work(self, now: datetime) -> list[tuple[str, str]]:
        """(channel, user) pairs with an unfinished event that nobody holds."""
        ...
