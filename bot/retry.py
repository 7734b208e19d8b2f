"""How often something is tried and how long to wait between tries: one type for every retrying part.

The outboxes (``storage/queue.py``), the ingest worker, LINE delivery and Telegram's flood control each
hold one, with their own values. It imports nothing but the standard library, so the core, storage and
the channels can all use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class RetryPolicy:
    """Up to ``max_attempts`` tries; after failed try n (1 for the first) wait ``first_delay`` · 2^(n-1), at most ``max_delay``.

    A zero ``first_delay`` means the other side says how long to wait (Telegram's ``retry_after``): a wait
    beyond ``max_delay`` then gives up at once. ``lease`` is for tries claimed from the database
    (outboxes, the event log): a claim not finished within it counts as lost, and another worker tries again.
    """

    max_attempts: int
    first_delay: timedelta = timedelta(0)
    max_delay: timedelta | None = None  # None: the doubling is not capped
    lease: timedelta = timedelta(minutes=5)

    def delay(self, attempt: int) -> timedelta:
        """The wait after failed try ``attempt``."""
        wait = self.first_delay * (1 << max(attempt - 1, 0))
        return wait if self.max_delay is None else min(wait, self.max_delay)

    def gives_up(self, attempt: int) -> bool:
        """True when try ``attempt`` was the last one."""
        return attempt >= self.max_attempts

    def too_long(self, wait: timedelta) -> bool:
        """True when a wait someone else asks for is beyond ``max_delay``."""
        return self.max_delay is not None and wait > self.max_delay

    def delays(self) -> tuple[float, ...]:
        """The waits between the tries, in seconds (one fewer than the tries)."""
        return tuple(self.delay(attempt).total_seconds() for attempt in range(1, self.max_attempts))
