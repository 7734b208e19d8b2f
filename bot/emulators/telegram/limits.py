"""Telegram's flood control: about one message per second per chat (short bursts pass) and 30 per second overall."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class RateLimits:
    per_chat: float = 1.0
    per_chat_burst: int = 3
    overall: float = 30.0
    overall_burst: int = 30


class _Bucket:
    def __init__(self, rate: float, burst: int, now: float) -> None:
        self.rate, self.burst, self.tokens, self.at = rate, burst, float(burst), now

    def refill(self, now: float) -> None:
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now

    def wait(self) -> float:
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate


class FloodControl:
    def __init__(self, limits: RateLimits, clock: Callable[[], float] = time.monotonic) -> None:
        self._limits = limits
        self._clock = clock
        self._overall = _Bucket(limits.overall, limits.overall_burst, clock())
        self._chats: dict[int, _Bucket] = {}

    def take(self, chat_id: int) -> int:
        """0 when a message to ``chat_id`` may go now (and count it), else the seconds to wait (``retry_after``)."""
        now = self._clock()
        chat = self._chats.setdefault(chat_id, _Bucket(self._limits.per_chat, self._limits.per_chat_burst, now))
        for bucket in (chat, self._overall):
            bucket.refill(now)
        wait = max(chat.wait(), self._overall.wait())
        if wait > 0:
            return max(1, math.ceil(wait))
        chat.tokens -= 1
        self._overall.tokens -= 1
        return 0
