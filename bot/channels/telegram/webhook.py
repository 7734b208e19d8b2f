"""``POST /webhooks/telegram``: check the secret header, store the update durably, answer 200.

A wrong or missing ``X-Telegram-Bot-Api-Secret-Token`` gets 401 and nothing
is stored; an unreadable body gets 400 (Telegram would retry it in vain).
"""

from __future__ import annotations

import hmac
import logging

from aiohttp import web

from bot.channels.telegram.intake import MalformedUpdate, UpdateIntake

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class TelegramWebhook:
    def __init__(self, secret: str, intake: UpdateIntake) -> None:
        self._secret = secret.encode()
        self._intake = intake

    async def handle(self, request: web.Request) -> web.Response:
        if not hmac.compare_digest(request.headers.get(SECRET_HEADER, "").encode(), self._secret):
            return web.json_response({"message": "wrong secret token"}, status=401)
        try:
            update = await request.json()
        except ValueError:
            update = None
        if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
            log.info("malformed Telegram webhook body")
            return web.json_response({"message": "malformed update"}, status=400)
        try:
            await self._intake(update)
        except MalformedUpdate as error:
            log.info("malformed Telegram update: %s", error)
            return web.json_response({"message": "malformed update"}, status=400)
        return web.json_response({})
