"""The fixtures of the tests here (tests/telegram/emulators.py): the Telegram emulator and python-telegram-bot pointed at it."""

from __future__ import annotations

from tests.telegram.emulators import bot, emulator, roomy_bot, roomy_emulator  # noqa: F401 - fixtures
