"""LINE: `kyoso line richmenu` (upload the rich menu) and `kyoso line emulator` (a local LINE platform with you
as the user, in this terminal)."""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.content.loader import load_content
from bot.settings import Settings


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    line = commands.add_parser("line", help="LINE: the rich menu, and an emulator for trying the bot")
    line_commands = line.add_subparsers(title="line commands", required=True)
    richmenu = line_commands.add_parser("richmenu", help="create the rich menu from the content file and make it the default")
    richmenu.set_defaults(run=_richmenu)

    emulator = line_commands.add_parser("emulator", help="a local LINE platform with you as the user, for trying the bot")
    emulator.add_argument("--port", type=int, default=8090, help="port of the emulated Messaging API (default 8090)")
    emulator.add_argument("--webhook", default="http://127.0.0.1:8080/webhooks/line", help="the bot's webhook URL")
    emulator.add_argument("--user", default="U" + "0" * 31 + "1", help="the LINE user id you play")
    emulator.set_defaults(run=_emulator)


def _richmenu(args: argparse.Namespace, settings: Settings) -> int:
    from bot.channels.line.richmenu import install_rich_menu

    if not settings.line_enabled:
        print("set LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN first", file=sys.stderr)
        return 1
    rich_menu_id = asyncio.run(install_rich_menu(settings, load_content(settings.content_dir)))
    print(f"rich menu {rich_menu_id} created and set as the default")
    return 0


def _emulator(args: argparse.Namespace, settings: Settings) -> int:
    from bot.emulators.line.console import run_console

    if not settings.line_enabled:
        print("set LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN (the same values as the bot's)", file=sys.stderr)
        return 1
    try:
        asyncio.run(run_console(settings, args.port, args.webhook, args.user))
    except KeyboardInterrupt:
        return 130
    return 0
