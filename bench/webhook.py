"""The LINE webhook of one `kyoso serve` worker against a bare aiohttp handler, both as processes, in the same run.

    .venv/bin/python bench/webhook.py [--runs 3] [--seconds 10] [--connections 64] [--postgres]
                                      [--open-loop-rate 200] [--open-loop-seconds 10] [--users 1000]

1. Acknowledgements: wrk (Debian's package) posts distinct signed LINE text
   events (FAQ questions from ``--users`` users) with ``--connections``
   connections for ``--seconds``, first to a bare handler that reads the body
   and answers 200, then to a fresh worker (a new database each run) that
   stores, handles and answers them; each run prints both, and the ratio.
2. An open loop: ``--open-loop-rate`` mixed events a second (FAQ questions,
   menu buttons, a draft form's answers) from ``--users`` users who added the
   bot first, for ``--open-loop-seconds``, sent on schedule whatever the bot
   does; it prints how many were answered and event-to-reply latency (taken
   by the LINE emulator when the reply arrives), against the bare handler's
   acknowledgement latency at the same rate.

Production defaults: SQLite (``--postgres`` for PostgreSQL), FAQ embeddings
on, the access log off. The machine is shared: compare the ratio, look at
the median of the runs. Numbers only; nothing here is a test.
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

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY))

from bench import wrk  # noqa: E402
from bench.bare import start_bare  # noqa: E402
from bench.databases import content_dir, fresh_database  # noqa: E402
from bench.openloop import QUESTIONS, run_open_loop  # noqa: E402
from bench.workers import SECRET, TOKEN, Workers, free_port, worker_environment  # noqa: E402
from bot.emulators.line import LineEmulator  # noqa: E402
from bot.emulators.line.events import sign  # noqa: E402

PATH = "/webhooks/line"


def signed_bodies(emulator: LineEmulator, users: list[str], count: int) -> list[tuple[str, bytes]]:
    bodies = []
    for number in range(count):
        event = emulator.text_event(users[number % len(users)], QUESTIONS[number % len(QUESTIONS)])
        body = json.dumps({"destination": "U" + "0" * 32, "events": [event]}, ensure_ascii=False).encode()
        bodies.append((sign(SECRET, body), body))
    return bodies


async def worker_for(folder: Path, database_url: str, emulator: LineEmulator) -> Workers:
    env = worker_environment(database_url, emulator.url, faq_embeddings="true", content_dir=str(content_dir()))
    workers = Workers(1, env, folder)
    await workers.start_all()
    return workers


def replies_since(emulator: LineEmulator, calls_before: int) -> int:
    return sum(1 for call in emulator.calls[calls_before:] if call.endpoint in ("reply", "push") and call.status == 200)


async def acknowledgements(args: argparse.Namespace, emulator: LineEmulator, bare_url: str, folder: Path) -> None:
    ratios, p99s = [], []
    for run in range(1, args.runs + 1):
        users = [f"U{run:08x}{number:024x}" for number in range(args.users)]
        bodies = folder / f"bodies-{run}.txt"
        wrk.write_bodies(bodies, signed_bodies(emulator, users, args.bodies))
        bare = await wrk.run(bare_url + PATH, bodies, folder, args.connections, args.seconds)
        async with fresh_database(folder, args.postgres, None) as database_url:
            workers = await worker_for(folder, database_url, emulator)
            worker = workers.workers[0]
            try:
                calls, cpu = len(emulator.calls), worker.cpu_seconds()
                bot = await wrk.run(worker.url + PATH, bodies, folder, args.connections, args.seconds)
                cpu, answered = worker.cpu_seconds() - cpu, replies_since(emulator, calls)
                rss = worker.peak_rss_kib() // 1024
            finally:
                await workers.stop_all()
        ratios.append(bot.requests_per_second / bare.requests_per_second)
        p99s.append(bot.p99_ms)
        print(f"run {run}: bare {_line(bare)}")
        print(f"       kyoso {_line(bot)}  ratio {ratios[-1]:.2f}")
        print(f"       kyoso meanwhile answered {answered / args.seconds:.0f} events/s; its CPU {cpu / args.seconds:.0%} of a core; "
              f"{cpu / max(bot.requests, 1) * 1e6:.0f} us CPU per acknowledged event (handling included); peak RSS {rss} MiB")
        if bot.wrapped:
            print(f"       (the {args.bodies} distinct bodies ran out: repeats were posted; raise --bodies)")
    print(f"acknowledgements, median of {args.runs}: kyoso / bare {statistics.median(ratios):.2f}, "
          f"kyoso p99 {statistics.median(p99s):.1f} ms  ({args.connections} connections, {args.seconds:g} s each)")


async def open_loop(args: argparse.Namespace, emulator: LineEmulator, bare_url: str, folder: Path) -> None:
    users = [f"Uf{number:031x}" for number in range(args.users)]
    bare = await run_open_loop(emulator, bare_url + PATH, users, args.open_loop_rate, args.open_loop_seconds)
    async with fresh_database(folder, args.postgres, None) as database_url:
        workers = await worker_for(folder, database_url, emulator)
        worker = workers.workers[0]
        try:
            emulator.webhook_url = worker.url + PATH
            follows = [emulator.follow_event(user) for user in users]
            for start in range(0, len(follows), 50):  # add the bot as a friend first, 50 at a time
                await asyncio.gather(*(emulator.send([event]) for event in follows[start:start + 50]))
            await _until(lambda: all(emulator.reply_seconds(event["replyToken"]) is not None for event in follows), 120)
            cpu, waited, started = worker.cpu_seconds(), worker.runqueue_seconds(), time.monotonic()
            loop = await run_open_loop(emulator, worker.url + PATH, users, args.open_loop_rate, args.open_loop_seconds)
            await _until(lambda: all(emulator.reply_seconds(token) is not None for token in loop.tokens), 30)
            cpu, waited = worker.cpu_seconds() - cpu, worker.runqueue_seconds() - waited
            busy = time.monotonic() - started
            rss = worker.peak_rss_kib() // 1024
        finally:
            await workers.stop_all()
    delays = [seconds for token in loop.tokens if (seconds := emulator.reply_seconds(token)) is not None]
    print(f"open loop: {args.open_loop_rate:g} mixed events/s for {args.open_loop_seconds:g} s from {args.users} users "
          f"(the sender fell behind its schedule by {loop.late_seconds * 1000:.0f} ms at most)")
    print(f"  bare  acknowledged {bare.acknowledged}/{bare.sent}  ack p50 {_ms(bare.ack_seconds, 0.5)}  p99 {_ms(bare.ack_seconds, 0.99)}")
    print(f"  kyoso acknowledged {loop.acknowledged}/{loop.sent}  ack p50 {_ms(loop.ack_seconds, 0.5)}  p99 {_ms(loop.ack_seconds, 0.99)}")
    print(f"  kyoso answered {len(delays)}/{loop.sent}  event to reply p50 {_ms(delays, 0.5)}  p99 {_ms(delays, 0.99)}  "
          f"max {_ms(delays, 1.0)}; peak RSS {rss} MiB")
    print(f"  kyoso from the first event to the last reply ({busy:.1f} s): CPU {cpu / busy:.0%} of a core, "
          f"ready but waiting for a core {waited / busy:.0%} of the time (what the machine's other work took)")


async def _until(condition: object, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:  # type: ignore[operator]
        await asyncio.sleep(0.1)


def _ms(seconds: list[float], share: float) -> str:
    if not seconds:
        return "-"
    ordered = sorted(seconds)
    return f"{ordered[min(len(ordered) - 1, int(len(ordered) * share))] * 1000:.1f} ms"


def _line(run: wrk.Run) -> str:
    failed = f", {run.failed} failed" if run.failed else ""
    return f"{run.requests_per_second:8.0f} acks/s  p50 {run.p50_ms:7.1f} ms  p99 {run.p99_ms:7.1f} ms{failed}"


async def main(args: argparse.Namespace) -> None:
    if not wrk.available():
        raise SystemExit("wrk is not installed: apt-get install wrk")
    async with LineEmulator(channel_secret=SECRET, access_token=TOKEN) as emulator:
        with tempfile.TemporaryDirectory() as name:
            folder = Path(name)
            bare_process, bare_url = await start_bare(free_port())
            try:
                print(f"conditions: {'PostgreSQL' if args.postgres else 'SQLite'}, 1 worker, FAQ embeddings on, "
                      f"{args.users} users; wrk -t2 -c{args.connections}; everything on this machine's cores")
                if args.runs:
                    await acknowledgements(args, emulator, bare_url, folder)
                if args.open_loop_rate:
                    await open_loop(args, emulator, bare_url, folder)
            finally:
                bare_process.terminate()
                await bare_process.wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="acknowledgement runs (0: the open loop only)")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--bodies", type=int, default=80000, help="distinct events per run (more than kyoso can take)")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL (KYOSO_TEST_POSTGRES_URL's server) instead of SQLite")
    parser.add_argument("--open-loop-rate", type=float, default=200.0, help="events/s of the open loop (0: none)")
    parser.add_argument("--open-loop-seconds", type=float, default=10.0)
    asyncio.run(main(parser.parse_args()))
