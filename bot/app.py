"""The composition root: the one place that builds and wires every object."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.clock import SystemClock
from bot.content.loader import Content, load_content
from bot.core.engine import Engine
from bot.core.ports import Clock
from bot.faq.keyword import KeywordFaq
from bot.settings import Settings
from storage.migrate import upgrade
from storage.sql_store import SqlStore, create_engine_for


@dataclass
class App:
    content: Content
    store: SqlStore
    engine: Engine

    async def close(self) -> None:
        await self.store.close()


async def build_app(settings: Settings, clock: Clock | None = None) -> App:
    """Load and check the content, bring the database schema up to date, and wire the engine."""
    content = load_content(settings.content_dir)
    await upgrade(settings.database_url)
    store = SqlStore(create_engine_for(settings.database_url))
    faq = KeywordFaq(content.faq, content.facts.facts)
    engine = Engine(content, store, faq, clock or SystemClock(ZoneInfo(settings.timezone)))
    return App(content, store, engine)
