"""The composition root: the one place that builds and wires every object."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.channels.line import CHANNEL as LINE
from bot.channels.telegram import CHANNEL as TELEGRAM
from bot.channels.web import CHANNEL as WEB
from bot.clock import SystemClock
from bot.content.loader import Content, load_content
from bot.core.engine import Engine
from bot.core.ports import Clock
from bot.core.throttle import TurnLimit
from bot.faq.live import LiveContent, build_index, load_embedder
from bot.settings import Settings
from storage.events import SqlEventLog
from storage.migrate import upgrade
from storage.sql_store import SqlStore, create_engine_for
from storage.web_history import SqlWebHistory


@dataclass
class App:
    content: Content
    store: SqlStore
    engine: Engine
    events: SqlEventLog
    web_history: SqlWebHistory
    current_content: Callable[[], Content]  # the content in force (staff edits are taken up while running)

    async def close(self) -> None:
        await self.store.close()


async def build_app(settings: Settings, clock: Clock | None = None) -> App:
    """Load and check the content, bring the database schema up to date, and wire the engine."""
    content = load_content(settings.content_dir)
    await upgrade(settings.database_url)
    database = create_engine_for(settings.database_url)
    store = SqlStore(database)
    embedder = load_embedder(settings.cache_dir) if settings.faq_embeddings else None
    live = LiveContent(content, lambda loaded: build_index(loaded, embedder))
    limit = TurnLimit(turns=settings.user_messages_per_minute)
    # Staff answer consultations on these channels (push, or the web chat's pull); the terminal has neither.
    engine = Engine(
        live.current, store, live, clock or SystemClock(ZoneInfo(settings.timezone)), reply_channels={LINE, TELEGRAM, WEB},
        limit=limit, reply_window=timedelta(hours=settings.proposer_reply_hours),
    )
    return App(content, store, engine, events=SqlEventLog(database), web_history=SqlWebHistory(database),
               current_content=live.current)
