"""Webhook throughput and latency: `kyoso serve`'s LINE path against a bare aiohttp handler, same load.

    .venv/bin/python bench/webhook.py [--events 2000] [--users 200] [--concurrency 64] [--database-url URL]

Starts the LINE emulator, the bot's server (SQLite in a temporary folder
unless --database-url is given) and a bare handler that only reads the body
and answers 200, then posts signed text events with ``--concurrency``
connections and prints: events/s acknowledged, turns/s fully processed
(reply delivered to the emulator), p50/p99 acknowledgement latency, and the
ratio to the bare handler. Numbers only; nothing here is a test.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
from aiohttp import web

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY))

from bot.app import build_app
from bot.emulators.line import LineEmulator
from bot.emulators.line.events import sign
from bot.server.app import INGEST, create_server_app
from bot.settings import Settings

SECRET, TOKEN = "bench-secret", "bench-token"


async def serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    return runner, f"http://{host}:{port}"


def bare_app() -> web.Application:
    async def handler(request: web.Request) -> web.Response:
        await request.read()
        return web.json_response({})

    app = web.Application()
    app.router.add_post("/webhooks/line", handler)
    return app


async def post_all(url: str, bodies: list[bytes], concurrency: int) -> tuple[float, list[float]]:
    """Post every body with ``concurrency`` connections; returns the wall time and each request's latency."""
    latencies: list[float] = []
    queue = list(reversed(bodies))
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as http:

        async def worker() -> None:
            while queue:
                body = queue.pop()
                headers = {"Content-Type": "application/json; charset=utf-8", "X-Line-Signature": sign(SECRET, body)}
                started = time.perf_counter()
                async with http.post(url, data=body, headers=headers) as response:
                    await response.read()
                    assert response.status == 200, response.status
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - started, latencies


def report(name: str, wall: float, latencies: list[float]) -> float:
    ordered = sorted(latencies)
    p50 = statistics.median(ordered) * 1000
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
    rate = len(latencies) / wall
    print(f"{name:<12} {rate:8.0f} events/s acknowledged   p50 {p50:6.1f} ms   p99 {p99:6.1f} ms")
    return rate


async def main(args: argparse.Namespace) -> None:
    emulator = LineEmulator(channel_secret=SECRET, access_token=TOKEN)
    await emulator.start()
    users = [f"U{n:032x}" for n in range(args.users)]
    bodies = [
        json.dumps({"destination": "U" + "0" * 32, "events": [emulator.text_event(users[n % len(users)], "メニュー")]}, ensure_ascii=False).encode()
        for n in range(args.events)
    ]
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            database_url=args.database_url or f"sqlite+aiosqlite:///{folder}/bench.db",
            LINE_CHANNEL_SECRET=SECRET, LINE_CHANNEL_ACCESS_TOKEN=TOKEN, LINE_API_BASE_URL=emulator.url,
        )
        app = await build_app(settings)
        server = create_server_app(app, settings)
        bot_runner, bot_url = await serve(server)
        bare_runner, bare_url = await serve(bare_app())
        try:
            bare_wall, bare_latencies = await post_all(bare_url + "/webhooks/line", bodies, args.concurrency)
            started = time.perf_counter()
            bot_wall, bot_latencies = await post_all(bot_url + "/webhooks/line", bodies, args.concurrency)
            await server[INGEST].idle()
            processed = time.perf_counter() - started
            delivered = sum(1 for call in emulator.calls if call.endpoint in ("reply", "push") and call.status == 200)
            print(f"{args.events} events from {args.users} users, {args.concurrency} connections, database {settings.database_url.split(':')[0]}")
            bare_rate = report("bare aiohttp", bare_wall, bare_latencies)
            bot_rate = report("kyoso", bot_wall, bot_latencies)
            print(f"kyoso / bare: {bot_rate / bare_rate:.2f}")
            print(f"turns fully processed: {delivered / processed:.0f}/s ({delivered} replies delivered in {processed:.1f} s)")
        finally:
            await bot_runner.cleanup()
            await bare_runner.cleanup()
            await app.close()
            await emulator.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--database-url", help="e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/kyoso_bench")
    asyncio.run(main(parser.parse_args()))
