"""The python-telegram-bot client, pointed at ``TELEGRAM_API_BASE_URL`` (the real Bot API or the emulator)."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, ApplicationBuilder

from bot.channels.telegram.updates import ALLOWED_UPDATES


def build_application(token: str, api_base_url: str) -> Application[Any, Any, Any, Any, Any, Any]:
    """Without PTB's updater: updates come from our webhook route or our polling loop; call ``initialize()`` (getMe) before use."""
    base = api_base_url.rstrip("/")
    return ApplicationBuilder().token(token).base_url(base + "/bot").base_file_url(base + "/file/bot").updater(None).build()


async def register_webhook(token: str, api_base_url: str, url: str, secret: str | None) -> None:
    """``kyoso telegram set-webhook``: Telegram will POST updates to ``url`` with ``secret`` in the secret-token header."""
    async with build_application(token, api_base_url) as application:
        await application.bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)
