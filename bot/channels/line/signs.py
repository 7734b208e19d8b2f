"""Signs of life on LINE: the loading animation while a turn takes long, 既読 once a person read the messages.

The animation (one-to-one chats only; LINE removes it when the answer arrives) starts when a turn
has run ``after`` seconds without its answer going out: a slow file download, a slow database. The
time an event waited in a backlog before its turn does not count: once its turn begins, the answer
is milliseconds away, and an animation then would be one more API call per event during a broadcast
(LINE allows 100 a second) for a spinner nobody sees, or one that starts after the answer is out and
spins on for ``LOADING_SECONDS``. Once the answer is being delivered it never starts. It is a
courtesy: a failed call is logged, never retried.

During 担当者に相談, LINE's 既読 is given (``markAsReadToken``, which marks that message and every
earlier one) only when the console showed the user's messages to a staff member, so 既読 means a
person saw them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Protocol

from bot.channels.line import CHANNEL
from bot.channels.line.api import LOADING_PATH, MARK_READ_PATH

log = logging.getLogger(__name__)

LOADING_SECONDS = 20  # 5 … 60 in steps of 5; the answer ends it sooner
Post = Callable[[str, dict[str, object]], Awaitable[None]]


class ReadTokens(Protocol):
    async def read_token(self, channel: str, user_id: str, until_ms: int) -> str | None:
        """The ``markAsReadToken`` of the user's newest message that LINE timed at or before ``until_ms``."""
        ...


class Signs:
    def __init__(self, post: Callable[[], Post | None], tokens: ReadTokens, after: float) -> None:
        self._post = post  # None while the API client is not running
        self._tokens = tokens
        self._after = after
        self._waiting: dict[int, asyncio.TimerHandle] = {}
        self._running: set[asyncio.Task[None]] = set()
        self._marked: dict[str, str] = {}

    def expect_answer(self, turn: int, chat_id: str) -> None:
        """A one-to-one turn has begun: the animation starts in ``after`` seconds unless :meth:`answered` comes first."""
        self._waiting[turn] = asyncio.get_running_loop().call_later(self._after, self._start_loading, turn, chat_id)

    def answered(self, turn: int) -> None:
        waiting = self._waiting.pop(turn, None)
        if waiting is not None:
            waiting.cancel()

    def seen_by_staff(self, user_id: str, until: datetime) -> None:
        """The console showed the user's messages up to ``until`` to a staff member: mark them read on LINE."""
        self._background(self._mark_read(user_id, until))

    async def idle(self) -> None:
        """Wait for the calls under way (tests, shutdown)."""
        while self._running:
            await asyncio.gather(*self._running, return_exceptions=True)

    def _start_loading(self, turn: int, chat_id: str) -> None:
        self._waiting.pop(turn, None)
        self._background(self._call(LOADING_PATH, {"chatId": chat_id, "loadingSeconds": LOADING_SECONDS}))

    async def _mark_read(self, user_id: str, until: datetime) -> None:
        token = await self._tokens.read_token(CHANNEL, user_id, int(until.timestamp() * 1000))
        if token is None or self._marked.get(user_id) == token:
            return
        if await self._call(MARK_READ_PATH, {"markAsReadToken": token}):
            self._marked[user_id] = token

    async def _call(self, path: str, body: dict[str, object]) -> bool:
        post = self._post()
        if post is None:
            return False
        await post(path, body)
        return True

    def _background(self, work: Awaitable[object]) -> None:
        async def run() -> None:
            try:
                await work
            except Exception as error:  # noqa: BLE001 - a courtesy: its failure changes nothing else
                log.info("LINE sign of life failed: %s", type(error).__name__)

        task = asyncio.get_running_loop().create_task(run())
        self._running.add(task)
        task.add_done_callback(self._running.discard)
