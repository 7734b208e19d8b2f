"""Sending replies with python-telegram-bot: flood control (``RetryAfter``) is waited out a bounded number of times.

A 429 means Telegram did not take the message, so resending it cannot make
a duplicate. Other errors are raised to the caller (the ingest worker retries
the event later); when some messages got through first, ``PartlySent`` says
how many, so the retry does not send them again (Telegram has no retry key).
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from functools import partial
from typing import TypeVar

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import BadRequest, RetryAfter
from telegram.warnings import PTBDeprecationWarning

from bot.channels.telegram.render import render
from bot.core.messages import Outbound
from bot.ingest.turns import PartlySent
from bot.retry import RetryPolicy

log = logging.getLogger(__name__)
T = TypeVar("T")


FLOOD_CONTROL = RetryPolicy(max_attempts=5, max_delay=timedelta(seconds=60))
"""Telegram says how long to wait; a longer ``retry_after`` gives up now (the event is retried later)."""


class TelegramSender:
    def __init__(self, bot: Bot, policy: RetryPolicy = FLOOD_CONTROL) -> None:
        self.bot = bot
        self._policy = policy

    async def send(self, chat_id: int, replies: Sequence[Outbound], first: int = 0) -> None:
        """Send the replies' messages from the ``first`` on (an earlier attempt sent those before).

        ``PartlySent`` says how many went out before a failure, so a retry does not send them again.
        """
        parts = [part for reply in replies for part in render(reply)]
        for index in range(first, len(parts)):
            part = parts[index]
            try:
                await self._patiently(
                    partial(self.bot.send_message, chat_id, part.html, parse_mode=ParseMode.HTML, reply_markup=part.keyboard)
                )
            except Exception as error:
                if index == first:
                    raise
                raise PartlySent(index - first) from error

    async def acknowledge(self, callback_query_id: str) -> None:
        """Stop the button's spinner. An expired query (a redelivered update) is not worth failing the turn for."""
        try:
            await self._patiently(partial(self.bot.answer_callback_query, callback_query_id))
        except BadRequest as error:
            log.info("could not answer callback query %s: %s", callback_query_id, error.message)

    async def _patiently(self, call: Callable[[], Awaitable[T]]) -> T:
        attempt = 1
        while True:
            try:
                return await call()
            except RetryAfter as error:
                wait = retry_after_seconds(error)
                if self._policy.gives_up(attempt) or self._policy.too_long(timedelta(seconds=wait)):
                    raise
                log.info("Telegram flood control: waiting %.0f s (attempt %d)", wait, attempt)
                attempt += 1
                await asyncio.sleep(wait)


def retry_after_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB warns that the type becomes timedelta; both are handled here
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        wait = error.retry_after
    return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
