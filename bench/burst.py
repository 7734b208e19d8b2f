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


QUESTIONS = [
    "共創とは何ですか？", "提案できるのはどんな団体ですか？", "フリー型とは何ですか？", "相談の窓口はどこですか？",
    "提案の締め切りはいつですか？", "テーマ型とは何ですか？", "個人でも提案できますか？",
]
"""What a broadcast brings back: the same few questions, each answered by the FAQ."""


def question(user: str, number: int, distinct: bool = False) -> str:
    """The user's ``number``-th question: each user asks different ones of ``QUESTIONS``, so its own question
    log (in its conversation) tells which of its turns ran, in which order. ``distinct``: unique texts
    everywhere (nothing repeats across users, so no question's vector is reused)."""
    user_number = int(user[1:], 16)
    text = QUESTIONS[(user_number + number) % len(QUESTIONS)]
    return f"{text} {user_number}-{number}" if distinct or number >= len(QUESTIONS) else text


@dataclass
class Burst:
    questions: dict[tuple[str, int], str] = field(default_factory=dict)
    """Each question sent, by (user id, its position in that user's messages)."""
    accepted: set[tuple[str, int]] = field(default_factory=set)
    """The questions whose event the bot acknowledged with 200."""
    ack_seconds: list[float] = field(default_factory=list)
    """How long each acknowledged event (follows too) took to acknowledge."""
    redeliveries: int = 0
    seconds: float = 0.0


async def send_burst(
    emulator: LineEmulator, users: Sequence[str], messages: int, concurrency: int,
    give_up_after: float = 120.0, burst: Burst | None = None, distinct: bool = False,
) -> Burst:
    """Send the burst (adding to ``burst``, when given, for a burst in several parts)."""
    burst = burst or Burst()
    slots = asyncio.Semaphore(concurrency)

    async def one_user(user: str) -> None:
        # A new friend first: every question after the greeting is kept, answered or not.
        await acknowledged(emulator.follow_event(user))
        for number in range(messages):
            text = burst.questions[(user, number)] = question(user, number, distinct)
            if await acknowledged(emulator.text_event(user, text)):
                burst.accepted.add((user, number))

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
