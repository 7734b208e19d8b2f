"""A local Telegram Bot API server: the methods the bot calls, users who send it updates, and a record of its replies.

Use ``TelegramEmulator`` from tests; ``kyoso telegram emulator`` runs it on a port.
"""

from bot.emulators.telegram.limits import RateLimits
from bot.emulators.telegram.platform import DEFAULT_TOKEN, Fault, TelegramEmulator
from bot.emulators.telegram.webhook import WebhookPolicy

__all__ = ["DEFAULT_TOKEN", "Fault", "RateLimits", "TelegramEmulator", "WebhookPolicy"]
