"""A bounded burst of LINE events through the emulator, sent as LINE would.

Every user adds the bot as a friend, then sends its messages one after the
other (the next once the last was acknowledged), all users at once up to
``concurrency`` requests in flight. An
event the bot did not answer with 200 is sent again, marked as a redelivery,
until it is (or ``give_up_after`` seconds have passed).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.emulators.line import LineEmulator

REDELIVERY_PAUSE_SECONDS = 0.2


def user_ids(count: int, first: int = 1) -> list[str]:
    return [f"U{number:032x}" for number in range(first, first + count)]


def question(user: str, number: int) -> str:
    """A question the FAQ recognises, unique per message, so the stored questions tell which turns ran."""
    return f"共創とは何ですか？ {int(user[1:], 16)}-{number}"


@dataclass
class Burst:
    questions: dict[str, tuple[str, int]] = field(default_factory=dict)
    """Each question sent: (user id, its position in that user's messages)."""
    accepted: set[str] = field(default_factory=set)
    """The questions whose event the bot acknowledged with 200."""
    ack_seconds: list[float] = field(default_factory=list)
    """How long each acknowledged event (follows too) took to acknowledge."""
    redeliveries: int = 0
    seconds: float = 0.0


async def send_burst(
    emulator: LineEmulator, users: Sequence[str], messages: int, concurrency: int,
    give_up_after: float = 120.0, burst: Burst | None = None,
) -> Burst:
    """Send the burst (adding to ``burst``, when given, for a burst in several parts)."""
    burst = burst or Burst()
    slots = asyncio.Semaphore(concurrency)

    async def one_user(user: str) -> None:
        # A new friend first: every question after the greeting is kept, answered or not.
        await acknowledged(emulator.follow_event(user))
        for number in range(messages):
            text = question(user, number)
            burst.questions[text] = (user, number)
            if await acknowledged(emulator.text_event(user, text)):
                burst.accepted.add(text)

    async def acknowledged(event: dict[str, Any]) -> bool:
        async with slots:
            took = await send_until_acknowledged(emulator, event, give_up_after, burst)
        if took is not None:
            burst.ack_seconds.append(took)
        return took is not None

    started = time.perf_counter()
    await asyncio.gather(*(one_user(user) for user in users))
    burst.seconds += time.perf_counter() - started
    return burst


async def send_until_acknowledged(
    emulator: LineEmulator, event: dict[str, Any], give_up_after: float, burst: Burst
) -> float | None:
    """Post ``event`` until the bot answers 200; returns how long that last call took (None: gave up)."""
    deadline = time.monotonic() + give_up_after
    while True:
        started = time.perf_counter()
        if await emulator.send([event]) == 200:
            return time.perf_counter() - started
        if time.monotonic() > deadline:
            return None
        burst.redeliveries += 1
        event = dict(event, deliveryContext={"isRedelivery": True})
        await asyncio.sleep(REDELIVERY_PAUSE_SECONDS)
