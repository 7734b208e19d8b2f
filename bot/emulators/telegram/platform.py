"""The emulated Telegram: Bot API server, the users who talk to the bot, and what the bot sent them.

Tests drive it in-process (``user_sends``, ``user_presses``, ``sent_to``…);
``kyoso telegram emulator`` exposes the same actions over HTTP under
``/_emulator/`` (see ``control.py``).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.emulators.telegram import model
from bot.emulators.telegram.api import BotApi, read_params
from bot.emulators.telegram.control import add_control_routes
from bot.emulators.telegram.errors import ApiError, bad_request
from bot.emulators.telegram.files import Files
from bot.emulators.telegram.limits import FloodControl, RateLimits
from bot.emulators.telegram.model import CallbackAnswer, Ids, Message
from bot.emulators.telegram.updates import PendingUpdates
from bot.emulators.telegram.webhook import Webhook, WebhookDelivery, WebhookPolicy

DEFAULT_TOKEN = "123456789:emulator-TOKEN_0123456789abcdefghij"


@dataclass
class Fault:
    """The next ``times`` calls of ``method`` (after ``after`` calls that go through) fail with this error before doing anything."""

    method: str
    code: int = 429
    retry_after: int | None = 1
    description: str | None = None
    times: int = 1
    after: int = 0

    def error(self) -> ApiError:
        flood = self.code == 429
        default = f"Too Many Requests: retry after {self.retry_after}" if flood else "Internal Server Error"
        return ApiError(self.code, self.description or default, self.retry_after if flood else None)


class TelegramEmulator:
    def __init__(self, token: str = DEFAULT_TOKEN, limits: RateLimits = RateLimits(),
                 webhook_policy: WebhookPolicy = WebhookPolicy()) -> None:
        self.token = token
        self.bot_user = {
            "id": int(token.split(":")[0]), "is_bot": True, "first_name": "協働・共創の窓口 (emulator)",
            "username": "kyoso_emulator_bot", "can_join_groups": True, "can_read_all_group_messages": False,
            "supports_inline_queries": False, "can_connect_to_business": False, "has_main_web_app": False,
        }
        self.ids = Ids()
        self.flood = FloodControl(limits)
        self.pending = PendingUpdates()
        self.webhook: Webhook | None = None
        self.answers: list[CallbackAnswer] = []
        self.chat_actions: list[tuple[int, str]] = []
        self.delivered: list[dict[str, Any]] = []
        self.faults: list[Fault] = []
        self._webhook_policy = webhook_policy
        self._delivery: WebhookDelivery | None = None
        self._chats: dict[int, dict[str, Any]] = {}
        self._messages: dict[int, list[Message]] = {}
        self._open_queries: set[str] = set()
        self.files = Files(token)
        self._api = BotApi(self)
        self._runner: web.AppRunner | None = None
        self.url = ""

    # --- running -------------------------------------------------------------

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self.files.install(app)
        add_control_routes(app, self)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Listen on ``host:port`` (0: any free port); returns the base URL for ``TELEGRAM_API_BASE_URL``."""
        self._runner = web.AppRunner(self.app(), access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, host, port).start()
        bound_host, bound_port = self._runner.addresses[0][:2]
        self.url = f"http://{bound_host}:{bound_port}"
        return self.url

    async def stop(self) -> None:
        await self.set_webhook(None, drop_pending=False)
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        try:
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            method = request.match_info["method"]
            self._injected_fault(method)
            result = await self._api.call(method, await read_params(request))
        except ApiError as error:
            return error.response()
        return web.json_response({"ok": True, "result": result})

    def _injected_fault(self, method: str) -> None:
        for fault in self.faults:
            if fault.method.lower() == method.lower() and fault.times > 0:
                if fault.after > 0:
                    fault.after -= 1
                    return
                fault.times -= 1
                raise fault.error()

    # --- state the API methods share ------------------------------------------

    def now(self) -> int:
        return int(time.time())

    def chat(self, chat_id: int) -> dict[str, Any]:
        if chat_id not in self._chats:
            raise bad_request("chat not found")
        return self._chats[chat_id]

    def record(self, message: Message) -> None:
        self._messages.setdefault(message.chat_id, []).append(message)

    def bot_message(self, chat_id: int, message_id: int) -> Message:
        for message in self._messages.get(chat_id, []):
            if message.message_id == message_id and message.sender is self.bot_user:
                return message
        raise bad_request("message to edit not found")

    def answer(self, query_id: str, text: str | None, show_alert: bool) -> None:
        if query_id not in self._open_queries:
            raise bad_request("query is too old and response timeout expired or query ID is invalid")
        self._open_queries.discard(query_id)
        self.answers.append(CallbackAnswer(query_id, text, show_alert))

    async def set_webhook(self, webhook: Webhook | None, drop_pending: bool) -> None:
        if self._delivery is not None:
            await self._delivery.close()
            self._delivery = None
        if drop_pending:
            await self.pending.clear()
        self.webhook = webhook
        if webhook is not None:
            self._delivery = WebhookDelivery(webhook, self.pending, self._webhook_policy, self._on_delivered)
            self._delivery.wake()

    async def _on_delivered(self, update: dict[str, Any]) -> None:
        self.delivered.append(update)

    # --- what users do (the test API) -----------------------------------------

    async def user_sends(self, text: str, user_id: int = 1001, first_name: str = "花子") -> dict[str, Any]:
        """The user types ``text`` in their private chat with the bot."""
        person = model.user(user_id, first_name)
        chat = self._chats.setdefault(user_id, model.private_chat(person))
        return await self._message_update(chat, person, text)

    async def user_sends_document(self, name: str, data: bytes, mime_type: str = "application/pdf",
                                  user_id: int = 1001) -> dict[str, Any]:
        """The user sends a file (a 企画書) in their private chat with the bot."""
        stored = self.files.add(data, "documents", name.rpartition(".")[2] or "bin")
        return await self._file_update(user_id, {"document": stored.to_api(file_name=name, mime_type=mime_type)})

    async def user_sends_photo(self, data: bytes, user_id: int = 1001) -> dict[str, Any]:
        """The user sends a photo: Telegram offers it in several sizes, the largest last."""
        thumbnail, full = self.files.add(data[:64], "photos", "jpg"), self.files.add(data, "photos", "jpg")
        sizes = [thumbnail.to_api(width=90, height=60), full.to_api(width=1280, height=853)]
        return await self._file_update(user_id, {"photo": sizes})

    async def _file_update(self, user_id: int, fields: dict[str, Any]) -> dict[str, Any]:
        person = model.user(user_id, "花子")
        chat = self._chats.setdefault(user_id, model.private_chat(person))
        message = {"message_id": self.ids.next_message(chat["id"]), "from": person, "chat": chat, "date": self.now(), **fields}
        return await self._add_update({"message": message})

    async def user_presses(self, label: str, user_id: int = 1001, message_id: int | None = None) -> dict[str, Any]:
        """The user taps the inline button ``label`` under the bot's latest message that has one (or ``message_id``)."""
        chat = self.chat(user_id)
        for message in reversed(self.sent_to(user_id)):
            if message_id not in (None, message.message_id):
                continue
            for button in message.buttons:
                if button.text == label and button.callback_data is not None:
                    query = model.callback_query(model.user(user_id, chat["first_name"]), message, button.callback_data)
                    self._open_queries.add(query["id"])
                    return await self._add_update({"callback_query": query})
        offered = [button.text for message in self.sent_to(user_id)[-1:] for button in message.buttons]
        raise LookupError(f"no button {label!r} under the bot's messages to {user_id}; last offered: {offered}")

    async def group_message(self, text: str, chat_id: int = -1001234567890, user_id: int = 1001,
                            kind: str = "supergroup", title: str = "まちづくり仲間") -> dict[str, Any]:
        """Someone writes in a group the bot is a member of."""
        chat = self._chats.setdefault(chat_id, model.group_chat(chat_id, title, kind))
        return await self._message_update(chat, model.user(user_id, "花子"), text)

    async def _message_update(self, chat: dict[str, Any], person: dict[str, Any], text: str) -> dict[str, Any]:
        message = Message(chat=chat, message_id=self.ids.next_message(chat["id"]), sender=person, text=text,
                          entities=model.text_entities(text))
        self.record(message)
        return await self._add_update({"message": message.to_api()})

    async def _add_update(self, body: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": self.ids.next_update(), **body}
        await self.pending.add(update)
        if self._delivery is not None:
            self._delivery.wake()
        return update

    # --- what the bot did ------------------------------------------------------

    def sent_to(self, chat_id: int) -> list[Message]:
        """The bot's messages in a chat, oldest first, as they look now (after edits)."""
        return [message for message in self._messages.get(chat_id, []) if message.sender is self.bot_user]

    def fail_next(self, method: str, code: int = 429, retry_after: int | None = 1, times: int = 1,
                  description: str | None = None, after: int = 0) -> None:
        self.faults.append(Fault(method, code, retry_after, description, times, after))

    async def wait_until(self, condition: Callable[[], bool], timeout: float = 5.0) -> None:
        """Poll ``condition`` until it holds (webhook deliveries happen in the background)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while not condition():
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError("the emulator did not reach the expected state in time")
            await asyncio.sleep(0.01)


