"""Log-in lock-out per staff name *and* client address, with growing delays.

A lock-out keyed on the name alone is a weapon: anyone could shut a staff member
out by guessing wrong five times. Here a run of failures locks only that name
from that address; from the office (or a logged-in browser) staff go on working.
Each attempt is counted when it starts, before the password is checked, so
parallel guesses cannot slip in while the slow hash runs (the event loop makes
the check-and-count atomic). Kept per worker: with N workers a guesser gets N
times the attempts, still bounded by the per-address POST limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from aiohttp import web

FIRST_LOCK = timedelta(minutes=1)
FORGET_AFTER = timedelta(hours=24)  # a name + address quiet this long starts again from zero
MAX_TRACKED = 10_000


@dataclass
class _Record:
    failures: int = 0
    locked_until: datetime | None = None
    last: datetime | None = None


class LoginThrottle:
    def __init__(self, lock_after: int, longest_lock: timedelta) -> None:
        self._lock_after = lock_after
        self._longest = longest_lock
        self._records: dict[tuple[str, str], _Record] = {}

    def begin(self, name: str, address: str, now: datetime) -> datetime | None:
        """Count an attempt; the time the lock ends when this name + address may not try now."""
        key = (name, address)
        record = self._records.get(key)
        if record is None or (record.last is not None and now - record.last > FORGET_AFTER):
            record = self._records[key] = _Record()
            self._forget_oldest()
        if record.locked_until is not None and now < record.locked_until:
            return record.locked_until
        record.failures += 1  # until it succeeds
        record.last = now
        if record.failures >= self._lock_after:
            doublings = record.failures - self._lock_after
            record.locked_until = now + min(FIRST_LOCK * 2 ** min(doublings, 20), self._longest)
        return None

    def succeeded(self, name: str, address: str) -> None:
        self._records.pop((name, address), None)

    def _forget_oldest(self) -> None:
        while len(self._records) > MAX_TRACKED:
            del self._records[next(iter(self._records))]


THROTTLE = web.AppKey("login_throttle", LoginThrottle)
