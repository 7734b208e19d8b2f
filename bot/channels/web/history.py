"""``GET /api/history``: the web chat's conversation so far, for the page after a reload.

Only the visitor named by the page's own signed cookie is answered, so nobody reads someone else's conversation.
"""

from __future__ import annotations

from aiohttp import web

from bot.channels.web import CHANNEL
from bot.channels.web.visitors import VISITORS
from bot.core.messages import UserKey
from storage.web_history import SqlWebHistory


def add_history_route(server: web.Application, history: SqlWebHistory) -> None:
    async def conversation(request: web.Request) -> web.Response:
        visitor = request.app[VISITORS].of(request)
        headers = {"Cache-Control": "no-store"}
        if not visitor:
            return web.json_response({"messages": [], "staff_after": 0}, headers=headers)
        found = await history.history(UserKey(channel=CHANNEL, user_id=visitor))
        messages = [{"who": line.who, "message": line.message, "at": line.at.isoformat()} for line in found.lines]
        return web.json_response({"messages": messages, "staff_after": found.staff_after}, headers=headers)

    server.router.add_get("/api/history", conversation)
