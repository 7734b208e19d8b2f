"""A bounded burst through the LINE emulator against real `kyoso serve` workers: nothing lost, nothing twice.

    .venv/bin/python bench/load.py --users 10000 --messages 5                        # 1 worker, SQLite
    .venv/bin/python bench/load.py --users 10000 --messages 5 --workers 2 --postgres  # 2 workers, PostgreSQL

Starts the LINE emulator, ``--workers`` `kyoso serve` processes on a fresh
database (a temporary SQLite file, or with ``--postgres`` a database created
on KYOSO_TEST_POSTGRES_URL's server and dropped afterwards; or ``--database-url``) and a round-robin
balancer in front of them; every user adds the bot as a friend, then asks
``--messages`` questions in order.
First the same burst (other users) goes to a bare aiohttp handler's process,
the baseline of the same run. When every event is done it prints accepted and
processed questions, lost, duplicates, out-of-order users, throughput against
the baseline, p99 latencies, the workers' CPU per event and each worker's
peak RSS (``--json``: one JSON object instead). Production defaults: FAQ
embeddings on (``--no-embeddings`` says otherwise beside the numbers).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY))

from sqlalchemy import make_url  # noqa: E402

from bench.bare import start_bare  # noqa: E402
from bench.burst import send_burst, user_ids  # noqa: E402
from bench.databases import content_dir, fresh_database  # noqa: E402
from bench.tally import settle, tally  # noqa: E402
from bench.workers import SECRET, TOKEN, Balancer, Workers, free_port, worker_environment  # noqa: E402
from bot.emulators.line import LineEmulator  # noqa: E402
from storage.sql_store import create_engine_for  # noqa: E402


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else 0.0


async def baseline(args: argparse.Namespace, emulator: LineEmulator) -> float:
    """Acknowledgements per second of the same burst (other users) against a bare handler's process."""
    process, url = await start_bare(free_port())
    try:
        emulator.webhook_url = url + "/webhooks/line"
        burst = await send_burst(emulator, user_ids(args.users, first=1 << 64), args.messages, args.concurrency)
    finally:
        process.terminate()
        await process.wait()
    return len(burst.ack_seconds) / burst.seconds


