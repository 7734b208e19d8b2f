"""SQL helpers the storage modules share: an INSERT in the connection's dialect, and the staff audit line."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.tables import staff_audit


def dialect_insert(connection: AsyncConnection, table: Table) -> postgresql.Insert | sqlite.Insert:
    """An INSERT that supports ON CONFLICT, in the connection's dialect."""
    if connection.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


async def audit(connection: AsyncConnection, draft_id: int | None, staff: str, action: str,
                detail: Mapping[str, Any], now: datetime, consultation_id: int | None = None) -> None:
    """One line of the staff audit log (who did what to which draft or consultation), in the caller's transaction."""
    await connection.execute(
        insert(staff_audit).values(
            draft_id=draft_id, consultation_id=consultation_id, staff=staff, action=action, detail=dict(detail), at=now
        )
    )
