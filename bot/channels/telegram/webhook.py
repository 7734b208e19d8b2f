"""``POST /webhooks/telegram``: check the secret header, store the update durably, answer 200.

A wrong or missing ``X-Telegram-Bot-Api-Secret-Token`` gets 401 and nothing
is stored; an unreadable body (not JSON, nested beyond reason, or a field the
bot reads of the wrong type) gets 400 (Telegram would retry it in vain).
"""

from __future__ import annotations

import hmac
import logging

from aiohttp import web

from bot.channels.json_body import BadJson, parse, too_deep
from bot.channels.telegram.intake import MalformedUpdate, UpdateIntake

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class TelegramWebhook:
    def __init__(self, secret: str, intake: UpdateIntake) -> None:
        self._secret = secret.encode()
        self._intake = intake

    async def handle(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "surrogateescape")  # the bytes as sent
        if not hmac.compare_digest(given, self._secret):
            return web.json_response({"message": "wrong secret token"}, status=401)
        try:
            update = parse(await request.read())
        except BadJson:
            update = None
        if not isinstance(update, dict) or not isinstance(update.get("update_id"), int) or too_deep(update):
            log.info("malformed Telegram webhook body")
            return web.json_response({"message": "malformed update"}, status=400)
        try:
            await self._intake(update)
        except MalformedUpdate as error:
            log.info("malformed Telegram update: %s", error)
            return web.json_response({"message": "malformed update"}, status=400)
        return web.json_response({})
