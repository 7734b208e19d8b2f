"""An open loop of mixed LINE events: sent at a fixed rate whatever the bot does, each one timed to its reply.

The mix is what a broadcast brings: FAQ questions typed (the same few, over
and over), menu buttons pressed, and a draft form being filled in (a button,
then a typed answer, then a button). Each user's events go out in order, a
few seconds apart; the users take turns. The emulator records when each
event's reply token was used, so event-to-reply is measured where the user
would see it.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from bot.emulators.line import LineEmulator
from bot.emulators.line.events import sign

QUESTIONS = [
    "共創とは何ですか？", "提案できるのはどんな団体ですか？", "フリー型とは何ですか？", "相談の窓口はどこですか？",
    "提案の締め切りはいつですか？", "費用は市が負担してくれますか？", "テーマ型とは何ですか？", "個人でも提案できますか？",
]
BUTTONS = ["o:criteria", "o:faq", "o:about", "o:eligible"]  # items of the main menu
FORM = ["o:draft", "text:ふちゅうまちづくりネット{n}", "o:npo"]  # open the draft form, type the name, choose the kind


def script(user_number: int) -> list[str]:
    """Two or three events of one user: ``text:…`` is typed, anything else is a postback."""
    kind = user_number % 3
    if kind == 0:
        return [f"text:{QUESTIONS[user_number % len(QUESTIONS)]}", f"text:{QUESTIONS[(user_number + 3) % len(QUESTIONS)]}"]
    if kind == 1:
        return [BUTTONS[user_number % len(BUTTONS)], "c:menu"]
    return [step.format(n=user_number) for step in FORM]


@dataclass
class OpenLoop:
    sent: int = 0
    acknowledged: int = 0
    ack_seconds: list[float] = field(default_factory=list)
    late_seconds: float = 0.0  # how far behind its schedule the sender fell at worst
    tokens: list[str] = field(default_factory=list)


def events_in_order(emulator: LineEmulator, users: list[str]) -> Iterator[dict[str, Any]]:
    """Round robin over the users, each one's script in order (events are made when they are due: fresh tokens)."""
    scripts = [iter(script(number)) for number in range(len(users))]
    for round_number in itertools.count():
        active = False
        for number, steps in enumerate(scripts):
            step = next(steps, None)
            if step is None:
                continue
            active = True
            yield _event(emulator, users[number], step)
        if not active or round_number > 10:
            return


def _event(emulator: LineEmulator, user: str, step: str) -> dict[str, Any]:
    if step.startswith("text:"):
        return emulator.text_event(user, step.removeprefix("text:"))
    return emulator.postback_event(user, step)


async def run_open_loop(emulator: LineEmulator, url: str, users: list[str], rate: float, seconds: float) -> OpenLoop:
    """Post ``rate`` events a second for ``seconds`` to ``url`` (signed with the emulator's secret)."""
    loop = OpenLoop()
    events = events_in_order(emulator, users)
    total = int(rate * seconds)
    connector = aiohttp.TCPConnector(limit=512)
    async with aiohttp.ClientSession(connector=connector) as http:

        async def post(event: dict[str, Any]) -> None:
            body = ('{"destination":"U' + "0" * 32 + '","events":[' + _json(event) + "]}").encode()
            headers = {"Content-Type": "application/json; charset=utf-8", "X-Line-Signature": sign(emulator.channel_secret, body)}
            started = time.perf_counter()
            async with http.post(url, data=body, headers=headers) as response:
                await response.read()
                if response.status == 200:
                    loop.acknowledged += 1
                    loop.ack_seconds.append(time.perf_counter() - started)

        tasks = []
        start = time.perf_counter()
        for index in range(total):
            due = start + index / rate
            wait = due - time.perf_counter()
            if wait > 0:
                await asyncio.sleep(wait)
            else:
                loop.late_seconds = max(loop.late_seconds, -wait)
            event = next(events, None)
            if event is None:
                break
            loop.tokens.append(event["replyToken"])
            tasks.append(asyncio.create_task(post(event)))
            loop.sent += 1
        await asyncio.gather(*tasks, return_exceptions=True)
    return loop


def _json(event: dict[str, Any]) -> str:
    return json.dumps(event, ensure_ascii=False)
