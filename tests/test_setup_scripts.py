"""The README's two commands: scripts/run installs only what running needs, scripts/test adds the test extras.

The scripts run for real on a copy of the repository's scripts; only the virtualenv's python, kyoso, ruff and mypy are
stand-ins that write down how they were called (a real install takes minutes and the network).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from bot.settings import REPOSITORY_ROOT

RECORDER = """#!/bin/sh
echo "$(basename "$0") $*" >> "$(dirname "$0")/../../calls.log"
"""


def _copy(tmp_path: Path) -> Path:
    (tmp_path / "scripts").mkdir()
    for name in ("run", "test", "setup.sh"):
        shutil.copy2(REPOSITORY_ROOT / "scripts" / name, tmp_path / "scripts" / name)
    (tmp_path / "scripts" / "start-postgres").write_text("#!/bin/sh\nexit 0\n")
    shutil.copy2(REPOSITORY_ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    bin_dir = tmp_path / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    for name in ("python", "kyoso", "ruff", "mypy"):
        (bin_dir / name).write_text(RECORDER)
    for path in [*bin_dir.iterdir(), *(tmp_path / "scripts").iterdir()]:
        path.chmod(0o755)
    return tmp_path


def _run(root: Path, script: str, check: bool = True) -> list[str]:
    """The calls the script made (pip installs, kyoso commands, pytest), in order; then forget them."""
    environment = {**os.environ, "PYTHON": sys.executable}
    environment.pop("CI", None)
    subprocess.run([str(root / "scripts" / script)], cwd=root, env=environment, check=check, capture_output=True, timeout=60)
    log = root / "calls.log"
    calls = log.read_text().splitlines()
    log.unlink()
    return calls


def _installs(calls: list[str]) -> list[str]:
    return [call.split(" -e ", 1)[1] for call in calls if "pip install" in call and " -e " in call]


def test_run_installs_the_project_without_test_extras_and_test_adds_them(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    run = _run(root, "run")
    assert _installs(run) == ["."], run
    assert run[-2:] == ["kyoso check", "kyoso serve"]

    test = _run(root, "test")
    assert _installs(test) == [".[test]"], "the test tools are added the first time scripts/test runs"
    assert test[-4:] == ["kyoso check", "ruff check .", "mypy ", "python -m pytest -n auto"], "lint and types, then one test process per core"

    assert _installs(_run(root, "run")) == [], "scripts/run is content with a venv that has more"
    assert _installs(_run(root, "test")) == []


def test_a_changed_pyproject_installs_again(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    _run(root, "test")
    with (root / "pyproject.toml").open("a") as pyproject:
        pyproject.write("\n# changed\n")
    assert _installs(_run(root, "run")) == ["."]
    assert _installs(_run(root, "test")) == [".[test]"]


def test_a_lint_finding_fails_the_run_before_the_tests(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    ruff = root / ".venv" / "bin" / "ruff"
    ruff.write_text(RECORDER + "exit 1\n")
    calls = _run(root, "test", check=False)
    assert calls[-1] == "ruff check .", "mypy and pytest do not run: CI fails on the finding"
