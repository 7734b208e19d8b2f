"""What is wrong in a content file, said so that an editor can find and fix it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    file: Path
    line: int
    reason: str

    def render(self, relative_to: Path | None = None) -> str:
        shown = self.file
        if relative_to is not None:
            try:
                shown = self.file.relative_to(relative_to)
            except ValueError:
                pass
        return f"{shown}:{self.line}: {self.reason}"


class ContentInvalid(Exception):
    """Raised by the loader when any content file has a problem."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the content files")
        self.problems = sorted(problems)
