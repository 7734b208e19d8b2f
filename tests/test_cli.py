"""The `kyoso` command as a person uses it: real processes, a real SQLite file."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO

import pytest

from bot.settings import REPOSITORY_ROOT

FULL_DRAFT_TYPED = [
    "4", "テスト株式会社", "1", "試験 太郎", "taro@example.jp", "スキップ", "2", "テスト提案",
    "課題です", "解決策です", "団体の役割", "市の役割", "成果", "10万円", "2", "スキップ", "スキップ",
    "1", "1",
]


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return tmp_path


def kyoso(workdir: Path, *args: str, typed: list[str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "KYOSO_DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'var' / 'kyoso.db'}"}
    environment.pop("KYOSO_CONTENT_DIR", None)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input="\n".join(typed or []) + "\n" if typed is not None else None,
        capture_output=True, text=True, cwd=workdir, env=environment, timeout=120,
    )


def test_chat_full_draft_then_drafts_commands_show_it(workdir: Path) -> None:
    chat = kyoso(workdir, "chat", "--user", "tester", typed=FULL_DRAFT_TYPED)
    assert chat.returncode == 0, chat.stderr
    assert "  4. 提案の下書きをつくる" in chat.stdout
    found = re.search(r"受付番号は (KY-\d{4}-0001) です", chat.stdout)
    assert found, chat.stdout[-2000:]
    reference = found.group(1)

    listing = kyoso(workdir, "drafts", "list")
    assert reference in listing.stdout and "テスト株式会社" in listing.stdout and "受付" in listing.stdout

    shown = kyoso(workdir, "drafts", "show", reference)
    assert "団体名: テスト株式会社" in shown.stdout and "提案の種類: free" in shown.stdout

    as_json = json.loads(kyoso(workdir, "drafts", "show", reference, "--json").stdout)
    assert as_json["draft"]["email"] == "taro@example.jp"
    assert as_json["user"] == {"channel": "terminal", "user_id": "tester"}
    assert as_json["consent"]["notice_version"]

    missing = kyoso(workdir, "drafts", "show", "KY-1999-0001")
    assert missing.returncode == 1 and "no draft KY-1999-0001" in missing.stderr


def test_pause_in_one_process_and_continue_in_the_next(workdir: Path) -> None:
    first = kyoso(workdir, "chat", "--user", "hanako", typed=["4", "株式会社あとで", "中断"])
    assert "ここまでの内容を保存しました" in first.stdout

    second = kyoso(workdir, "chat", "--user", "hanako", typed=[])
    assert "前回の続きから再開します" in second.stdout
    assert "団体の種類を選んでください" in second.stdout

    other_user = kyoso(workdir, "chat", "--user", "jiro", typed=[])
    assert "ご用件を選んでください" in other_user.stdout and "再開" not in other_user.stdout


def test_schema_prints_the_draft_fields() -> None:
    result = subprocess.run([sys.executable, "-m", "bot", "schema"], capture_output=True, text=True, cwd=REPOSITORY_ROOT)
    schema = json.loads(result.stdout)
    assert {"org_name", "email", "proposal_type", "funding_wish"} <= set(schema["properties"])
    assert "org_name" in schema["required"] and "email" not in schema["required"]


def test_chat_refuses_to_start_with_broken_content(workdir: Path) -> None:
    broken = workdir / "content"
    for folder in ("dialogs", "faq"):
        (broken / folder).mkdir(parents=True)
    environment = {**os.environ, "KYOSO_CONTENT_DIR": str(broken)}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "chat"], input="", capture_output=True, text=True, cwd=workdir, env=environment
    )
    assert result.returncode == 1
    assert "dialogs/common.yaml:0: file is missing" in result.stderr


def test_purge_reports_what_it_forgot_and_can_run_again(workdir: Path) -> None:
    kyoso(workdir, "chat", "--user", "purged", typed=["4", "株式会社きえる"])
    counted = kyoso(workdir, "purge", "--days", "30", "--dry-run")
    assert "would purge 0 conversation(s) idle for more than 30 days" in counted.stdout
    kept = kyoso(workdir, "purge", "--days", "30")
    assert "purged 0 conversation(s) idle for more than 30 days" in kept.stdout

    refused = kyoso(workdir, "purge", "--days", "0")
    assert refused.returncode == 2 and "at least 1" in refused.stderr


def test_chat_ends_at_once_on_ctrl_c_and_numbers_follow_what_is_shown(workdir: Path) -> None:
    """Ctrl-C at the prompt ends `kyoso chat` without waiting for Enter; 99 is asked again, 1 at a text question is text."""
    environment = {**os.environ, "KYOSO_DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'var' / 'kyoso.db'}",
                   "KYOSO_FAQ_EMBEDDINGS": "false", "PYTHONUNBUFFERED": "1"}
    environment.pop("KYOSO_CONTENT_DIR", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "chat", "--user", "ctrl-c"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, cwd=workdir, env=environment,
    )
    assert process.stdin is not None and process.stdout is not None
    hang_guard = threading.Timer(60, process.kill)  # a prompt that never shows ends the process: _read_until fails
    hang_guard.start()
    try:
        seen = _read_until(process.stdout, "Language / ことば")
        assert "  7. わたしの提案" in seen and "  8. Language / ことば" in seen
        for typed, wanted in [("99", "1〜8の番号で選んでください。"), ("4", "団体名を教えてください。"),
                              ("1", "団体の種類を選んでください。")]:
            process.stdin.write(typed + "\n")
            process.stdin.flush()
            _read_until(process.stdout, wanted)
        process.send_signal(signal.SIGINT)  # nothing more is typed: the prompt is waiting for a line
        assert process.wait(timeout=30) == 130
    finally:
        hang_guard.cancel()
        process.kill()
        process.wait()
    shown = kyoso(workdir, "chat", "--user", "ctrl-c", typed=[])
    assert "前回の続き" not in shown.stdout and "団体の種類を選んでください" in shown.stdout


def _read_until(stream: IO[str], wanted: str) -> str:
    """What the process printed up to and including ``wanted`` (the caller's hang guard ends a process that stops short)."""
    seen = ""
    while wanted not in seen:
        line = stream.readline()
        if not line:
            raise AssertionError(f"the process ended before printing {wanted!r}:\n{seen}")
        seen += line
    return seen


def test_check_piped_into_a_reader_that_stops_early_ends_quietly(workdir: Path) -> None:
    """`kyoso check | head -1`: the reader is gone before the report is written; no traceback follows."""
    environment = {**os.environ, "KYOSO_DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'var' / 'kyoso.db'}"}
    environment.pop("KYOSO_CONTENT_DIR", None)
    reader, writer = os.pipe()
    os.close(reader)  # nobody will read what check prints
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bot", "check"], stdout=writer, stderr=subprocess.PIPE, text=True,
            cwd=workdir, env=environment, timeout=120,
        )
    finally:
        os.close(writer)
    assert "Traceback" not in done.stderr and "BrokenPipeError" not in done.stderr, done.stderr
    assert done.returncode == 128 + signal.SIGPIPE


