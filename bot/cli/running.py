"""Running the bot: `kyoso serve` (the one web server) and `kyoso chat` (the bot in this terminal)."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys

from bot.cli.common import with_content_errors
from bot.core.messages import UserKey
from bot.settings import Settings


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = commands.add_parser("serve", help="start the web server: LINE webhook, web chat, health checks")
    serve.add_argument("--host", help="address to listen on (default: KYOSO_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default: KYOSO_PORT or 8080)")
    serve.add_argument("--telegram-polling", action="store_true", help="fetch Telegram updates (getUpdates) instead of the webhook")
    serve.set_defaults(run=_serve)

    chat = commands.add_parser("chat", help="talk to the bot in this terminal")
    chat.add_argument("--user", default=getpass.getuser(), help="who you are (each user has their own conversation)")
    chat.set_defaults(run=_chat)


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from bot.server.run import serve

    settings = settings.model_copy(update={k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None})
    return with_content_errors(lambda: asyncio.run(serve(settings, args.telegram_polling)), settings)


def _chat(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import build_app
    from bot.channels.terminal import CHANNEL, chat

    def run() -> None:
        # The prompt waits on this thread, not in the event loop: Ctrl-C interrupts it at once.
        with asyncio.Runner() as runner:
            app = runner.run(build_app(settings))
            try:
                chat(
                    lambda inbound: runner.run(app.engine.handle(inbound)), UserKey(channel=CHANNEL, user_id=args.user),
                    lambda: input("> "), sys.stdout, app.content.common.messages.choose_number,
                )
            finally:
                runner.run(app.close())

    return with_content_errors(run, settings)
