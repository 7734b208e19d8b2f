"""Which commits wait for the disk on PostgreSQL: the setting rides on the transaction's BEGIN (no round trip of its own)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.sql_store import RECOVERABLE, create_engine_for

pytestmark = pytest.mark.postgres
SHOW = text("SHOW synchronous_commit")


async def _in_transaction(connection: AsyncConnection, recover: bool) -> str:
    await connection.execution_options(**{RECOVERABLE: recover})
    async with connection.begin():
        return str((await connection.execute(SHOW)).scalar_one())


async def test_only_recoverable_transactions_skip_the_wait_for_the_disk(postgres_database_url: str) -> None:
    engine = create_engine_for(postgres_database_url)
    try:
        async with engine.connect() as connection:  # one connection throughout: what one transaction leaves, the next sees
            assert await _in_transaction(connection, recover=False) == "on"
            assert await _in_transaction(connection, recover=True) == "off"
            assert await _in_transaction(connection, recover=False) == "on"  # SET LOCAL: gone with its transaction
            await connection.execution_options(**{RECOVERABLE: True})
            async with connection.begin():
                pass  # nothing ran, so no BEGIN was sent: what it would have carried is not left for the next one
            assert await _in_transaction(connection, recover=False) == "on"
            await connection.execution_options(**{RECOVERABLE: False})
            assert (await connection.execute(SHOW)).scalar_one() == "on"  # a read that begins by itself waits as usual
            await connection.rollback()
    finally:
        await engine.dispose()
