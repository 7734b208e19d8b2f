"""``kyoso telegram emulator``: the emulated Bot API on a port, until Ctrl-C."""

from __future__ import annotations

import asyncio

from bot.emulators.telegram.platform import TelegramEmulator


async def run_emulator(host: str, port: int, token: str) -> None:
    emulator = TelegramEmulator(token=token)
    url = await emulator.start(host, port)
    print(f"Telegram Bot API emulator on {url} (bot token {token})")
    print(f"  the bot:   TELEGRAM_API_BASE_URL={url} TELEGRAM_BOT_TOKEN={token}")
    print(f"  a user:    curl -X POST {url}/_emulator/users/1001/send -d '{{\"text\": \"/start\"}}'")
    print(f"  replies:   curl {url}/_emulator/chats/1001/messages")
    try:
        await asyncio.Event().wait()
    finally:
        await emulator.stop()
