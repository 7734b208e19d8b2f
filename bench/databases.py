"""What a benchmark runs on: a fresh, empty database (a temporary SQLite file, or a PostgreSQL database made and
dropped), and the content folder (``BENCH_CONTENT_DIR``, else this repository's dialogs/ and faq/)."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import create_async_engine

POSTGRES_SERVER = os.environ.get("KYOSO_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
REPOSITORY = Path(__file__).resolve().parent.parent


def content_dir() -> Path:
    """The folder holding the dialogs/ and faq/ the benchmark's bot serves (e.g. a city's own, edited content)."""
    given = os.environ.get("BENCH_CONTENT_DIR")
    folder = Path(given).resolve() if given else REPOSITORY
    if not (folder / "dialogs").is_dir() or not (folder / "faq").is_dir():
        raise SystemExit(f"BENCH_CONTENT_DIR={folder} holds no dialogs/ and faq/ folders")
    return folder


@contextlib.asynccontextmanager
async def fresh_database(folder: Path, postgres: bool, given: str | None = None) -> AsyncIterator[str]:
    """``given`` (an empty database the caller owns) is used as it is and left in place."""
    if given:
        yield given
        return
    if not postgres:
        yield f"sqlite+aiosqlite:///{folder / f'bench-{uuid.uuid4().hex[:8]}.db'}"
        return
    server = make_url(POSTGRES_SERVER)
    name = f"kyoso_bench_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(server, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield server.set(database=name).render_as_string(hide_password=False)
        finally:
            async with admin.connect() as connection:
                await connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    finally:
        await admin.dispose()
