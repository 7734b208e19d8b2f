"""Updates waiting for the bot, handed out by ``getUpdates`` with the real offset semantics.

An update stays until the bot confirms it by asking for a higher offset (or
the webhook took it). A newer ``getUpdates`` ends a pending one with 409,
as on the real server when two bot instances poll.
"""

from __future__ import annotations

import asyncio
from typing import Any

from bot.emulators.telegram.errors import ApiError


class Superseded(ApiError):
    def __init__(self) -> None:
        super().__init__(409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running")


class PendingUpdates:
    def __init__(self) -> None:
        self._pending: list[dict[str, Any]] = []
        self._changed = asyncio.Condition()
        self._poll_generation = 0

    def __len__(self) -> int:
        return len(self._pending)

    async def add(self, update: dict[str, Any]) -> None:
        async with self._changed:
            self._pending.append(update)
            self._changed.notify_all()

    def items(self) -> list[dict[str, Any]]:
        return list(self._pending)

    async def remove(self, update_id: int) -> None:
        async with self._changed:
            self._pending = [update for update in self._pending if update["update_id"] != update_id]

    async def clear(self) -> None:
        async with self._changed:
            self._pending.clear()

    async def get(self, offset: int | None, limit: int, timeout: float, allowed: list[str] | None) -> list[dict[str, Any]]:
        """``offset`` confirms every earlier update (negative: keep only the last ``-offset``); wait up to ``timeout`` s."""
        async with self._changed:
            self._poll_generation += 1
            generation = self._poll_generation
            self._changed.notify_all()
            self._confirm(offset)
            try:
                await asyncio.wait_for(
                    self._changed.wait_for(lambda: self._poll_generation != generation or bool(self._wanted(allowed))),
                    timeout=timeout if timeout > 0 else 0.001,
                )
            except TimeoutError:
                pass
            if self._poll_generation != generation:
                raise Superseded()
            return self._wanted(allowed)[:limit]

    def _confirm(self, offset: int | None) -> None:
        if offset is None or offset == 0:
            return
        if offset < 0:
            self._pending = self._pending[offset:]
        else:
            self._pending = [update for update in self._pending if update["update_id"] >= offset]

    def _wanted(self, allowed: list[str] | None) -> list[dict[str, Any]]:
        if not allowed:
            return self._pending
        return [update for update in self._pending if any(kind in update for kind in allowed)]
