"""The Telegram channel: python-telegram-bot parses updates and sends messages; the conversation stays in our core."""

CHANNEL = "telegram"
