"""What the documents' tests use besides their fixtures: the web chat server as they start it, and a draft
answered up to its last question."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from bot.app import App
from bot.core.messages import UserKey
from storage.sql_store import SqlStore
from storage.tables import documents
from tests.proposals import make_submission


async def answer_the_rest(store: SqlStore, user: UserKey) -> None:
    """Every question of the draft answered (as the proposer would, question by question), up to その他."""
    async with store.turn(user) as turn:
        turn.state.values.update(make_submission().draft.model_dump(exclude_none=True, exclude={"schema_version"}))
        turn.state.step = "draft.notes"


@dataclass(frozen=True)
class WebServer:
    url: str
    app: App

    async def stored(self) -> list[tuple[str, bytes]]:
        """The documents kept, oldest first (name, bytes)."""
        async with self.app.database.connect() as connection:
            rows = await connection.execute(select(documents.c.name, documents.c.data).order_by(documents.c.id))
            return [(row.name, bytes(row.data)) for row in rows]
