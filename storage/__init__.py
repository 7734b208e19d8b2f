"""Persistence: SQLAlchemy tables, Alembic migrations and the SQL conversation store."""

from storage.migrate import current_revisions, upgrade
from storage.sql_store import SqlStore, SqlTurn, create_engine_for

__all__ = ["SqlStore", "SqlTurn", "create_engine_for", "current_revisions", "upgrade"]
