"""A reload of the web chat (or a LINE re-follow) sends 再開: while a person is answering it is not a message
for staff (it once showed up in the console as 「再開」), and the user is told again where they are."""

from __future__ import annotations

from datetime import datetime

from bot.content.loader import Content
from bot.core import payloads
from bot.core.engine import Engine
from bot.core.messages import Inbound, UserKey
from bot.faq.live import build_index
from storage.consultations import SqlConsultations
from storage.queue import OUTBOX_RETRY
from storage.sql_store import SqlStore, create_engine_for
from tests.core.test_channel_words import QUESTION, consultation_opened
from tests.helpers import FakeClock, visible_text
from tests.proposals import JST


async def test_a_reload_mid_consultation_is_not_passed_on(store: SqlStore, content: Content, database_url: str) -> None:
    clock = FakeClock(datetime(2026, 11, 25, 14, 0, tzinfo=JST))
    engine = Engine(content, store, build_index(content, None), clock, reply_channels={"web"})
    visitor = UserKey(channel="web", user_id="visitor-1")
    assert "ご相談を受け付けました" in await consultation_opened(engine, visitor)
    for _ in range(2):
        again = await engine.handle(Inbound(user=visitor, payload=payloads.COMMAND + "resume"))
        assert visible_text(again) == content.consultation.waiting_note
        assert [choice.label for choice in again[-1].choices] == [content.common.commands["back"].label]
    database = create_engine_for(database_url)
    try:
        said = await SqlConsultations(database, OUTBOX_RETRY).messages(1)
    finally:
        await database.dispose()
    assert [message.text for message in said] == [QUESTION]
