"""Staff hear of each consultation once per sink, and once more only if nobody takes it in time."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.content.loader import Content
from bot.core import payloads
from bot.core.messages import Inbound, UserKey
from bot.handoff.email_sink import EmailSink, SmtpConfig
from bot.handoff.notices import ConsultationNotice
from bot.handoff.notifier import ConsultationNotifier
from bot.handoff.render import DossierRenderer
from storage.consultations import SqlConsultations
from storage.sql_store import SqlStore, create_engine_for
from tests.handoff.policy import POLICY
from tests.helpers import FakeClock
from tests.mail import Inbox
from tests.staff.console import make_engine

REMIND_AFTER = timedelta(minutes=60)


class RecordingSink:
    def __init__(self, name: str) -> None:
        self.name = name
        self.notices: list[tuple[str, int, str]] = []

    async def notify(self, notice: ConsultationNotice, key: str) -> None:
        self.notices.append((notice.event, notice.consultation_id, key))


async def ask_a_person(content: Content, store: SqlStore, clock: FakeClock, user_id: str) -> None:
    engine = make_engine(content, store, clock)
    user = UserKey(channel="line", user_id=user_id)
    for inbound in [Inbound(user=user, payload=payloads.COMMAND + "resume"), Inbound(user=user, text="人と話したい"),
                    Inbound(user=user, text="提案の前に、市の担当者と一度話したいです。")]:
        await engine.handle(inbound)


async def test_each_consultation_is_announced_once_and_reminded_once_if_untaken(
    store: SqlStore, database_url: str, content: Content, clock: FakeClock
) -> None:
    database = create_engine_for(database_url)
    consultations = SqlConsultations(database, POLICY)
    chat, webhook = RecordingSink("line-staff-chat"), RecordingSink("webhook")
    notifier = ConsultationNotifier(consultations, [chat, webhook], clock, REMIND_AFTER, "https://kyoso.example.jp")
    try:
        await ask_a_person(content, store, clock, "U-1")
        await ask_a_person(content, store, clock, "U-2")
        await notifier.run_once()
        await notifier.run_once()
        assert [(event, number) for event, number, _ in chat.notices] == [
            ("consultation_opened", 1), ("consultation_opened", 2)
        ]
        assert len(webhook.notices) == 2 and webhook.notices[0][2] != chat.notices[0][2], "a key per sink"

        assert await consultations.take(2, "sato", clock.now())
        clock.advance(REMIND_AFTER.total_seconds() / 3600 + 0.1)
        await notifier.run_once()
        await notifier.run_once()
        assert [(event, number) for event, number, _ in chat.notices[2:]] == [("consultation_reminder", 1)]
        clock.advance(24)
        await notifier.run_once()
        assert len(chat.notices) == 3 and len(webhook.notices) == 3, "one reminder, never more"
    finally:
        await database.dispose()


async def test_the_mail_names_the_consultation_and_links_to_it(
    store: SqlStore, database_url: str, content: Content, clock: FakeClock, smtp_inbox: tuple[Inbox, int]
) -> None:
    inbox, port = smtp_inbox
    database = create_engine_for(database_url)
    config = SmtpConfig(host="127.0.0.1", port=port, sender="kyoso@city.example.jp",
                        recipients=["kyodo@city.example.jp"], starttls=False)
    notifier = ConsultationNotifier(
        SqlConsultations(database, POLICY), [EmailSink(config, DossierRenderer())], clock, REMIND_AFTER,
        "https://kyoso.example.jp",
    )
    try:
        await ask_a_person(content, store, clock, "U-1")
        await notifier.run_once()
    finally:
        await database.dispose()

    [message] = inbox.messages
    assert message["Subject"] == "【協働・共創の窓口】担当者への相談が届きました。"
    body = message.get_body(preferencelist=("plain",)).get_content()
    for expected in ["相談番号: 1", "受付経路: LINE", "提案の前に、市の担当者と一度話したいです。",
                     "https://kyoso.example.jp/staff/consultations/1"]:
        assert expected in body


async def test_workers_fanning_out_together_notify_once(
    store: SqlStore, database_url: str, content: Content, clock: FakeClock
) -> None:
    engines = [create_engine_for(database_url) for _ in range(2)]
    chat = RecordingSink("line-staff-chat")
    notifiers = [ConsultationNotifier(SqlConsultations(engine, POLICY), [chat], clock, REMIND_AFTER) for engine in engines]
    try:
        await ask_a_person(content, store, clock, "U-1")
        await asyncio.gather(*(notifier.run_once() for notifier in notifiers))
        await asyncio.gather(*(notifier.run_once() for notifier in notifiers))
    finally:
        for engine in engines:
            await engine.dispose()
    assert [(event, number) for event, number, _ in chat.notices] == [("consultation_opened", 1)]
