"""``GET <mount>?after=ID``: the web chat fetches staff replies to its visitor (the web chat has no push),
and what the bot says when a consultation ends (``from`` tells them apart; ``choices`` are its buttons).

The visitor is the one the web chat's own cookie names, so nobody reads someone else's replies.
``consulting`` says a person is (or will be) answering, so the page asks again within seconds, not 15.
"""

from __future__ import annotations

from aiohttp import web

from bot.channels.web import CHANNEL
from bot.channels.web.routes import COOKIE
from bot.core.messages import UserKey
from storage.consultations import BOT_AUTHOR, SqlConsultations
from storage.staff import SqlStaff


def create_reply_pull_app(staff: SqlStaff, consultations: SqlConsultations) -> web.Application:
    async def replies(request: web.Request) -> web.Response:
        try:
            after = int(request.query.get("after", "0"))
        except ValueError:
            return web.json_response({"error": "after must be a reply id"}, status=400)
        visitor = request.cookies.get(COOKIE)
        if not visitor:
            return web.json_response({"messages": [], "consulting": False}, headers={"Cache-Control": "no-store"})
        found = await staff.replies_for(CHANNEL, visitor[:128], after)
        consulting = await consultations.is_open_for(UserKey(channel=CHANNEL, user_id=visitor[:128]))
        messages = [
            {"id": reply.id, "text": reply.text, "sent_at": reply.created_at.isoformat(),
             "from": "bot" if reply.author == BOT_AUTHOR else "staff", "choices": reply.choices or []}
            for reply in found
        ]
        return web.json_response({"messages": messages, "consulting": consulting}, headers={"Cache-Control": "no-store"})

    app = web.Application()
    app.router.add_get("", replies)
    return app
