"""``GET /api/staff-replies?after=ID``: the web chat fetches staff replies to its visitor (the web chat has no push),
and what the bot says when a consultation ends (``from`` tells them apart; ``choices`` are its buttons).

The visitor is the one the web chat's own signed cookie names, so nobody reads someone else's replies.
``consulting`` says a person is (or will be) answering, so the page asks again within seconds, not 15.
"""

from __future__ import annotations

from aiohttp import web

from bot.channels.web import CHANNEL
from bot.channels.web.visitors import VisitorIds
from bot.core.messages import UserKey
from storage.consultations import BOT_AUTHOR, SqlConsultations
from storage.staff import SqlStaff

PATH = "/api/staff-replies"


def add_staff_replies(server: web.Application, staff: SqlStaff, consultations: SqlConsultations, visitors: VisitorIds) -> None:
    """The web chat's pull of what staff (and the bot, when a consultation ends) said to its visitor."""

    async def replies(request: web.Request) -> web.Response:
        after = _reply_id(request.query.get("after", "0"))
        if after is None:
            return web.json_response({"error": "after must be a reply id"}, status=400)
        visitor = visitors.of(request)
        if not visitor:
            return web.json_response({"messages": [], "consulting": False}, headers={"Cache-Control": "no-store"})
        found = await staff.replies_for(CHANNEL, visitor, after)
        consulting = await consultations.is_open_for(UserKey(channel=CHANNEL, user_id=visitor))
        messages = [
            {"id": reply.id, "text": reply.text, "sent_at": reply.created_at.isoformat(),
             "from": "bot" if reply.author == BOT_AUTHOR else "staff", "choices": reply.choices or []}
            for reply in found
        ]
        return web.json_response({"messages": messages, "consulting": consulting}, headers={"Cache-Control": "no-store"})

    server.router.add_get(PATH, replies)


def _reply_id(raw: str) -> int | None:
    """A reply id as the page sends it: decimal digits that fit the database's 64-bit column."""
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
        return None
    return int(raw)
