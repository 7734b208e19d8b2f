"""`kyoso line emulator`: the emulated LINE platform with you as the user, in this terminal.

Start `kyoso serve` with ``LINE_API_BASE_URL=http://127.0.0.1:<port>`` and the
same channel secret and token, then chat here: type a message, or the number
of a quick-reply button.
"""

from __future__ import annotations

import asyncio

from bot.core.required import required
from bot.emulators.line.platform import LineEmulator
from bot.settings import Settings

WAIT_SECONDS = 5.0


async def run_console(settings: Settings, port: int, webhook_url: str, user_id: str) -> None:
    secret = required(settings.line_channel_secret, "LINE_CHANNEL_SECRET")
    token = required(settings.line_channel_access_token, "LINE_CHANNEL_ACCESS_TOKEN")
    emulator = LineEmulator(
        channel_secret=secret.get_secret_value(),
        access_token=token.get_secret_value(),
        webhook_url=webhook_url,
    )
    url = await emulator.start(port=port)
    print(f"LINE emulator on {url} (start the bot with LINE_API_BASE_URL={url}); you are {user_id}")
    try:
        shown = 0
        status = await emulator.follow(user_id)
        while True:
            if status != 200:
                print(f"(the bot answered the webhook with {status or 'no answer'})")
            shown = await _print_new(emulator, user_id, shown)
            typed = (await asyncio.to_thread(input, "> ")).strip()
            offered = emulator.quick_replies(user_id)
            if typed.isdigit() and 1 <= int(typed) <= len(offered):
                status = await emulator.tap(user_id, offered[int(typed) - 1]["action"]["label"])
            elif typed:
                status = await emulator.type(user_id, typed)
    except EOFError:
        print()
    finally:
        await emulator.close()


async def _print_new(emulator: LineEmulator, user_id: str, shown: int) -> int:
    """Wait briefly for the bot's answer, then print what it said and the buttons it offers."""
    for _ in range(int(WAIT_SECONDS / 0.1)):
        said = emulator.seen[user_id]
        if said and said[-1]["from"] == "bot":
            await asyncio.sleep(0.3)  # the rest of a multi-call answer
            break
        await asyncio.sleep(0.1)
    for message in emulator.seen[user_id][shown:]:
        if message["from"] == "bot":
            print(message.get("text") or message.get("altText", ""))
    for number, item in enumerate(emulator.quick_replies(user_id), start=1):
        print(f"  {number}. {item['action']['label']}")
    return len(emulator.seen[user_id])
