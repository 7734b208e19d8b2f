"""What issue 12's protections cost on the log-in and web-chat paths: the code before them against now, in the same run.

    .venv/bin/python bench/security_cost.py [--before REV] [--runs 3] [--requests 40]

Each run starts `kyoso serve` twice as a process, from a checkout of ``--before``
(a temporary git worktree) and from this tree, each on a fresh SQLite database
with one staff account, and times from one client, one request at a time:

- ``healthz``: ``GET /healthz``, the baseline every other number is divided by;
- ``chat``: a web-chat turn (``POST /api/chat``, FAQ questions, the same visitor);
- ``replies``: the page's poll for staff replies (``GET /api/staff-replies``);
- ``login ok`` / ``login wrong`` / ``login unknown``: a staff log-in with the
  right password, a wrong one, and an unknown name (a new one each time);
- ``healthz during log-ins``: the longest ``/healthz`` while four log-ins run at
  once (the event loop was blocked by argon2 before it moved to a thread).

Production defaults (FAQ embeddings on, access log off), except the per-address
and per-user limits, raised so the bench is not refused. The machine is shared:
read the ratios (path / healthz of the same server, then now / before) and the
median of the runs. Numbers only; nothing here is a test.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY))

from bench.workers import free_port  # noqa: E402

BEFORE = "0cf3ba9"  # main just before issue 12's changes
QUESTIONS = ["NPO法人でも提案できますか", "提案の締め切りはいつですか", "相談だけでもできますか", "費用は市が出してくれますか"]
PATHS = ["healthz", "chat", "replies", "login ok", "login wrong", "login unknown", "healthz during log-ins"]


class Server:
    """`python -m bot serve` from ``checkout`` (its own code, content and database)."""

    def __init__(self, checkout: Path, folder: Path) -> None:
        self.checkout, self.folder, self.port = checkout, folder, free_port()
        self.env = {
            **{name: value for name, value in os.environ.items() if not name.startswith(("KYOSO_", "LINE_", "TELEGRAM_"))},
            "PYTHONPATH": str(checkout), "KYOSO_DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'kyoso.db'}",
            "KYOSO_CONTENT_DIR": str(checkout), "KYOSO_CACHE_DIR": str(REPOSITORY / "var" / "cache"),
            "KYOSO_SESSION_SECRET": "bench-session-secret-0123456789abcdefghij",
            "KYOSO_ADDRESS_POSTS_PER_MINUTE": "1000000", "KYOSO_USER_MESSAGES_PER_MINUTE": "1000000",
            "NO_PROXY": "127.0.0.1,localhost",
        }
        self.process: subprocess.Popen[bytes] | None = None
        self.password = ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _bot(self, *arguments: str, **options: object) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "bot", *arguments], cwd=self.checkout, env=self.env,
                              capture_output=True, text=True, check=True, **options)  # type: ignore[call-overload]

    async def start(self) -> None:
        where = subprocess.run([sys.executable, "-c", "import bot; print(bot.__file__)"], cwd=self.checkout, env=self.env,
                               capture_output=True, text=True, check=True).stdout
        if not where.startswith(str(self.checkout)):
            raise RuntimeError(f"{self.checkout} imports bot from {where}")
        said = self._bot("staff", "add", "sato").stdout
        found = re.search(r"one-time password for \S+: (\S+)", said)
        if found is None:
            raise RuntimeError(f"no one-time password in {said!r}")
        self.password = found.group(1)
        log = (self.folder / "serve.log").open("ab")
        self.process = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--port", str(self.port)],
                                        cwd=self.checkout, env=self.env, stdout=log, stderr=log)
        async with aiohttp.ClientSession() as http:
            for _ in range(600):
                try:
                    async with http.get(self.url + "/readyz") as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.2)
        raise RuntimeError(f"{self.checkout} did not start: {(self.folder / 'serve.log').read_text()[-2000:]}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(30)


async def _timed(call: Callable[[], Awaitable[None]]) -> float:
    started = time.perf_counter()
    await call()
    return time.perf_counter() - started


async def _login(http: aiohttp.ClientSession, url: str, name: str, password: str, expected: int) -> float:
    async with http.get(url + "/staff/login") as page:
        token = re.search(r'name="csrf_token" value="([^"]+)"', await page.text())
    if token is None:
        raise RuntimeError("no CSRF token on the log-in page")
    form = {"name": name, "password": password, "csrf_token": token.group(1)}

    async def post() -> None:
        async with http.post(url + "/staff/login", data=form, allow_redirects=False) as response:
            if response.status != expected:
                raise RuntimeError(f"log-in {name}: {response.status}, expected {expected}")

    return await _timed(post)


async def measure(server: Server, requests: int) -> dict[str, float]:
    """The median seconds of each path."""
    times: dict[str, list[float]] = {path: [] for path in PATHS}
    url = server.url
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        async def get(path: str) -> None:
            async with http.get(url + path) as response:
                await response.read()

        async def turn(text: str) -> None:
            async with http.post(url + "/api/chat", json={"text": text}) as response:
                if response.status != 200:
                    raise RuntimeError(f"chat: {response.status}")
                await response.read()

        await turn("こんにちは")  # the visitor's cookie, and a warm FAQ
        for n in range(requests):
            times["healthz"].append(await _timed(lambda: get("/healthz")))
            times["chat"].append(await _timed(lambda: turn(QUESTIONS[n % len(QUESTIONS)])))  # noqa: B023 - awaited at once
            times["replies"].append(await _timed(lambda: get("/api/staff-replies?after=0")))
            async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as staff:
                times["login wrong"].append(await _login(staff, url, "sato", "not the password", 401))
                times["login ok"].append(await _login(staff, url, "sato", server.password, 303))  # resets the count
                times["login unknown"].append(await _login(staff, url, f"nobody-{n}", "not the password", 401))
        for _ in range(max(1, requests // 4)):
            browsers = [aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) for _ in range(4)]
            try:
                logins = [asyncio.create_task(_login(browser, url, "sato", server.password, 303)) for browser in browsers]
                await asyncio.sleep(0.02)
                waits = [0.0]
                while not all(task.done() for task in logins):
                    waits.append(await _timed(lambda: get("/healthz")))
                times["healthz during log-ins"].append(max(waits))  # the longest any other request waited
                await asyncio.gather(*logins)
            finally:
                await asyncio.gather(*(browser.close() for browser in browsers))
    return {path: statistics.median(values) for path, values in times.items()}


async def one_run(before: Path, requests: int) -> dict[str, dict[str, float]]:
    found = {}
    for label, checkout in [("before", before), ("now", REPOSITORY)]:
        with tempfile.TemporaryDirectory() as folder:
            server = Server(checkout, Path(folder))
            try:
                await server.start()
                found[label] = await measure(server, requests)
            finally:
                server.stop()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", default=BEFORE, help="the commit to compare with (default: just before issue 12)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--requests", type=int, default=40, help="requests per path and run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        before = Path(scratch) / "before"
        subprocess.run(["git", "-C", str(REPOSITORY), "worktree", "add", "--detach", str(before), args.before],
                       check=True, capture_output=True)
        try:
            runs = []
            for index in range(args.runs):
                runs.append(asyncio.run(one_run(before, args.requests)))
                print(f"run {index + 1}: " + ", ".join(
                    f"{path} {runs[-1]['before'][path] * 1000:.1f} -> {runs[-1]['now'][path] * 1000:.1f} ms" for path in PATHS
                ), flush=True)
        finally:
            subprocess.run(["git", "-C", str(REPOSITORY), "worktree", "remove", "--force", str(before)], check=False)
    print(f"\nmedians of {args.runs} runs (ms; ×healthz = path / healthz of the same server; now/before of that ratio)")
    print(f"{'path':24} {'before':>9} {'now':>9} {'×healthz before':>16} {'×healthz now':>13} {'now/before':>11}")
    for path in PATHS:
        medians = {label: statistics.median(run[label][path] for run in runs) for label in ("before", "now")}
        relative = {label: statistics.median(run[label][path] / run[label]["healthz"] for run in runs) for label in ("before", "now")}
        print(f"{path:24} {medians['before'] * 1000:9.2f} {medians['now'] * 1000:9.2f} "
              f"{relative['before']:16.2f} {relative['now']:13.2f} {relative['now'] / relative['before']:11.2f}")


if __name__ == "__main__":
    main()
