"""bench/load.py at a reduced size: real `kyoso serve` workers, every acknowledged event handled once and in order.

On PostgreSQL two workers take turns (round robin) at the events of the same
users, as behind a load balancer.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import REPOSITORY_ROOT

LOAD = REPOSITORY_ROOT / "bench" / "load.py"


def _load(database_url: str, workers: int, users: int, messages: int, folder: Path) -> dict[str, object]:
    finished = subprocess.run(
        [sys.executable, str(LOAD), "--users", str(users), "--messages", str(messages), "--workers", str(workers),
         "--database-url", database_url, "--json", "--no-baseline"],
        capture_output=True, text=True, timeout=300, cwd=folder,
    )
    assert finished.returncode == 0, finished.stderr
    return json.loads(finished.stdout.splitlines()[-1])


def test_a_burst_on_one_sqlite_worker_is_handled_once(tmp_path: Path) -> None:
    report = _load(f"sqlite+aiosqlite:///{tmp_path / 'load.db'}", workers=1, users=50, messages=3, folder=tmp_path)
    assert (report["accepted"], report["processed"]) == (150, 150)
    assert (report["lost"], report["duplicates"], report["out_of_order"], report["not_done"]) == (0, 0, 0, 0)
    assert (report["missing_messages"], report["extra_messages"]) == (0, 0)


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_two_workers_share_the_same_users_without_losing_or_repeating_a_turn(database_url: str, tmp_path: Path) -> None:
    report = _load(database_url, workers=2, users=30, messages=6, folder=tmp_path)
    assert (report["accepted"], report["processed"]) == (180, 180)
    assert (report["lost"], report["duplicates"], report["out_of_order"], report["not_done"]) == (0, 0, 0, 0)
    assert (report["missing_messages"], report["extra_messages"]) == (0, 0)
