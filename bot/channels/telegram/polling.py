"""Long polling (``getUpdates``) for a machine without a public URL.

An update's offset is confirmed only after ``on_update`` returned, so an
update is never lost when the process dies or ``on_update`` fails: Telegram
hands it out again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Bot
from telegram.error import RetryAfter, TelegramError

from bot.channels.telegram.sender import retry_after_seconds
from bot.channels.telegram.updates import ALLOWED_UPDATES

log = logging.getLogger(__name__)

OnUpdate = Callable[[dict[str, Any]], Awaitable[None]]


async def poll(bot: Bot, on_update: OnUpdate, timeout: int = 30, pause: float = 5.0) -> None:
    """Run until cancelled; ``pause`` is the wait after a failed request or a failed ``on_update``."""
    offset: int | None = None
    while True:
        try:
            updates = await bot.get_updates(offset=offset, timeout=timeout, allowed_updates=ALLOWED_UPDATES)
        except RetryAfter as error:
            await asyncio.sleep(retry_after_seconds(error))
            continue
        except TelegramError as error:
            log.warning("getUpdates failed, trying again in %.0f s: %s", pause, error)
            await asyncio.sleep(pause)
            continue
        for update in updates:
            try:
                await on_update(update.to_dict())
            except Exception:
                log.exception("update %s was not taken; it will be fetched again", update.update_id)
                await asyncio.sleep(pause)
                break
            offset = update.update_id + 1
