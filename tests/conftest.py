"""Shared fixtures: anything that needs a database runs against both SQLite and PostgreSQL.

PostgreSQL comes from ``KYOSO_TEST_POSTGRES_URL`` (a server where we may
create databases). Its tests are skipped when the server is unreachable,
unless ``KYOSO_REQUIRE_POSTGRES=1`` makes that a failure.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from aiohttp import web_app
from sqlalchemy import URL, make_url, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from bot.content.loader import Content, load_content
from bot.faq.live import build_index, load_embedder
from bot.faq.matcher import FaqIndex
from bot.settings import REPOSITORY_ROOT
from storage.migrate import upgrade
from storage.sql_store import SqlStore, create_engine_for

# Servers built from Settings in tests serve scripted players, who send far faster than people.
os.environ.setdefault("KYOSO_USER_MESSAGES_PER_MINUTE", "100000")
POSTGRES_URL = os.environ.get("KYOSO_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")


@pytest.fixture(autouse=True)
def _forget_served_apps() -> Iterator[None]:
    """aiohttp keeps the middleware chains it built in a module-level LRU cache of 1,024, keyed by the
    applications themselves: in one test process that keeps every server a test started alive, each with its
    FAQ index (~200 MB with embeddings; the suite grew past 16 GB). A server process has one application."""
    yield
    web_app._cached_build_middleware.cache_clear()  # noqa: SLF001 - aiohttp has no public way to forget them


async def _execute(url: URL, *statements: str) -> None:
    engine = create_async_engine(
        url, isolation_level="AUTOCOMMIT", poolclass=NullPool, connect_args={"timeout": 5}
    )
    try:
        async with engine.connect() as connection:
            for statement in statements:
                await connection.execute(text(statement))
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def postgres_database_url() -> Iterator[str]:
    """A database created on the test server for this session, dropped at its end."""
    server = make_url(POSTGRES_URL)
    name = f"kyoso_test_{uuid.uuid4().hex[:12]}"
    try:
        asyncio.run(_execute(server, f'CREATE DATABASE "{name}"'))
        unreachable = ""
    except (OSError, SQLAlchemyError) as error:
        unreachable = f"PostgreSQL at {server.render_as_string()} is unreachable: {error}"
    if unreachable and os.environ.get("KYOSO_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"{unreachable} (and KYOSO_REQUIRE_POSTGRES=1)", pytrace=False)
    if unreachable:
        pytest.skip(unreachable)
    yield server.set(database=name).render_as_string(hide_password=False)
    asyncio.run(_execute(server, f'DROP DATABASE "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty database (no tables yet), one per test."""
    if request.param == "sqlite":
        # A missing parent directory on purpose: the engine factory must create it.
        return f"sqlite+aiosqlite:///{tmp_path / 'var' / 'kyoso.db'}"
    url: str = request.getfixturevalue("postgres_database_url")
    asyncio.run(_execute(make_url(url), "DROP SCHEMA public CASCADE", "CREATE SCHEMA public"))
    return url


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[SqlStore]:
    """A store on a freshly migrated database."""
    await upgrade(database_url)
    sql_store = SqlStore(create_engine_for(database_url))
    yield sql_store
    await sql_store.close()


@pytest.fixture(scope="session")
def content() -> Content:
    """The real content files of the repository, loaded and cross-checked once."""
    return load_content(REPOSITORY_ROOT)


@pytest.fixture(scope="session")
def faq_index(content: Content) -> FaqIndex:
    """The bot's real FAQ matcher over the real entries (embeddings cached under var/cache/)."""
    return build_index(content, load_embedder(REPOSITORY_ROOT / "var" / "cache"))
