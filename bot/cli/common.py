"""What the command groups share: the type of a command, printing content problems, and running the bot with
content problems printed instead of raised."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from bot.content.problems import ContentInvalid, Problem
from bot.settings import Settings

Run = Callable[[argparse.Namespace, Settings], int]
"""A command: its parsed arguments and the settings in, the exit status out (set as ``run`` on its parser)."""


def print_problems(problems: Sequence[Problem], root: Path) -> bool:
    """Print each problem as ``file:line: reason`` and how many there were (on stderr); whether there were any."""
    for problem in problems:
        print(problem.render(root))
    if problems:
        print(f"{len(problems)} problem(s) found", file=sys.stderr)
    return bool(problems)


def with_content_errors(run: Callable[[], object], settings: Settings) -> int:
    """Run the bot (a server, a chat): content problems found on loading are printed, Ctrl-C ends it quietly."""
    try:
        run()
    except ContentInvalid as invalid:
        for problem in invalid.problems:
            print(problem.render(settings.content_dir), file=sys.stderr)
        print("the content files have problems: fix them (kyoso check) and start again", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print()
        return 130
    return 0
