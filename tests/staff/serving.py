"""The whole server as `kyoso serve` wires it (channels, ingest, staff console), on a free local port."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from bot.app import App, AppOptions, build_app
from bot.emulators.line import LineEmulator
from bot.ingest.worker import Ingest
from bot.server.app import INGEST, create_server_app
from bot.settings import Settings
from tests.harness import FAST, LinePlayer, add_staff, load


@dataclass
class Running:
    app: App
    url: str
    ingest: Ingest

    async def play_over_line(self, emulator: LineEmulator, user_id: str, transcript: Path, replace: dict[str, str]) -> None:
        """A proposer plays a transcript in LINE: follows, types (``replace`` swaps texts) and taps quick replies."""
        emulator.webhook_url = f"{self.url}/webhooks/line"
        proposer = LinePlayer(emulator, user_id, self.ingest.idle, replace=replace)
        for turn in load(transcript)["turns"]:
            await proposer.act(turn)


@asynccontextmanager
async def running_server(settings: Settings, options: AppOptions = FAST) -> AsyncIterator[Running]:
    """Serve ``settings`` with a staff account 'sato' (password ``PASSWORD``) ready to log in."""
    app = await build_app(settings, options)
    server = create_server_app(app)
    runner = web.AppRunner(server, access_log=None)
    try:
        await add_staff(app, "sato")
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        host, port = runner.addresses[0][:2]
        yield Running(app, f"http://{host}:{port}", server[INGEST])
    finally:
        await runner.cleanup()
        await app.close()
