"""Slow clients against `kyoso serve` as a process: idle connections, trickled headers and bodies are cut off.

The timeouts are set short here (1 s) so the test is quick; production defaults
are 15 s (idle, headers) and 30 s (body). Before they were set, each of these
connections stayed open for an hour.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bench.workers import Workers, worker_environment
from bot.emulators.line import LineEmulator
from tests.harness import SECRET, TOKEN

CUT_OFF_WITHIN = 8.0  # seconds: generous on a loaded machine, against an hour before


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[str]:
    line = LineEmulator(channel_secret=SECRET, access_token=TOKEN)
    await line.start()
    env = worker_environment(
        f"sqlite+aiosqlite:///{tmp_path / 'kyoso.db'}", line.url, faq_embeddings="false",
        http_idle_seconds="1", http_body_seconds="1",
    )
    workers = Workers(1, env, tmp_path)
    try:
        await workers.start_all()
        yield workers.workers[0].url
    finally:
        await workers.stop_all()
        await line.close()


async def _held_for(url: str, chunks: list[bytes], every: float, first_line: bool = False) -> tuple[float, bytes]:
    """Connect, send ``chunks`` one by one ``every`` seconds apart, then wait; how long until the server closed
    (or, with ``first_line``, answered), and what it said."""
    host, port = url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    started = time.monotonic()

    async def trickle() -> None:
        for chunk in chunks:
            writer.write(chunk)
            await writer.drain()
            await asyncio.sleep(every)

    dripping = asyncio.create_task(trickle())
    try:
        said = await asyncio.wait_for(reader.readline() if first_line else reader.read(), CUT_OFF_WITHIN)
    finally:
        dripping.cancel()
        writer.close()
    return time.monotonic() - started, said


async def test_an_idle_connection_is_closed(server: str) -> None:
    held, said = await _held_for(server, [], 0)
    assert held < CUT_OFF_WITHIN and said == b""


async def test_headers_trickled_byte_by_byte_are_cut_off(server: str) -> None:
    head = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 200
    held, _ = await _held_for(server, [head[i:i + 1] for i in range(len(head))], 0.2)
    assert held < CUT_OFF_WITHIN


async def test_a_trickled_body_gets_408(server: str) -> None:
    head = b"POST /api/chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n"
    held, said = await _held_for(server, [head, *[b" "] * 100], 0.2, first_line=True)
    assert held < CUT_OFF_WITHIN and said.startswith(b"HTTP/1.1 408")


async def test_a_trickled_webhook_body_gets_408(server: str) -> None:
    """The platforms' webhooks go past the middlewares (bot/server/webhooks.py), not past the deadline."""
    head = b"POST /webhooks/line HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n"
    held, said = await _held_for(server, [head, *[b" "] * 100], 0.2, first_line=True)
    assert held < CUT_OFF_WITHIN and said.startswith(b"HTTP/1.1 408")


async def test_a_trickled_upload_gets_408(server: str) -> None:
    """The web chat's file upload (multipart, read as a stream by its route) has the same deadline."""
    head = (b"POST /api/chat/upload HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n"
            b"Content-Length: 100000\r\n\r\n--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\n%PDF")
    held, said = await _held_for(server, [head, *[b" "] * 100], 0.2, first_line=True)
    assert held < CUT_OFF_WITHIN and said.startswith(b"HTTP/1.1 408")


async def test_a_keep_alive_connection_left_idle_after_an_answer_is_closed(server: str) -> None:
    held, said = await _held_for(server, [b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"], 0)
    assert said.startswith(b"HTTP/1.1 200") and held < CUT_OFF_WITHIN
