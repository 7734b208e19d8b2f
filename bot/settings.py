"""Every setting, read from the environment (and an optional .env) in this one place."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent


def _default_database_url() -> str:
    return f"sqlite+aiosqlite:///{Path.cwd() / 'var' / 'kyoso.db'}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KYOSO_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default_factory=_default_database_url,
        description="SQLAlchemy URL: sqlite+aiosqlite:///path or postgresql+asyncpg://user@host/db",
    )
    content_dir: Path = Field(default=REPOSITORY_ROOT, description="the folder holding dialogs/ and faq/")
    timezone: str = Field(default="Asia/Tokyo", description="the city's time zone (reference-number years, dates shown)")
