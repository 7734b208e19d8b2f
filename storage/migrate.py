"""Run the Alembic migrations programmatically; no alembic.ini is needed on disk."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection

from storage.sql_store import create_engine_for

# Any fixed number: held for the migration's transaction so that workers
# starting together upgrade one after the other instead of racing on CREATE TABLE.
_PG_MIGRATION_LOCK = 0x6B796F736F


def alembic_config(database_url: str | None = None) -> Config:
    """An Alembic config for our scripts; the URL is only needed when env.py opens the database itself."""
    config = Config()
    config.set_main_option("script_location", "storage:migrations")
    if database_url is not None:
        config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


async def upgrade(database_url: str) -> None:
    """Bring the database to the newest schema, every branch (a no-op when it is already there)."""
    engine = create_engine_for(database_url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_upgrade_to_head)
    finally:
        await engine.dispose()


async def current_revisions(database_url: str) -> set[str]:
    """The schema revisions (one per migration branch) the database is at; empty before the first upgrade."""
    engine = create_engine_for(database_url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(_current_revisions)
    finally:
        await engine.dispose()


def _upgrade_to_head(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK})
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "heads")


def _current_revisions(connection: Connection) -> set[str]:
    return set(MigrationContext.configure(connection).get_current_heads())


def head_revisions() -> set[str]:
    """The newest revision of every branch (branches from parallel work are allowed)."""
    return set(ScriptDirectory.from_config(alembic_config()).get_heads())
