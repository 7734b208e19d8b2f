"""The Bot API methods the bot calls, answered as the real server answers them.

Requests come as ``POST /bot{token}/{method}`` with form-encoded (nested
values JSON-encoded), JSON or multipart bodies; query-string parameters work
too. Method names are case-insensitive, like on the real server.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.emulators.telegram.errors import ApiError, bad_request, too_many_requests
from bot.emulators.telegram.formatting import parse_text
from bot.emulators.telegram.model import Message, parse_keyboard
from bot.emulators.telegram.webhook import Webhook

if TYPE_CHECKING:
    from bot.emulators.telegram.platform import TelegramEmulator

Params = dict[str, Any]

_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_CHAT_ACTIONS = {
    "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
    "upload_document", "choose_sticker", "find_location", "record_video_note", "upload_video_note",
}


async def read_params(request: web.Request) -> Params:
    params: Params = dict(request.query)
    if request.content_type == "application/json":
        try:
            params.update(await request.json())
        except json.JSONDecodeError as error:
            raise bad_request("can't parse JSON object") from error
    elif request.can_read_body:
        form = await request.post()
        params.update({name: value for name, value in form.items() if isinstance(value, str)})
    return params


def _nested(value: Any) -> Any:
    """Form requests carry objects and arrays as JSON strings."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError as error:
            raise bad_request("can't parse reply keyboard markup JSON object") from error
    return value


def _int(params: Params, name: str, default: int | None = None) -> int:
    value = params.get(name, default)
    if value is None or value == "":
        raise bad_request(f"{name} is empty")
    try:
        return int(value)
    except (TypeError, ValueError) as error:
        raise bad_request(f"invalid {name} specified") from error


def _flag(params: Params, name: str) -> bool:
    return str(params.get(name, "")).lower() in ("true", "1")


class BotApi:
    """One handler per method; ``platform`` holds the state they share."""

    def __init__(self, platform: TelegramEmulator) -> None:
        self._platform = platform

    async def call(self, method: str, params: Params) -> Any:
        handler = {
            "getme": self.get_me, "sendmessage": self.send_message, "editmessagetext": self.edit_message_text,
            "answercallbackquery": self.answer_callback_query, "setwebhook": self.set_webhook,
            "deletewebhook": self.delete_webhook, "getwebhookinfo": self.get_webhook_info,
            "getupdates": self.get_updates, "sendchataction": self.send_chat_action,
            "getfile": self.get_file,
        }.get(method.lower())
        if handler is None:
            raise ApiError(404, "Not Found")
        return await handler(params)

    async def get_me(self, params: Params) -> Any:
        return self._platform.bot_user

    async def send_message(self, params: Params) -> Any:
        chat = self._platform.chat(_int(params, "chat_id"))
        text, entities = parse_text(params.get("text"), params.get("parse_mode"))
        keyboard = parse_keyboard(_nested(params.get("reply_markup")))
        self._flood(chat["id"])
        message = Message(chat=chat, message_id=self._platform.ids.next_message(chat["id"]), sender=self._platform.bot_user,
                          text=text, entities=entities, keyboard=keyboard)
        self._platform.record(message)
        return message.to_api()

    async def edit_message_text(self, params: Params) -> Any:
        message = self._platform.bot_message(_int(params, "chat_id"), _int(params, "message_id"))
        text, entities = parse_text(params.get("text"), params.get("parse_mode"))
        keyboard = parse_keyboard(_nested(params.get("reply_markup")))
        if (text, entities, keyboard) == (message.text, message.entities, message.keyboard):
            raise bad_request("message is not modified: specified new message content and reply markup are exactly "
                              "the same as a current content and reply markup of the message")
        self._flood(message.chat_id)
        message.text, message.entities, message.keyboard = text, entities, keyboard
        message.edit_date = self._platform.now()
        return message.to_api()

    async def answer_callback_query(self, params: Params) -> Any:
        self._platform.answer(str(params.get("callback_query_id", "")), params.get("text"), _flag(params, "show_alert"))
        return True

    async def set_webhook(self, params: Params) -> Any:
        url = str(params.get("url", ""))
        if not url:
            return await self.delete_webhook(params)
        secret = params.get("secret_token")
        if secret is not None and not _SECRET.match(str(secret)):
            raise bad_request("secret token contains unallowed characters")
        connections = _int(params, "max_connections", 40)
        if not 1 <= connections <= 100:
            raise bad_request("invalid max_connections specified")
        allowed = _nested(params["allowed_updates"]) if "allowed_updates" in params else None
        await self._platform.set_webhook(Webhook(url, None if secret is None else str(secret), connections, allowed),
                                         drop_pending=_flag(params, "drop_pending_updates"))
        return True

    async def delete_webhook(self, params: Params) -> Any:
        await self._platform.set_webhook(None, drop_pending=_flag(params, "drop_pending_updates"))
        return True

    async def get_webhook_info(self, params: Params) -> Any:
        pending = len(self._platform.pending)
        webhook = self._platform.webhook
        return webhook.info(pending) if webhook else {"url": "", "has_custom_certificate": False, "pending_update_count": pending}

    async def get_updates(self, params: Params) -> Any:
        if self._platform.webhook is not None:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                "use deleteWebhook to delete the webhook first")
        offset = _int(params, "offset") if params.get("offset") not in (None, "") else None
        limit = min(max(_int(params, "limit", 100), 1), 100)
        timeout = max(float(params.get("timeout") or 0), 0.0)
        allowed = _nested(params["allowed_updates"]) if params.get("allowed_updates") not in (None, "") else None
        return await self._platform.pending.get(offset, limit, timeout, allowed)

    async def get_file(self, params: Params) -> Any:
        return self._platform.files.get_file(params)

    async def send_chat_action(self, params: Params) -> Any:
        chat = self._platform.chat(_int(params, "chat_id"))
        action = str(params.get("action", ""))
        if action not in _CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        self._platform.chat_actions.append((chat["id"], action))
        return True

    def _flood(self, chat_id: int) -> None:
        wait = self._platform.flood.take(chat_id)
        if wait:
            raise too_many_requests(wait)

