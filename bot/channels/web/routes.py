"""``GET /`` (the chat page) and ``POST /api/chat`` (one turn).

The visitor's id is a random value the server signed, in an HttpOnly cookie
(``visitors.py``); a cookie it did not sign gets a fresh id, so nobody can
continue someone else's draft.
A turn is answered in the same request: the core's turn is one locked
transaction, which is all the ordering a single browser tab needs.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from aiohttp import web
from pydantic import BaseModel, Field, ValidationError

from bot.channels.web import CHANNEL
from bot.channels.web.replies import turn_response
from bot.channels.web.visitors import VISITORS, VisitorIds
from bot.core import payloads
from bot.core.messages import Handler, Inbound, UserKey
from storage.web_history import SqlWebHistory

PAGE = Path(__file__).parent / "static" / "index.html"


class ChatRequest(BaseModel):
    """``start`` asks for the greeting (or where the visitor was); otherwise typed ``text`` or a button's ``payload``."""

    start: bool = False
    text: str | None = Field(default=None, max_length=5000)
    payload: str | None = Field(default=None, max_length=300)


def add_web_chat(server: web.Application, handle: Handler, history: SqlWebHistory, visitors: VisitorIds) -> None:
    """The chat page, its turns and history (``history`` keeps what the page showed, for a reload)."""
    server[VISITORS] = visitors

    async def page(request: web.Request) -> web.FileResponse:
        return web.FileResponse(PAGE, headers={"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-cache"})

    async def chat(request: web.Request) -> web.Response:
        if request.content_type != "application/json":
            return web.json_response({"error": "send JSON"}, status=415)
        try:
            said = ChatRequest.model_validate_json(await request.read())
        except ValidationError as error:
            return web.json_response({"error": error.errors(include_url=False, include_context=False, include_input=False)}, status=400)
        visitor = visitors.of(request) or visitors.new()
        user = UserKey(channel=CHANNEL, user_id=visitor)
        if said.start:
            inbound = Inbound(user=user, payload=payloads.COMMAND + "resume")
        else:
            inbound = Inbound(user=user, text=said.text, payload=said.payload)
        shown = said.text or (await history.label_of(user, said.payload) if said.payload else None)
        replies = await handle(inbound)
        if not said.start or await history.is_empty(user):  # a reload's 「おかえりなさい」 is not kept
            await history.add(user, shown, replies, datetime.now(UTC))
        response = turn_response(replies)
        visitors.remember(response, request, visitor)
        return response

    server.router.add_get("/", page)
    server.router.add_post("/api/chat", chat)
