"""Typed lines read once, buttons not at all; どれでもない kept for staff; actions named in a message offered as buttons."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.content.loader import Content
from bot.core import payloads
from bot.core.engine import Engine
from bot.core.messages import Inbound, Outbound, UserKey
from bot.core.ports import FaqHit, FaqMatch, Reading
from bot.faq.matcher import FaqIndex
from storage.sql_store import SqlStore
from tests.helpers import SCRIPTED, FakeClock, visible_text

USER = UserKey(channel="test", user_id="reader")


class Counting:
    """The real FAQ lookup, counting how often a line is read (each read is one embedding)."""

    def __init__(self, index: FaqIndex) -> None:
        self._index = index
        self.reads: list[str] = []

    def read(self, text: str) -> Reading:
        self.reads.append(text)
        return self._index.read(text)

    def lookup(self, text: str) -> FaqMatch:
        return self.read(text).faq

    def get(self, entry_id: str) -> FaqHit | None:
        return self._index.get(entry_id)


class Chat:
    def __init__(self, content: Content, store: SqlStore, faq: Counting) -> None:
        clock = FakeClock(datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo")))
        self.engine = Engine(content, store, faq, clock, reply_channels={USER.channel}, limit=SCRIPTED)
        self.replies: list[Outbound] = []

    async def send(self, text: str) -> str:
        self.replies = await self.engine.handle(Inbound(user=USER, text=text))
        return visible_text(self.replies)

    async def press(self, label: str) -> str:
        payload = next(choice.payload for choice in self.replies[-1].choices if choice.label == label)
        self.replies = await self.engine.handle(Inbound(user=USER, payload=payload))
        return visible_text(self.replies)

    @property
    def buttons(self) -> list[str]:
        return [choice.label for choice in self.replies[-1].choices]


async def test_buttons_are_not_read_and_a_typed_line_is_read_once(content: Content, store: SqlStore, faq_index: FaqIndex) -> None:
    faq = Counting(faq_index)
    chat = Chat(content, store, faq)
    chat.replies = await chat.engine.handle(Inbound(user=USER, payload=payloads.COMMAND + "resume"))
    await chat.press("提案の下書きをつくる")
    await chat.press("中断")
    await chat.press("再開")
    assert faq.reads == [], "no lookup (and no embedding) for a button"

    for line in ["株式会社よみとり", "提案の方法を教えてください", "今日はここまでにしておきます", "説明会はありますか？"]:
        faq.reads.clear()
        await chat.send(line)
        assert faq.reads == [line], f"{line!r} was read {len(faq.reads)} times"


async def test_none_of_these_says_so_keeps_the_question_for_staff_and_offers_a_person(
    content: Content, store: SqlStore, faq_index: FaqIndex
) -> None:
    chat = Chat(content, store, Counting(faq_index))
    said = await chat.send("提案について知りたいです")
    assert "お探しの内容は" in said and "どれでもない" in chat.buttons

    said = await chat.press("どれでもない")

    assert "お答えできる情報がありません" in said and "記録しました" in said
    assert "担当者に相談" in chat.buttons
    assert [row.question for row in await store.question_counts(["unanswered"])] == ["提案について知りたいです"]
    async with store.turn(USER) as turn:
        assert [(asked.question, asked.outcome) for asked in turn.state.faq_log] == [("提案について知りたいです", "unanswered")]
    assert "担当者に相談できます" in await chat.press("担当者に相談")


async def test_a_message_that_names_an_action_offers_it(content: Content, store: SqlStore, faq_index: FaqIndex) -> None:
    chat = Chat(content, store, Counting(faq_index))
    said = await chat.send("条件は全部満たさないといけないのでしょうか")
    assert "「5つの条件チェック」" in said and "5つの条件チェック" in chat.buttons
    said = await chat.send("修正")
    assert "「提案の下書きをつくる」から始めてください" in said and "提案の下書きをつくる" in chat.buttons
    assert "団体名を教えてください" in await chat.press("提案の下書きをつくる")
    said = await chat.send("中断")
    assert "「再開」と送ってください" in said and chat.buttons == ["再開"]


async def test_a_question_about_a_flow_gets_the_faq_with_the_flow_one_tap_away(
    content: Content, store: SqlStore, faq_index: FaqIndex
) -> None:
    """「担当者について知りたい」 is a question about 担当者: no 「…しますか？」, but 担当者に相談 is a button."""
    chat = Chat(content, store, Counting(faq_index))
    said = await chat.send("担当者について知りたい")
    assert "しますか？" not in said
    assert "担当者に相談" in chat.buttons
    assert "協働共創推進課" in said or "お探しの内容は" in said
    assert "担当者に相談できます" in await chat.press("担当者に相談")
