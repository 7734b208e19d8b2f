"""The fixtures of the tests here (tests/resume/stacks.py): the server with a movable clock, and a web visitor."""

from __future__ import annotations

from tests.resume.stacks import stack, visitor  # noqa: F401 - fixtures
