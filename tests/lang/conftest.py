"""The fixtures of the tests here: the Telegram emulator and python-telegram-bot pointed at it (tests/telegram/emulators.py)."""

from __future__ import annotations

from tests.telegram.emulators import bot, emulator  # noqa: F401 - fixtures
