"""The fixtures of the tests here (tests/trust/platforms.py): the whole server with both platforms' emulators."""

from __future__ import annotations

from tests.trust.platforms import platforms  # noqa: F401 - fixtures
