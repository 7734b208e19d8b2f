"""A bounded burst of LINE events through the emulator, sent as LINE would.

Every user sends its messages one after the other (the next once the last was
acknowledged), all users at once up to ``concurrency`` requests in flight. An
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


def user_ids(count: int) -> list[str]:
    return [f"U{number:032x}" for number in range(1, count + 1)]


def question(user_index: int, number: int) -> str:
    """A question the FAQ recognises, unique per message, so the stored questions tell which turns ran."""
    return f"共創とは何ですか？ {user_index}-{number}"


@dataclass
class Burst:
    questions: dict[str, tuple[str, int]] = field(default_factory=dict)
    """Each question sent: (user id, its position in that user's messages)."""
    accepted: set[str] = field(default_factory=set)
    """The questions whose event the bot acknowledged with 200."""
    ack_seconds: list[float] = field(default_factory=list)
    redeliveries: int = 0
    seconds: float = 0.0


async def send_burst(
    emulator: LineEmulator, users: Sequence[str], messages: int, concurrency: int, give_up_after: float = 120.0
) -> Burst:
    burst = Burst()
    slots = asyncio.Semaphore(concurrency)

    async def acknowledged(event: dict[str, Any]) -> bool:
        deadline = time.monotonic() + give_up_after
        while True:
            async with slots:
                started = time.perf_counter()
                status = await emulator.send([event])
            if status == 200:
                burst.ack_seconds.append(time.perf_counter() - started)
                return True
            if time.monotonic() > deadline:
                return False
            burst.redeliveries += 1
            event = dict(event, deliveryContext={"isRedelivery": True})
            await asyncio.sleep(REDELIVERY_PAUSE_SECONDS)

    async def one_user(index: int, user: str) -> None:
        for number in range(messages):
            text = question(index, number)
            burst.questions[text] = (user, number)
            if await acknowledged(emulator.text_event(user, text)):
                burst.accepted.add(text)

    started = time.perf_counter()
    await asyncio.gather(*(one_user(index, user) for index, user in enumerate(users)))
    burst.seconds = time.perf_counter() - started
    return burst