def test_help_lists_every_command_and_the_readme_and_the_package_describe_the_same_ones() -> None:
    """`kyoso --help` ends with every command that runs something; the README's table and bot/cli's docstring
    name exactly those (a new command shows in the help at once, and is missing from the docs until written up)."""
    import bot.cli

    shown = subprocess.run([sys.executable, "-m", "bot", "--help"], capture_output=True, text=True, cwd=REPOSITORY_ROOT)
    assert shown.returncode == 0, shown.stderr
    listed = [line.split("  ")[1].removeprefix("kyoso ").strip()
              for line in shown.stdout.split("every command:\n")[1].splitlines() if line.strip()]
    assert len(listed) == 19 and "line emulator" in listed and "telegram set-webhook" in listed, listed

    readme = (REPOSITORY_ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("## Commands"):].split("\n## ", 1)[0]
    rows = [cell.strip() for cell in re.findall(r"^\| `kyoso ([^`]+)` \|", table, flags=re.M)]
    documented = [next((command for command in listed if row == command or row.startswith(command + " ")), row)
                  for row in rows]
    assert sorted(documented) == sorted(listed), "the README's commands table differs from `kyoso --help`"
    missing = [command for command in listed if f"kyoso {command}" not in (bot.cli.__doc__ or "")
               and f"| {command}" not in (bot.cli.__doc__ or "")]
    assert missing == [], "not in bot/cli's docstring"
