"""The baseline every benchmark is compared with: a bare aiohttp handler, in its own process, that reads the body and answers 200.

    .venv/bin/python bench/bare.py PORT
"""

from __future__ import annotations

import asyncio
import subprocess
import sys

import aiohttp
from aiohttp import web

PATHS = ("/webhooks/line", "/webhooks/telegram")


def bare_app() -> web.Application:
    async def handler(request: web.Request) -> web.Response:
        await request.read()
        return web.json_response({})

    app = web.Application()
    for path in PATHS:
        app.router.add_post(path, handler)
    return app


async def start_bare(port: int) -> tuple[asyncio.subprocess.Process, str]:
    """Start the bare handler's process on ``port``; returns it and its base URL once it answers."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, __file__, str(port), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    async with aiohttp.ClientSession() as http:
        for _ in range(200):
            try:
                async with http.post(url + PATHS[0], data=b"{}") as response:
                    if response.status == 200:
                        return process, url
            except aiohttp.ClientError:
                await asyncio.sleep(0.05)
    process.terminate()
    raise RuntimeError("the bare handler did not start")


if __name__ == "__main__":
    web.run_app(bare_app(), host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None)
