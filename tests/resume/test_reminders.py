"""One reminder about an unsent draft, pushed over LINE when the test clock says N days have passed.

Not to a user who blocked the bot, nor in quiet hours, nor twice with two workers, nor after
「もう送らないで」 or データ削除.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import timedelta

from bot.core.messages import UserKey
from bot.core.state import ConversationState
from bot.reminding import build_reminders
from storage.reminders import SqlIdleDrafts
from tests.resume.stacks import Stack, tomorrow_at

USER = "U" + "a" * 32
OTHER = "U" + "b" * 32
REMINDER = "送る前のまま保存されています"
MORNING = tomorrow_at(10)  # the reminders' default quiet hours are 21:00–9:00


async def _start_a_draft(stack: Stack, user: str) -> None:
    await stack.emulator.follow(user)
    await stack.first.settled()
    said = await stack.line(user, "提案の下書きをつくる", ">株式会社おしらせ", "企業")
    assert "ご担当者のお名前" in said[-1]


async def _sweep(stack: Stack) -> int:
    reminders = stack.first.app.reminders
    assert reminders is not None
    return await reminders.run_once()


def _reminders_to(stack: Stack, user: str) -> list[str]:
    return [text for text in stack.emulator.texts(user) if REMINDER in text]


async def test_a_paused_draft_gets_one_reminder_after_three_days_and_the_user_goes_on(stack: Stack) -> None:
    await stack.start()
    stack.clock.set(MORNING)
    await _start_a_draft(stack, USER)
    assert "「再開」と送ってください" in (await stack.line(USER, ">中断"))[-1]

    stack.clock.advance(timedelta(days=2, hours=23))
    assert await _sweep(stack) == 0, "not before three days"
    stack.clock.advance(timedelta(hours=1))
    assert await _sweep(stack) == 1
    reminder = stack.emulator.texts(USER)[-1]
    assert REMINDER in reminder and "最後のご利用から3日" in reminder and "市民協働推進部 協働共創推進課" in reminder
    assert stack.buttons(USER) == ["再開", "別の端末で続ける", "もう送らないで"]

    stack.clock.advance(timedelta(days=4))
    assert await _sweep(stack) == 0
    assert len(_reminders_to(stack, USER)) == 1, "one reminder, however long the draft waits"

    said = await stack.line(USER, "再開")
    assert "おかえりなさい" in said[0] and "ご担当者のお名前" in said[-1]


async def test_no_reminder_to_a_user_who_blocked_the_bot(stack: Stack) -> None:
    await stack.start()
    stack.clock.set(MORNING)
    await _start_a_draft(stack, USER)
    await _start_a_draft(stack, OTHER)
    assert await stack.emulator.unfollow(USER) == 200
    await stack.first.settled()

    stack.clock.advance(timedelta(days=3))
    assert await _sweep(stack) == 1
    assert _reminders_to(stack, USER) == [] and len(_reminders_to(stack, OTHER)) == 1


async def test_reminders_wait_for_the_end_of_the_quiet_hours(stack: Stack) -> None:
    await stack.start()
    evening = tomorrow_at(20, 30)
    stack.clock.set(evening)
    await _start_a_draft(stack, USER)

    stack.clock.advance(timedelta(days=3, hours=1))  # 21:30
    assert await _sweep(stack) == 0
    stack.clock.set(evening + timedelta(days=3, hours=12, minutes=29))  # 8:59 the next morning
    assert await _sweep(stack) == 0
    assert _reminders_to(stack, USER) == []
    stack.clock.set(evening + timedelta(days=3, hours=12, minutes=31))
    assert await _sweep(stack) == 1 and len(_reminders_to(stack, USER)) == 1


async def test_two_workers_sweeping_at_once_push_one_reminder(stack: Stack) -> None:
    await stack.start()
    stack.clock.set(MORNING)
    await _start_a_draft(stack, USER)
    await _start_a_draft(stack, OTHER)
    second = await stack.start()  # a second worker on the same database (after the drafts: their replies come from the first)

    stack.clock.advance(timedelta(days=3))
    workers = [server.app.reminders for server in stack.servers]
    assert second.app.reminders is not None and all(workers)
    pushed = await asyncio.gather(*(worker.run_once() for worker in workers if worker))
    assert sum(pushed) == 2
    assert len(_reminders_to(stack, USER)) == 1 and len(_reminders_to(stack, OTHER)) == 1
    assert await asyncio.gather(*(worker.run_once() for worker in workers if worker)) == [0, 0]


async def test_a_worker_that_read_the_drafts_before_another_claimed_them_pushes_nothing(stack: Stack) -> None:
    """The claim is made under the conversation's lock: a stale list of drafts does not push a second reminder."""
    first = await stack.start()
    stack.clock.set(MORNING)
    await _start_a_draft(stack, USER)
    app = (await stack.start()).app  # before the days pass: its sweep at start finds nothing due
    stack.clock.advance(timedelta(days=3))
    read_before = await SqlIdleDrafts(app.database).idle_drafts(["line"])
    assert [user.user_id for user, _ in read_before] == [USER]

    class ReadBefore:
        async def idle_drafts(self, channels: Sequence[str]) -> list[tuple[UserKey, ConversationState]]:
            return read_before

    late = build_reminders(app.settings, app.live.current, app.store, ReadBefore(), app.events, stack.clock, app.line, None)
    assert first.app.reminders is not None and await first.app.reminders.run_once() == 1
    assert await late.run_once() == 0
    assert len(_reminders_to(stack, USER)) == 1


async def test_no_reminder_after_stop_or_data_deletion(stack: Stack) -> None:
    await stack.start()
    stack.clock.set(MORNING)
    await _start_a_draft(stack, USER)
    said = await stack.line(USER, ">もう送らないで")
    assert "今後お送りしません" in said[0] and "ご担当者のお名前" in said[-1]
    await _start_a_draft(stack, OTHER)
    said = await stack.line(OTHER, ">データ削除", "はい")
    assert "入力した内容を削除しました" in said[-1]

    stack.clock.advance(timedelta(days=3))
    assert await _sweep(stack) == 0
    assert _reminders_to(stack, USER) == [] and _reminders_to(stack, OTHER) == []


async def test_stop_holds_after_starting_over(stack: Stack) -> None:
    await stack.start()
    stack.clock.set(MORNING)
    await _start_a_draft(stack, USER)
    await stack.line(USER, ">もう送らないで", ">最初から", "はい", "提案の下書きをつくる", ">株式会社さいしょから")

    stack.clock.advance(timedelta(days=3))
    assert await _sweep(stack) == 0 and _reminders_to(stack, USER) == []
