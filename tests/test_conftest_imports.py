"""conftest modules hand fixtures to the tests of their folder; they are not imported as helper modules (a helper
lives in a module of its own, and a fixture shared across folders is imported from there by name)."""

from __future__ import annotations

import re

from bot.settings import REPOSITORY_ROOT


def test_no_module_imports_a_conftest() -> None:
    importing = [
        f"{path.relative_to(REPOSITORY_ROOT)}:{number}"
        for folder in ("tests", "bench")
        for path in sorted((REPOSITORY_ROOT / folder).rglob("*.py")) if "node_modules" not in path.parts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if re.match(r"\s*(from\s+\S*conftest\s+import|import\s+\S*conftest)", line)
    ]
    assert importing == []
