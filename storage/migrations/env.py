"""Alembic environment for the storage package.

``storage.migrate.upgrade()`` opens the connection from its own coroutine and
passes it in ``config.attributes["connection"]``: env.py must not start an
event loop of its own, because the caller is usually already inside one.
When Alembic is driven from plain synchronous code instead (for example
``command.revision(alembic_config(url), autogenerate=True)`` to write the next
migration), env.py opens the database itself with ``asyncio.run``.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from storage.sql_store import create_engine_for
from storage.tables import metadata


def run_migrations(connection: Connection) -> None:
    # Batch mode lets generated ALTERs run on SQLite (copy-and-move) and PostgreSQL alike.
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


async def run_with_own_engine(url: str) -> None:
    engine = create_engine_for(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(run_migrations)
    finally:
        await engine.dispose()


def run_offline(url: str) -> None:
    """Write the SQL script instead of executing it (``sql=True``), e.g. for a DBA."""
    context.configure(url=url, target_metadata=metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


given_connection: Connection | None = context.config.attributes.get("connection")
if given_connection is not None:
    run_migrations(given_connection)
elif context.is_offline_mode():
    run_offline(context.config.get_main_option("sqlalchemy.url", ""))
else:
    asyncio.run(run_with_own_engine(context.config.get_main_option("sqlalchemy.url", "")))
