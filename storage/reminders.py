""":class:`bot.core.reminders.IdleDrafts` on SQLAlchemy: the conversations a reminder may be due for.

The state is JSON text: the query leaves out, by its text, the conversations that surely need none
(no answers, reminded already, reminders refused); the caller decides on the rest, parsed. Only
patterns that are absent from a state without the field are used, so states saved before the
reminder fields existed are still looked at.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.messages import UserKey
from bot.core.state import ConversationState
from storage.tables import conversations

# As pydantic writes them (model_dump_json: no spaces).
_NO_ANSWERS, _REMINDED, _REFUSED = '"values":{}', '"reminded_at":"', '"reminders_off":true'
PAGE = 500


class SqlIdleDrafts:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def idle_drafts(self, channels: Sequence[str]) -> list[tuple[UserKey, ConversationState]]:
        state = conversations.c.state
        query = (
            select(conversations.c.id, conversations.c.channel, conversations.c.user_id, state)
            .where(
                conversations.c.channel.in_(list(channels)),
                ~state.contains(_NO_ANSWERS), ~state.contains(_REMINDED), ~state.contains(_REFUSED),
            )
            .order_by(conversations.c.id)
            .limit(PAGE)
        )
        found: list[tuple[UserKey, ConversationState]] = []
        last = 0
        while True:  # a page per connection: turns (SQLite's one connection) get theirs in between
            async with self._engine.connect() as connection:
                rows = (await connection.execute(query.where(conversations.c.id > last))).all()
            if not rows:
                return found
            found += [(UserKey(channel=row.channel, user_id=row.user_id), ConversationState.model_validate_json(row.state))
                      for row in rows]
            last = rows[-1].id
