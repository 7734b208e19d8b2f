"""#14.5: words that differ by channel come from dialogs/common.yaml (channel_words), not from one channel's
vocabulary: the web chat says 「この画面」 and to keep the same browser, LINE says 「このトーク」."""

from __future__ import annotations

from datetime import datetime

from bot.content.loader import Content
from bot.core import payloads
from bot.core.engine import Engine
from bot.core.messages import Inbound, UserKey
from bot.faq.live import build_index
from storage.sql_store import SqlStore
from tests.helpers import FakeClock, visible_text
from tests.proposals import JST

QUESTION = "市の施設を会場に使えるか相談させてください。"


async def consultation_opened(engine: Engine, user: UserKey) -> str:
    await engine.handle(Inbound(user=user, payload=payloads.COMMAND + "resume"))
    await engine.handle(Inbound(user=user, text="担当者に相談"))
    return visible_text(await engine.handle(Inbound(user=user, text=QUESTION)))


async def test_the_web_chat_and_line_each_say_where_the_answer_comes(store: SqlStore, content: Content) -> None:
    clock = FakeClock(datetime(2026, 11, 25, 14, 0, tzinfo=JST))
    engine = Engine(content, store, build_index(content, None), clock, reply_channels={"web", "line"})
    web = await consultation_opened(engine, UserKey(channel="web", user_id="visitor-1"))
    line = await consultation_opened(engine, UserKey(channel="line", user_id="U-1"))
    assert "ご相談を受け付けました" in web and "ご相談を受け付けました" in line
    assert "お返事は、この画面でお知らせします。" in web and "トーク" not in web
    assert content.common.words_for("web")["keep_note"] in web and "同じブラウザ" in web
    assert "お返事は、このトークでお知らせします。" in line and "ブラウザ" not in line
