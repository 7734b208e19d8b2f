"""A local LINE platform: the Messaging API endpoints the bot calls, and a user who sends webhook events.

Use ``LineEmulator`` from tests; ``kyoso line emulator`` puts a terminal user in front of it.
"""

from bot.emulators.line.platform import Fault, LineEmulator

__all__ = ["Fault", "LineEmulator"]
