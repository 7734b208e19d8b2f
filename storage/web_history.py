"""The web chat's conversation as the visitor saw it, so that a reload shows it again (for that visitor only).

The web chat has no app that keeps the messages, as LINE and Telegram do: the page asks for them here.
Each turn adds the user's line (what they typed, or the label of the button they pressed) and the bot's
messages; staff replies are read from where they are kept already (``proposer_messages``). Only the
newest ``MAX_LINES`` per visitor are kept; ``kyoso purge`` forgets lines older than the retention period
and データ削除 forgets a visitor's lines at once (``storage/sql_store.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import and_, delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.messages import REPLIES, Outbound, UserKey
from storage.consultations import BOT_AUTHOR
from storage.tables import proposer_messages, web_chat_lines

MAX_LINES = 300

Who = Literal["user", "bot", "staff"]


@dataclass(frozen=True)
class Line:
    who: Who
    message: dict[str, Any]  # an Outbound as JSON (kind, text or card, choices)
    at: datetime


@dataclass(frozen=True)
class History:
    lines: list[Line]
    staff_after: int  # the newest staff reply shown: the page fetches only later ones


class SqlWebHistory:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def add(self, user: UserKey, said: str | None, replies: list[Outbound], now: datetime) -> None:
        """One turn: the user's line (``said``; None for the page's own greeting request) and the bot's messages."""
        rows = [{"who": "user", "message": {"kind": "text", "text": said, "choices": []}}] if said else []
        rows += [{"who": "bot", "message": message} for message in REPLIES.dump_python(replies, mode="json")]
        if not rows:
            return
        async with self._engine.begin() as connection:
            await connection.execute(
                insert(web_chat_lines),
                [{**row, "channel": user.channel, "user_id": user.user_id, "created_at": now} for row in rows],
            )
            newest_old = (
                select(web_chat_lines.c.id).where(_of(user)).order_by(web_chat_lines.c.id.desc())
                .offset(MAX_LINES).limit(1).scalar_subquery()
            )
            await connection.execute(delete(web_chat_lines).where(_of(user), web_chat_lines.c.id <= newest_old))

    async def is_empty(self, user: UserKey) -> bool:
        async with self._engine.connect() as connection:
            found = await connection.execute(select(func.count()).select_from(web_chat_lines).where(_of(user)))
            return found.scalar_one() == 0

    async def label_of(self, user: UserKey, payload: str) -> str | None:
        """The label of the button with ``payload`` under the bot's last messages (what the user pressed)."""
        query = (
            select(web_chat_lines.c.message).where(_of(user), web_chat_lines.c.who == "bot")
            .order_by(web_chat_lines.c.id.desc()).limit(5)
        )
        async with self._engine.connect() as connection:
            for message in (await connection.execute(query)).scalars():
                for choice in message.get("choices") or []:
                    if choice.get("payload") == payload:
                        return str(choice.get("label"))
        return None

    async def history(self, user: UserKey) -> History:
        """The visitor's lines and the staff replies delivered to them (the bot's hand-backs too), oldest first."""
        sent_to_user = and_(
            proposer_messages.c.channel == user.channel, proposer_messages.c.user_id == user.user_id,
            proposer_messages.c.status == "sent",
        )
        async with self._engine.connect() as connection:
            said = await connection.execute(
                select(web_chat_lines.c.who, web_chat_lines.c.message, web_chat_lines.c.created_at)
                .where(_of(user)).order_by(web_chat_lines.c.id)
            )
            lines = [Line(row.who, row.message, row.created_at) for row in said]
            oldest = lines[0].at if lines else None
            replies = list(await connection.execute(
                select(proposer_messages).where(sent_to_user).order_by(proposer_messages.c.id)
            ))
        staff_lines = [
            Line("bot" if reply.author == BOT_AUTHOR else "staff",
                 {"kind": "text", "text": reply.text, "choices": reply.choices or []}, reply.created_at)
            for reply in replies
            if oldest is not None and reply.created_at >= oldest  # not before the lines kept (purged, erased)
        ]
        merged = sorted(lines + staff_lines, key=lambda line: line.at)  # stable: a turn's lines stay in order
        return History(merged, max((reply.id for reply in replies), default=0))


def _of(user: UserKey) -> Any:
    return and_(web_chat_lines.c.channel == user.channel, web_chat_lines.c.user_id == user.user_id)
