"""Real `kyoso serve` worker processes behind a round-robin balancer, for the load benchmark and the fault tests.

Each worker is the installed ``kyoso`` command in its own process group, so
a test can ``kill -9`` it at any moment and start it again; the balancer
spreads webhook calls over the workers that are up, as a reverse proxy would.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import signal
import socket
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

KYOSO = Path(sys.executable).parent / "kyoso"
REPOSITORY = Path(__file__).resolve().parent.parent
SECRET, TOKEN = "load-test-channel-secret-0123456789", "load-test-access-token"
START_TIMEOUT_SECONDS = 90.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def worker_environment(database_url: str, line_api_url: str, **settings: str) -> dict[str, str]:
    """What every worker shares: the database, the LINE channel, and ``settings`` as ``KYOSO_NAME`` variables."""
    env = {name: value for name, value in os.environ.items() if not name.startswith(("KYOSO_", "LINE_", "TELEGRAM_"))}
    env.update(
        KYOSO_DATABASE_URL=database_url,
        LINE_CHANNEL_SECRET=SECRET,
        LINE_CHANNEL_ACCESS_TOKEN=TOKEN,
        LINE_API_BASE_URL=line_api_url,
        KYOSO_CONTENT_DIR=str(REPOSITORY),
        KYOSO_CACHE_DIR=str(REPOSITORY / "var" / "cache"),
        KYOSO_SESSION_SECRET="load-test-session-secret-0123456789abcdef",
        NO_PROXY="127.0.0.1,localhost",
    )
    env.update({f"KYOSO_{name.upper()}": value for name, value in settings.items()})
    return env


@dataclass
class Worker:
    port: int
    log: Path
    process: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def up(self) -> bool:
        return self.process is not None and self.process.returncode is None

    def cpu_seconds(self) -> float:
        """User + system CPU time the process has used so far (Linux: /proc/PID/stat)."""
        assert self.process is not None
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def runqueue_seconds(self) -> float:
        """How long the process's threads were ready to run but waited for a core (Linux: /proc/PID/task/*/schedstat):
        on a machine others share, the time this process lost to them."""
        assert self.process is not None
        total = 0
        for task in Path(f"/proc/{self.process.pid}/task").iterdir():
            with contextlib.suppress(OSError):
                total += int((task / "schedstat").read_text().split()[1])
        return total / 1e9

    def memory_mib(self) -> dict[str, int]:
        """The resident memory now, split: the process's own pages (``private``: Python's heap, the model's repacked
        weights) and the files it maps (``files``: the embedding model, SudachiPy's dictionary, libraries), which
        the page cache keeps once for every worker; ``pss`` counts each shared page once over the processes using it."""
        assert self.process is not None
        fields: dict[str, int] = {}
        for line in Path(f"/proc/{self.process.pid}/smaps_rollup").read_text().splitlines()[1:]:
            name, value, *_ = line.split()
            fields[name.rstrip(":")] = int(value) // 1024
        return {"rss": fields["Rss"], "pss": fields["Pss"], "private": fields["Anonymous"], "files": fields["Rss"] - fields["Anonymous"]}

    def peak_rss_kib(self) -> int:
        """The process's peak resident set size so far (Linux: VmHWM)."""
        assert self.process is not None
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")))


@dataclass
class Workers:
    count: int
    env: Mapping[str, str]
    folder: Path
    serve_options: tuple[str, ...] = ()  # more `kyoso serve` options, e.g. ("--telegram-polling",)
    workers: list[Worker] = field(default_factory=list)
    starts: int = 0

    def __post_init__(self) -> None:
        self.workers = [Worker(free_port(), self.folder / f"worker-{index}.log") for index in range(self.count)]

    async def start_all(self) -> None:
        await asyncio.gather(*(self.start(index) for index in range(self.count)))

    async def start(self, index: int) -> None:
        """Start worker ``index`` and wait until it answers ``/readyz``."""
        worker = self.workers[index]
        self.starts += 1
        with worker.log.open("ab") as log:
            worker.process = await asyncio.create_subprocess_exec(
                str(KYOSO), "serve", "--port", str(worker.port), *self.serve_options, cwd=self.folder, env=dict(self.env),
                stdout=log, stderr=log, start_new_session=True,
            )
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        async with aiohttp.ClientSession() as http:
            while time.monotonic() < deadline:
                if not worker.up:
                    raise RuntimeError(f"worker {index} exited: {worker.log.read_text()[-2000:]}")
                try:
                    async with http.get(worker.url + "/readyz") as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.2)
        raise RuntimeError(f"worker {index} did not become ready: {worker.log.read_text()[-2000:]}")

    async def kill(self, index: int) -> None:
        """``kill -9``: no clean-up of any kind."""
        process = self.workers[index].process
        assert process is not None
        process.send_signal(signal.SIGKILL)
        await process.wait()

    async def stop_all(self) -> None:
        """SIGTERM every running worker (a clean stop) and wait for it."""
        running = [worker.process for worker in self.workers if worker.up and worker.process]
        for process in running:
            process.send_signal(signal.SIGTERM)
        await asyncio.gather(*(process.wait() for process in running))


Side = tuple[asyncio.StreamReader, asyncio.StreamWriter]


class Relay:
    """A TCP relay on 127.0.0.1: each connection it takes is joined to one it opens (``_open``) until either ends."""

    def __init__(self) -> None:
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.Task[None]] = set()
        self.port = 0

    async def listen(self) -> None:
        """On a free port the first time, on the same port again after ``close``."""
        self._server = await asyncio.start_server(self._connect, "127.0.0.1", self.port, reuse_address=True)
        self.port = self._server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        """Drop every open connection and take no new ones."""
        if self._server is None:
            return
        self._server.close()
        for pipe in list(self._pipes):
            pipe.cancel()
        await asyncio.gather(*self._pipes, return_exceptions=True)
        await self._server.wait_closed()

    async def _open(self) -> Side | None:
        raise NotImplementedError

    async def _connect(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        other = await self._open()
        if other is None:
            client_writer.close()
            return
        await splice((client_reader, client_writer), other, self._pipes)


class Balancer(Relay):
    """Round robin over the workers per connection, as a reverse proxy in TCP mode would (cheap enough not to
    be what a benchmark measures): a worker that refuses the connection is skipped; when a worker dies, its
    connections drop, the caller gets no answer and the platform delivers again."""

    def __init__(self, workers: Workers) -> None:
        super().__init__()
        self._workers = workers
        self._turns = itertools.cycle(range(workers.count))
        self.url = ""

    async def start(self) -> str:
        await self.listen()
        self.url = f"http://127.0.0.1:{self.port}"
        return self.url

    async def _open(self) -> Side | None:
        for _ in range(self._workers.count):
            worker = self._workers.workers[next(self._turns)]
            try:
                return await asyncio.open_connection("127.0.0.1", worker.port)
            except OSError:
                continue  # nothing was sent: the next worker may take it
        return None


async def splice(one: Side, other: Side, pipes: set[asyncio.Task[None]]) -> None:
    """Copy bytes both ways until either side ends, then close both; the copying tasks are in ``pipes`` meanwhile."""
    copying = [asyncio.create_task(_pump(one[0], other[1])), asyncio.create_task(_pump(other[0], one[1]))]
    pipes.update(copying)
    try:
        await asyncio.wait(copying, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in copying:
            task.cancel()
            pipes.discard(task)
        one[1].close()
        other[1].close()


async def _pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
