"""``GET <mount>?after=ID``: the web chat fetches staff replies to its visitor (the web chat has no push),
and what the bot says when a consultation ends (``from`` tells them apart; ``choices`` are its buttons).

The visitor is the one the web chat's own cookie names, so nobody reads someone else's replies.
"""

from __future__ import annotations

from aiohttp import web

from bot.channels.web import CHANNEL
from bot.channels.web.routes import COOKIE
from storage.consultations import BOT_AUTHOR
from storage.staff import SqlStaff


def create_reply_pull_app(staff: SqlStaff) -> web.Application:
    async def replies(request: web.Request) -> web.Response:
        try:
            after = int(request.query.get("after", "0"))
        except ValueError:
            return web.json_response({"error": "after must be a reply id"}, status=400)
        visitor = request.cookies.get(COOKIE)
        found = await staff.replies_for(CHANNEL, visitor[:128], after) if visitor else []
        messages = [
            {"id": reply.id, "text": reply.text, "sent_at": reply.created_at.isoformat(),
             "from": "bot" if reply.author == BOT_AUTHOR else "staff", "choices": reply.choices or []}
            for reply in found
        ]
        return web.json_response({"messages": messages}, headers={"Cache-Control": "no-store"})

    app = web.Application()
    app.router.add_get("", replies)
    return app
