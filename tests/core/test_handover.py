"""担当者に相談 with the staff side: take, answer, close, the timer — what the user reads and what is stored,
on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime

import pytest

from bot.content.loader import Content
from bot.core import payloads
from bot.core.engine import Engine
from bot.core.messages import Inbound, Outbound, UserKey
from bot.faq.live import build_index
from bot.staff.desk import ConsultationDesk
from storage.consultations import SqlConsultations
from storage.queue import OUTBOX_RETRY
from storage.sql_store import SqlStore, create_engine_for
from tests.helpers import FakeClock, visible_text
from tests.proposals import JST
from tests.staff.console import QUIET_FOR, make_engine

USER = UserKey(channel="line", user_id="U-midori")
QUESTION = "市の施設を使う場合の費用について相談したいです。"


@dataclass
class Desk:
    engine: Engine
    consultations: SqlConsultations
    desk: ConsultationDesk
    clock: FakeClock

    async def say(self, text: str | None = None, payload: str | None = None, user: UserKey = USER) -> str:
        return visible_text(await self.engine.handle(Inbound(user=user, text=text, payload=payload)))

    async def replies(self, text: str) -> list[Outbound]:
        return await self.engine.handle(Inbound(user=USER, text=text))

    async def to_org_type(self, user: UserKey = USER) -> None:
        """Start a draft and stop at its second question (a choice)."""
        await self.say(payload=payloads.COMMAND + "resume", user=user)
        await self.say(payload=payloads.OPTION + "draft", user=user)
        assert "団体の種類" in await self.say("市民活動団体みどりの輪", user=user)

    async def told(self) -> list[str]:
        return [message.text for message in await self.consultations.messages(1) if message.sender != "user"]


@pytest.fixture
async def desk(store: SqlStore, database_url: str, content: Content) -> AsyncIterator[Desk]:
    clock = FakeClock(datetime(2026, 11, 25, 10, 0, tzinfo=JST))
    database = create_engine_for(database_url)
    consultations = SqlConsultations(database, OUTBOX_RETRY)
    engine = make_engine(content, store, clock)
    yield Desk(engine, consultations, ConsultationDesk(consultations, engine.after_consultation, clock, QUIET_FOR, lambda: None), clock)
    await database.dispose()


async def test_a_person_takes_over_mid_draft_and_hands_back_where_the_user_was(desk: Desk) -> None:
    await desk.to_org_type()
    assert "1つのメッセージにまとめて送ってください" in await desk.say("担当者に相談")
    assert "相談番号: 1" in await desk.say(QUESTION)

    assert await desk.consultations.take(1, "sato", desk.clock.now())
    assert not await desk.consultations.take(1, "suzuki", desk.clock.now()), "two staff cannot both take it"
    assert (await desk.consultations.get(1)).taken_by == "sato"  # type: ignore[union-attr]

    assert await desk.say("来月から始めたいです。") == "担当者がお返事しています。このままメッセージを送ってください。"
    assert await desk.replies("市民活動団体") == [], "while taken, the bot answers nothing (the note came once)"
    assert await desk.say("最初から") == "担当者がお返事しています。このままメッセージを送ってください。", (
        "a command is not acted on while a person answers, and the user is told why"
    )
    assert await desk.consultations.reply(1, "sato", "費用は施設によります。", desk.clock.now())
    assert not await desk.consultations.reply(1, "suzuki", "横から失礼します。", desk.clock.now())

    assert await desk.desk.close(1, "sato")
    assert not await desk.desk.close(1, "sato"), "closed once"
    said = await desk.consultations.messages(1)
    assert [(m.sender, m.text) for m in said[:4]] == [
        ("user", QUESTION), ("user", "来月から始めたいです。"), ("user", "市民活動団体"), ("user", "最初から"),
    ]
    assert said[4].sender == "staff" and said[4].author == "sato"
    assert said[-1].sender == "bot"
    handed_back = said[-1].text
    assert handed_back.startswith("担当者との相談を終わりました。ここからは、ボットがご案内します。")
    assert "団体の種類を選んでください。" in handed_back

    assert "ご担当者のお名前" in await desk.say("市民活動団体"), "the draft goes on where it was"


async def test_the_timer_closes_a_consultation_the_user_left_once(desk: Desk) -> None:
    await desk.to_org_type()
    await desk.say("人と話したい")
    await desk.say(QUESTION)
    desk.clock.advance(QUIET_FOR.total_seconds() / 3600 - 1)
    assert await desk.desk.close_abandoned() == 0
    await desk.say("まだですか？")
    desk.clock.advance(QUIET_FOR.total_seconds() / 3600 + 0.1)

    assert await desk.desk.close_abandoned() == 1
    assert await desk.desk.close_abandoned() == 0
    assert (await desk.told())[-1].startswith("しばらくやりとりがなかったため、担当者との相談を終わりました。")
    back = await desk.say("企業")
    assert "相談を終わりました" not in back and "おかえりなさい" in back, "told once; three days away, welcomed back"
    assert "ご担当者のお名前" in await desk.say("企業")


async def test_a_close_nobody_told_the_user_about_is_said_on_their_next_message(desk: Desk) -> None:
    await desk.to_org_type()
    await desk.say("担当者に相談")
    await desk.say(QUESTION)
    assert await desk.consultations.close(1, "sato", desk.clock.now())  # the process died before handing back

    said = await desk.say("企業")
    assert said.startswith("担当者との相談を終わりました。") and "団体の種類を選んでください。" in said
    assert "ご担当者のお名前" not in said, "text meant for the person is not taken as the answer"


async def test_the_user_withdraws_only_while_nobody_has_taken_it(desk: Desk) -> None:
    await desk.to_org_type()
    await desk.say("担当者に相談")
    await desk.say(QUESTION)
    assert await desk.consultations.take(1, "sato", desk.clock.now())

    assert "担当者がお返事しています" in await desk.say("戻る"), "taken: 戻る goes to the person"
    assert (await desk.consultations.get(1)).status == "taken"  # type: ignore[union-attr]


async def test_on_a_channel_staff_cannot_reply_on_the_bot_asks_where_to_reply(
    store: SqlStore, content: Content
) -> None:
    clock = FakeClock(datetime(2026, 11, 25, 10, 0, tzinfo=JST))
    engine = Engine(content, store, build_index(content, None), clock, reply_channels={"line"})
    user = UserKey(channel="terminal", user_id="operator")
    await engine.handle(Inbound(user=user, payload=payloads.COMMAND + "resume"))

    said = visible_text(await engine.handle(Inbound(user=user, text="担当者に相談")))
    assert "お返事先（メールアドレスか電話番号）も書き添えてください" in said
    opened = visible_text(await engine.handle(Inbound(user=user, text=QUESTION + " hanako@example.org")))
    assert "書き添えていただいたお返事先にお送りします" in opened


async def test_data_deletion_blanks_what_the_user_told_staff(desk: Desk) -> None:
    await desk.to_org_type()
    await desk.say("担当者に相談")
    await desk.say(QUESTION)
    await desk.consultations.take(1, "sato", desk.clock.now())
    await desk.consultations.reply(1, "sato", "費用は施設によります。", desk.clock.now())
    await desk.desk.close(1, "sato")

    await desk.say("データ削除")
    assert "入力した内容を削除しました" in await desk.say("はい")

    consultation = await desk.consultations.get(1)
    assert consultation is not None and consultation.question == "" and consultation.context == {}
    assert [(m.sender, m.text) for m in await desk.consultations.messages(1)][:2] == [
        ("user", ""), ("staff", "費用は施設によります。")
    ]


async def test_two_workers_taking_at_once_give_it_to_one(desk: Desk, database_url: str) -> None:
    await desk.to_org_type()
    await desk.say("担当者に相談")
    await desk.say(QUESTION)
    other_worker = create_engine_for(database_url)
    try:
        elsewhere = SqlConsultations(other_worker, OUTBOX_RETRY)
        taken = await asyncio.gather(
            desk.consultations.take(1, "sato", desk.clock.now()), elsewhere.take(1, "suzuki", desk.clock.now())
        )
    finally:
        await other_worker.dispose()
    assert sorted(taken) == [False, True]
    assert (await desk.consultations.get(1)).taken_by == ("sato" if taken[0] else "suzuki")  # type: ignore[union-attr]


async def test_a_command_while_waiting_for_a_person_gets_the_note_again(desk: Desk, content: Content) -> None:
    await desk.to_org_type()
    await desk.say("担当者に相談")
    await desk.say(QUESTION)
    assert await desk.say("追加で質問です。") == content.consultation.waiting_note
    assert await desk.replies("もうひとつ") == [], "a message for the person: the note came once"
    assert await desk.say("メニュー") == content.consultation.waiting_note, "not silent: the user is told how to leave"
    said = [message.text for message in await desk.consultations.messages(1)]
    assert said == [QUESTION, "追加で質問です。", "もうひとつ", "メニュー"]