async def run(args: argparse.Namespace) -> dict[str, Any]:
    emulator = LineEmulator(channel_secret=SECRET, access_token=TOKEN)
    await emulator.start()
    with tempfile.TemporaryDirectory() as folder:
        async with fresh_database(Path(folder), args.postgres, args.database_url) as database_url:
            settings = {
                "faq_embeddings": str(not args.no_embeddings).lower(), "ingest_sweep_seconds": "1", "content_dir": str(content_dir()),
            }
            workers = Workers(args.workers, worker_environment(database_url, emulator.url, **settings), Path(folder))
            balancer = Balancer(workers)
            engine = create_engine_for(database_url)
            try:
                bare_rate = None if args.no_baseline else await baseline(args, emulator)
                await workers.start_all()
                emulator.webhook_url = await balancer.start() + "/webhooks/line"
                cpu = [worker.cpu_seconds() for worker in workers.workers]
                waited = [worker.runqueue_seconds() for worker in workers.workers]
                started = time.perf_counter()
                burst = await send_burst(emulator, user_ids(args.users), args.messages, args.concurrency, distinct=args.distinct)
                await settle(engine, timeout=args.settle_timeout)
                seconds = time.perf_counter() - started
                cpu = [worker.cpu_seconds() - before for worker, before in zip(workers.workers, cpu, strict=True)]
                waited = [worker.runqueue_seconds() - before for worker, before in zip(workers.workers, waited, strict=True)]
                result = await tally(engine, burst, emulator)
                peak_rss = [worker.peak_rss_kib() // 1024 for worker in workers.workers]
                memory = [worker.memory_mib() for worker in workers.workers]
            finally:
                await balancer.close()
                await workers.stop_all()
                await engine.dispose()
                await emulator.close()
    events = len(burst.questions) + args.users  # a follow per user, then its questions
    acknowledged = len(burst.ack_seconds) / burst.seconds
    return {
        "database": make_url(database_url).get_backend_name(),
        "workers": args.workers,
        "users": args.users,
        "messages_per_user": args.messages,
        "embeddings": not args.no_embeddings,
        "distinct_questions": args.distinct,
        "events": events,
        **result.as_dict(),
        "redeliveries": burst.redeliveries,
        "loading_calls": sum(1 for call in emulator.calls if call.endpoint == "loading"),  # LINE's animation, per waiting turn
        "seconds": round(seconds, 2),
        "bare_acknowledged_per_second": round(bare_rate, 1) if bare_rate else None,
        "acknowledged_per_second": round(acknowledged, 1),
        "handled_per_second": round((events - result.not_done) / seconds, 1),
        "ack_p99_ms": round(percentile(burst.ack_seconds, 0.99) * 1000, 1),
        "reply_p99_ms": round(percentile(emulator.reply_delays(), 0.99) * 1000, 1),
        "cpu_ms_per_event": round(sum(cpu) / events * 1000, 2),
        "worker_cpu_share": [round(seconds_used / seconds, 2) for seconds_used in cpu],
        "worker_runqueue_share": [round(seconds_waited / seconds, 2) for seconds_waited in waited],
        "peak_rss_mib": peak_rss,
        "memory_at_end_mib": memory,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10000)
    parser.add_argument("--messages", type=int, default=5, help="questions per user, sent one after the other")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL (KYOSO_TEST_POSTGRES_URL's server) instead of SQLite")
    parser.add_argument("--database-url", help="an empty database to use instead (left in place afterwards)")
    parser.add_argument("--concurrency", type=int, default=64, help="webhook calls in flight at once")
    parser.add_argument(
        "--no-embeddings", action="store_true", help="FAQ matching by BM25 alone (the default uses the embedding model, as production does)"
    )
    parser.add_argument("--distinct", action="store_true", help="every question a unique text (no question's vector is reused)")
    parser.add_argument("--no-baseline", action="store_true", help="skip the bare handler's run (tests)")
    parser.add_argument("--settle-timeout", type=float, default=1800.0, help="seconds to wait for the backlog")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    report = asyncio.run(run(args))
    if args.json:
        print(json.dumps(report))
        return
    questions = "distinct questions" if args.distinct else "questions (the same few, as a broadcast brings)"
    print(f"{report['events']} events: {args.users} users each follow, then ask {args.messages} {questions}; "
          f"{args.workers} worker(s) on {report['database']}, FAQ embeddings {'off' if args.no_embeddings else 'on'}")
    print(f"questions accepted {report['accepted']}  processed {report['processed']}  lost {report['lost']}  "
          f"duplicates {report['duplicates']}  out of order {report['out_of_order']}  not done {report['not_done']}")
    print(f"messages missing {report['missing_messages']}  extra {report['extra_messages']}  "
          f"redeliveries {report['redeliveries']}  loading animations started {report['loading_calls']}")
    bare = report["bare_acknowledged_per_second"]
    against = f" (a bare handler: {bare} events/s, ratio {report['acknowledged_per_second'] / bare:.2f})" if bare else ""
    print(f"throughput {report['acknowledged_per_second']} events/s acknowledged{against}, "
          f"{report['handled_per_second']} events/s handled ({report['seconds']} s in all)")
    print(f"worker CPU {report['cpu_ms_per_event']} ms per event (all workers), each worker's share of a core "
          + ", ".join(f"{share:.0%}" for share in report["worker_cpu_share"]) + "; ready but waiting for a core (the machine's "
          "other work) " + ", ".join(f"{share:.0%}" for share in report["worker_runqueue_share"]))
    print(f"p99 latency: acknowledgement {report['ack_p99_ms']} ms, event to reply {report['reply_p99_ms']} ms")
    print("peak RSS per worker: " + ", ".join(f"{mib} MiB" for mib in report["peak_rss_mib"]) + "; at the end: " + ", ".join(
        f"RSS {m['rss']} = own {m['private']} + mapped files {m['files']} (shared by the workers; PSS {m['pss']}) MiB"
        for m in report["memory_at_end_mib"]
    ))


if __name__ == "__main__":
    main()
