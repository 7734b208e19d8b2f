"""The emulator's own HTTP endpoints (not Telegram's): act as a user and read what the bot sent.

    POST /_emulator/users/{user_id}/send    {"text": "..."}
    POST /_emulator/users/{user_id}/press   {"label": "...", "message_id": 12?}
    POST /_emulator/groups/{chat_id}/send   {"text": "...", "user_id": 1001?}
    GET  /_emulator/chats/{chat_id}/messages
    GET  /_emulator/callback-answers
    POST /_emulator/faults                  {"method": "sendMessage", "code": 429, "retry_after": 1, "times": 1}
"""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from bot.emulators.telegram.platform import TelegramEmulator


def add_control_routes(app: web.Application, platform: TelegramEmulator) -> None:
    async def body(request: web.Request) -> dict[str, Any]:
        return await request.json() if request.can_read_body else {}

    async def send(request: web.Request) -> web.Response:
        data = await body(request)
        return web.json_response(await platform.user_sends(str(data["text"]), user_id=int(request.match_info["id"])))

    async def press(request: web.Request) -> web.Response:
        data = await body(request)
        try:
            update = await platform.user_presses(str(data["label"]), int(request.match_info["id"]), data.get("message_id"))
        except LookupError as missing:
            return web.json_response({"error": str(missing)}, status=404)
        return web.json_response(update)

    async def group(request: web.Request) -> web.Response:
        data = await body(request)
        chat_id, user_id = int(request.match_info["id"]), int(data.get("user_id", 1001))
        return web.json_response(await platform.group_message(str(data["text"]), chat_id=chat_id, user_id=user_id))

    async def messages(request: web.Request) -> web.Response:
        return web.json_response([message.to_api() for message in platform.sent_to(int(request.match_info["id"]))])

    async def answers(request: web.Request) -> web.Response:
        return web.json_response([asdict(answer) for answer in platform.answers])

    async def fault(request: web.Request) -> web.Response:
        data = await body(request)
        platform.fail_next(str(data["method"]), int(data.get("code", 429)), data.get("retry_after", 1), int(data.get("times", 1)))
        return web.json_response({"ok": True})

    app.router.add_post("/_emulator/users/{id}/send", send)
    app.router.add_post("/_emulator/users/{id}/press", press)
    app.router.add_post("/_emulator/groups/{id}/send", group)
    app.router.add_get("/_emulator/chats/{id}/messages", messages)
    app.router.add_get("/_emulator/callback-answers", answers)
    app.router.add_post("/_emulator/faults", fault)
