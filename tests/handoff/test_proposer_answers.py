"""What a proposer types after a staff reply about their draft: when it goes to staff, and when it is for the bot.

The real engine and store, the console's own reply path (SqlStaff), and the reply dispatcher delivering to
a pull channel; what is stored is read back as the draft page reads it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from bot.content.loader import Content
from bot.core import payloads
from bot.core.engine import Engine
from bot.core.messages import Inbound, Outbound, UserKey
from bot.faq.live import build_index
from bot.handoff.notices import AnswerNotice, StaffNotice
from bot.handoff.notifier import AnswerNotifier
from bot.handoff.replies import PullMessenger, ReplyDispatcher
from bot.handoff.sinks import delivery_key
from storage.answers import SqlAnswers
from storage.queue import OUTBOX_RETRY
from storage.sql_store import SqlStore, create_engine_for
from storage.staff import SqlStaff
from tests.helpers import SCRIPTED, FakeClock, visible_text
from tests.proposals import JST, play_happy_path

USER = UserKey(channel="chat", user_id="proposer-7")
TOLD = "担当者にお伝えしました（受付番号: KY-2026-0001）"


class RecordingSink:
    name = "webhook"

    def __init__(self) -> None:
        self.notices: list[tuple[StaffNotice, str]] = []

    async def deliver(self, dossier: object, key: str) -> None:
        raise AssertionError("no dossier is sent in these tests")

    async def notify(self, notice: StaffNotice, key: str) -> None:
        self.notices.append((notice, key))


@dataclass
class Desk:
    """The proposer's engine and the staff side of one database."""

    engine: Engine
    staff: SqlStaff
    answers: SqlAnswers
    replies: ReplyDispatcher
    clock: FakeClock
    reference: str = ""

    async def send(self, text: str) -> str:
        return visible_text(await self.engine.handle(Inbound(user=USER, text=text)))

    async def press(self, command: str) -> list[Outbound]:
        return await self.engine.handle(Inbound(user=USER, payload=payloads.COMMAND + command))

    async def staff_reply(self, text: str) -> None:
        self.clock.advance(0.1)
        await self.staff.add_reply(self.reference, "sato", text, self.clock.now())
        assert await self.replies.run_once() == 1

    async def stored(self) -> list[str]:
        return [answer.text for answer in await self.answers.for_draft(self.reference)]


@pytest.fixture
async def desk(store: SqlStore, database_url: str, content: Content) -> AsyncIterator[Desk]:
    clock = FakeClock(datetime(2026, 11, 25, 10, 0, tzinfo=JST))
    database = create_engine_for(database_url)
    staff = SqlStaff(database, OUTBOX_RETRY)
    engine = Engine(content, store, build_index(content, None), clock, limit=SCRIPTED, reply_window=timedelta(hours=72))
    found = Desk(engine, staff, SqlAnswers(database, OUTBOX_RETRY), ReplyDispatcher(staff.replies, [PullMessenger(USER.channel)], clock), clock)
    _, replies = await play_happy_path(engine, USER)
    assert "KY-2026-0001" in visible_text(replies)
    found.reference = "KY-2026-0001"
    yield found
    await database.dispose()


async def test_answers_go_to_staff_until_the_proposer_turns_back_to_the_bot(desk: Desk) -> None:
    assert "お答えできる情報が見つかりませんでした" in await desk.send("ありがとうございます")  # no staff reply yet
    await desk.staff_reply("使用する公園はどこを考えていますか？")
    desk.clock.advance(2)
    assert TOLD in await desk.send("郷土の森公園を考えています。")
    assert TOLD in await desk.send("予算はいくらですか？"), "still answering staff: the question goes to them too"
    back = await desk.press("resume")
    assert "ご用件を選んでください" in visible_text(back)
    assert "700万円" in await desk.send("予算はいくらですか？"), "back with the bot: the FAQ answers"
    assert await desk.stored() == ["郷土の森公園を考えています。", "予算はいくらですか？"]

    await desk.staff_reply("ありがとうございます。日程も教えてください。")
    assert TOLD in await desk.send("来年の4月からです。"), "a newer reply: the next typed message answers it"
    assert await desk.stored() == ["郷土の森公園を考えています。", "予算はいくらですか？", "来年の4月からです。"]


async def test_a_proposer_who_turned_to_the_bot_after_the_reply_is_not_taken_as_answering(desk: Desk) -> None:
    await desk.staff_reply("資料をお送りください。")
    desk.clock.advance(1)
    started = await desk.engine.handle(Inbound(user=USER, payload=payloads.OPTION + "draft"))
    assert "団体名を教えてください" in visible_text(started)
    assert "団体の種類" in await desk.send("NPO法人たねの会"), "the form's answer, not one for staff"
    assert await desk.stored() == []


async def test_after_the_reply_window_typed_text_is_for_the_bot_again(desk: Desk) -> None:
    await desk.staff_reply("資料をお送りください。")
    desk.clock.advance(73)
    said = await desk.send("資料は来週お送りします。")
    assert TOLD not in said
    # The bot's own FAQ path answers it (unknown, did-you-mean or — BM25 alone, as here, reads this line as a little
    # like 保険 — another desk's topic), not staff.
    bot_said = ("お答えできる情報が見つかりませんでした", "お探しの内容は、次のどれかですか？", "では扱っていません")
    assert any(words in said for words in bot_said), said
    assert await desk.stored() == []


async def test_mid_form_the_answer_to_staff_is_not_taken_as_the_forms_answer(desk: Desk) -> None:
    started = await desk.engine.handle(Inbound(user=USER, payload=payloads.OPTION + "draft"))
    assert "団体名を教えてください" in visible_text(started)
    await desk.staff_reply("先日の提案について、電話でお話しできますか？")
    assert TOLD in await desk.send("はい、平日の午後なら大丈夫です。")
    assert "団体名を教えてください" in visible_text(await desk.press("resume"))
    assert "団体の種類" in await desk.send("NPO法人たねの会"), "after 再開 typed text answers the form again"
    assert await desk.stored() == ["はい、平日の午後なら大丈夫です。"]


async def test_staff_hear_once_per_reply_answered(desk: Desk) -> None:
    sink = RecordingSink()
    notifier = AnswerNotifier(desk.answers, [sink], desk.clock, "https://kyoso.example.jp")
    await desk.staff_reply("使用する公園はどこを考えていますか？")
    await desk.send("郷土の森公園を考えています。")
    await desk.send("雨の日は集会所です。")
    assert await notifier.run_once() == 1
    assert await notifier.run_once() == 0, "sent once; the second message of the same answer brings no notice"
    [(notice, key)] = sink.notices
    assert isinstance(notice, AnswerNotice)
    assert (notice.reference, notice.channel, notice.text) == ("KY-2026-0001", USER.channel, "郷土の森公園を考えています。")
    assert notice.console_url == "https://kyoso.example.jp/staff/drafts/KY-2026-0001"
    [first, _] = await desk.answers.for_draft("KY-2026-0001")
    assert key == delivery_key("answer", first.id, "webhook")
