"""The whole server as `kyoso serve` wires it (channels, ingest, staff console), on a free local port."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import yaml
from aiohttp import web

from bot.app import App, AppOptions, build_app
from bot.emulators.line import LineEmulator
from bot.ingest.worker import Ingest
from bot.server.app import INGEST, create_server_app
from bot.settings import Settings
from tests.line.conftest import FAST
from tests.staff.conftest import PASSWORD_HASH


@dataclass
class Running:
    app: App
    url: str
    ingest: Ingest

    async def play_over_line(self, emulator: LineEmulator, user_id: str, transcript: Path, replace: dict[str, str]) -> None:
        """A proposer plays a transcript in LINE: follows, types (``replace`` swaps texts) and taps quick replies."""
        emulator.webhook_url = f"{self.url}/webhooks/line"
        for turn in yaml.safe_load(transcript.read_text(encoding="utf-8"))["turns"]:
            if turn.get("start"):
                status = await emulator.follow(user_id)
            elif "send" in turn:
                text = str(turn["send"])
                status = await emulator.type(user_id, replace.get(text, text))
            else:
                status = await emulator.tap(user_id, str(turn["press"]))
            assert status == 200
            await self.ingest.idle()


@asynccontextmanager
async def running_server(settings: Settings, options: AppOptions = FAST) -> AsyncIterator[Running]:
    """Serve ``settings`` with a staff account 'sato' (password ``PASSWORD``) ready to log in."""
    app = await build_app(settings, options)
    server = create_server_app(app)
    runner = web.AppRunner(server, access_log=None)
    try:
        staff, now = app.staff.services.staff, app.clock.now()
        await staff.add_user("sato", PASSWORD_HASH, now)
        await staff.set_password("sato", PASSWORD_HASH, temporary=False, now=now)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        host, port = runner.addresses[0][:2]
        yield Running(app, f"http://{host}:{port}", server[INGEST])
    finally:
        await runner.cleanup()
        await app.close()
