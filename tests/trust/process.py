"""`kyoso serve` as a separate process, the way operators run it (its own logging set-up, access log)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import aiohttp

from bot.settings import REPOSITORY_ROOT
from tests.handoff.conftest import free_port


class ServeProcess:
    """Start with ``await start()``; ``stop()`` sends SIGTERM and returns everything the process printed."""

    def __init__(self, env: dict[str, str], workdir: Path, polling: bool = False) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._env = {**os.environ, "NO_PROXY": "127.0.0.1,localhost", **env}
        self._workdir = workdir
        self._polling = polling
        self._output = workdir / f"serve-{self.port}.log"
        self._process: subprocess.Popen[bytes] | None = None

    async def start(self) -> None:
        command = [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        command += ["--telegram-polling"] if self._polling else []
        with self._output.open("wb") as output:
            self._process = subprocess.Popen(
                command, cwd=self._workdir, env={**self._env, "PYTHONPATH": str(REPOSITORY_ROOT)},
                stdout=output, stderr=subprocess.STDOUT,
            )
        await wait_until(self._ready, what=f"kyoso serve on {self.url}", timeout=60)

    async def _ready(self) -> bool:
        assert self._process is not None
        if self._process.poll() is not None:
            raise AssertionError(f"kyoso serve exited:\n{self.output()}")
        try:
            async with aiohttp.ClientSession() as http, http.get(f"{self.url}/readyz") as response:
                return response.status == 200
        except aiohttp.ClientError:
            return False

    def stop(self) -> str:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            self._process.wait(timeout=30)
        return self.output()

    def output(self) -> str:
        return self._output.read_text(encoding="utf-8", errors="replace")


async def wait_until(condition: Callable[[], object], what: str, timeout: float = 30) -> None:
    """Poll ``condition`` (a function or coroutine function) until it is true."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = condition()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)
