"""A TCP proxy between the bot and PostgreSQL that a test can cut, as a network outage or a database restart would."""

from __future__ import annotations

import asyncio

from bench.workers import Relay, Side


class CuttableProxy(Relay):
    def __init__(self, target_host: str, target_port: int) -> None:
        super().__init__()
        self._target = (target_host, target_port)

    async def start(self) -> None:
        """Listen (on a free port the first time, on the same port after a cut)."""
        await self.listen()

    async def cut(self) -> None:
        """Drop every open connection and refuse new ones until :meth:`start` is called again."""
        await self.close()

    async def _open(self) -> Side | None:
        try:
            return await asyncio.open_connection(*self._target)
        except OSError:
            return None
