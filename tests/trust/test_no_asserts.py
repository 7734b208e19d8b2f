"""Runtime code checks with ``if``/``raise``, never ``assert``: ``python -O`` drops asserts, and with them the check."""

from __future__ import annotations

import ast

import pytest

from bot.core.required import MissingValue, required
from bot.settings import REPOSITORY_ROOT

RUNTIME = [REPOSITORY_ROOT / "bot", REPOSITORY_ROOT / "storage"]
TEST_DOUBLES = REPOSITORY_ROOT / "bot" / "emulators"  # the platform emulators run only in tests and on a developer's desk


def test_no_bare_assert_in_runtime_code() -> None:
    found = [
        f"{path.relative_to(REPOSITORY_ROOT)}:{node.lineno}"
        for folder in RUNTIME
        for path in sorted(folder.rglob("*.py"))
        if TEST_DOUBLES not in path.parents
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Assert)
    ]
    assert found == []


def test_the_checks_that_replaced_them_still_refuse() -> None:
    assert required("x", "a value") == "x"
    with pytest.raises(MissingValue, match="the reply token is missing"):
        required(None, "the reply token")
