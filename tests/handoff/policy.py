"""The retry policy the handoff tests' outbox runs with."""

from __future__ import annotations

from datetime import timedelta

from bot.retry import RetryPolicy

POLICY = RetryPolicy(max_attempts=5, first_delay=timedelta(seconds=10), max_delay=timedelta(minutes=5),
                     lease=timedelta(minutes=1))
