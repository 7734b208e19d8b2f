"""The fixtures of the staff tests (tests/staff/console.py): a console with a logged-out client, and the LINE platform."""

from __future__ import annotations

from tests.staff.console import console, line  # noqa: F401 - fixtures
