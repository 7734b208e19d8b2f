"""`kyoso check` on broken copies of dialogs/continue.yaml: file, line and reason (as for every content file)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from tests.content.test_check import Breakage, _copy_content
from tests.content.test_check import test_broken_content_names_file_line_and_reason as broken_content_names_file_line_and_reason

FILE = "dialogs/continue.yaml"
BREAKAGES = [
    Breakage("code not shown", FILE, "    {code}\n", "    （コード）\n", "  code: |-", "transfer.code must say {code}"),
    Breakage("key typo", FILE, "  no_draft: |-", "  no_drafts: |-", "no_drafts:", "unknown key"),
    Breakage(
        "text missing", FILE,
        "  stopped: |-\n    承知しました。下書きについてのお知らせは、今後お送りしません。\n    入力した内容は保存されています。\n", "",
        "reminder:", "reminder.stopped: required key is missing",
    ),
    Breakage("unknown placeholder", FILE, "{days}日たちました", "{day}日たちました", "{day}日たちました", "unknown placeholder {day}"),
    Breakage("empty channel name", FILE, "    line: LINE\n", "    line: \"\"\n", "    line:", "transfer.channels.line"),
]


@pytest.mark.parametrize("breakage", BREAKAGES, ids=str)
def test_broken_continue_file_names_file_line_and_reason(
    breakage: Breakage, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken_content_names_file_line_and_reason(breakage, tmp_path, capsys)


def test_a_missing_continue_file_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _copy_content(tmp_path)
    (root / FILE).unlink()
    assert main(["check", "--content-dir", str(root)]) == 1
    assert f"{FILE}:0: file is missing" in capsys.readouterr().out
