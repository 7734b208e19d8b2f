"""Telegram: `kyoso telegram set-webhook` (where Telegram sends updates) and `kyoso telegram emulator` (a local
Bot API server for trying the bot without Telegram)."""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.settings import Settings


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    telegram = commands.add_parser("telegram", help="Telegram: the webhook, and an emulator for trying the bot")
    telegram_commands = telegram.add_subparsers(title="telegram commands", required=True)
    set_webhook = telegram_commands.add_parser("set-webhook", help="have Telegram POST updates to URL (…/webhooks/telegram)")
    set_webhook.add_argument("url", help="the public https URL of POST /webhooks/telegram")
    set_webhook.set_defaults(run=_set_webhook)

    emulator = telegram_commands.add_parser("emulator", help="a local Telegram Bot API server for trying the bot")
    emulator.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    emulator.add_argument("--port", type=int, default=8081, help="port of the emulated Bot API (default 8081)")
    emulator.set_defaults(run=_emulator)


def _set_webhook(args: argparse.Namespace, settings: Settings) -> int:
    from bot.channels.telegram.client import register_webhook

    if settings.telegram_bot_token is None:
        print("set TELEGRAM_BOT_TOKEN first (and TELEGRAM_WEBHOOK_SECRET, which the webhook checks)", file=sys.stderr)
        return 1
    secret = settings.telegram_webhook_secret.get_secret_value() if settings.telegram_webhook_secret else None
    token = settings.telegram_bot_token.get_secret_value()
    asyncio.run(register_webhook(token, settings.telegram_api_base_url, args.url, secret))
    print(f"Telegram now sends updates to {args.url}")
    return 0


def _emulator(args: argparse.Namespace, settings: Settings) -> int:
    from bot.emulators.telegram import DEFAULT_TOKEN
    from bot.emulators.telegram.run import run_emulator

    token = settings.telegram_bot_token.get_secret_value() if settings.telegram_bot_token else DEFAULT_TOKEN
    try:
        asyncio.run(run_emulator(args.host, args.port, token))
    except KeyboardInterrupt:
        return 130
    return 0
