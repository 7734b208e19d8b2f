"""Signs of life: the loading animation when an answer is late, 既読 only once a staff member read the messages."""

from __future__ import annotations

from dataclasses import replace

from bot.emulators.line.platform import Fault
from tests.documents.files import PDF
from tests.harness import FAST, LineStack

USER = "U" + "7" * 32


async def _settled(line: LineStack) -> None:
    await line.settled()
    assert line.app is not None and line.app.line is not None
    await line.app.line.signs.idle()


async def test_a_message_that_waited_in_a_backlog_is_answered_without_the_loading_animation(line: LineStack) -> None:
    late = line.emulator.text_event(USER, "こんにちは")
    late["timestamp"] -= 60_000  # it waited a minute (an outage, a queue); its turn then takes milliseconds
    assert await line.emulator.send([late]) == 200
    await _settled(line)
    assert line.emulator.texts(USER)
    assert "loading" not in {call.endpoint for call in line.emulator.calls}, "a spinner for a few milliseconds: a call for nothing"


async def test_a_turn_slowed_by_the_download_of_a_file_shows_the_animation_before_the_answer(line: LineStack) -> None:
    await line.stop()
    await line.start(replace(FAST, line_delivery=replace(FAST.line_delivery, loading_after=0.3)))
    assert await line.emulator.follow(USER) == 200
    await _settled(line)
    assert await line.emulator.tap(USER, "提案の下書きをつくる") == 200
    await _settled(line)
    assert line.emulator.loading_shown == [], "quick turns show nothing"
    line.emulator.fail_next("content", Fault(delay=1.5))  # LINE's data server is slow to hand over the file
    await line.emulator.send_file(USER, "企画書.pdf", PDF)
    await _settled(line)
    assert line.emulator.loading_shown == [USER]
    endpoints = [call.endpoint for call in line.emulator.calls]
    assert endpoints.index("loading") < len(endpoints) - 1 - endpoints[::-1].index("reply"), endpoints
    assert any("「企画書.pdf」を受け取りました" in text for text in line.emulator.texts(USER)[-2:])
    loading = next(call for call in line.emulator.calls if call.endpoint == "loading")
    assert loading.status == 202 and loading.body["loadingSeconds"] % 5 == 0


async def test_a_slow_turn_shows_it_one_to_one_only_and_never_in_standby(line: LineStack) -> None:
    await line.stop()
    await line.start(replace(FAST, line_delivery=replace(FAST.line_delivery, loading_after=0.0)))  # every turn is "slow"
    assert await line.emulator.type(USER, "こんにちは") == 200
    assert await line.emulator.type("U" + "8" * 32, "こんにちは", group_id="C" + "8" * 32) == 200
    line.emulator.mode = "standby"
    assert await line.emulator.type("U" + "9" * 32, "こんにちは") == 200
    await _settled(line)
    assert line.emulator.loading_shown == [USER]
    assert {call.status for call in line.emulator.calls if call.endpoint == "loading"} == {202}


async def _staff_reads(line: LineStack, consultation_id: int) -> None:
    """A staff member logs in to the console and opens the consultation."""
    assert "府中市宮西町" in await line.staff_page(f"/staff/consultations/{consultation_id}")
    await _settled(line)


async def test_messages_are_marked_read_only_when_a_staff_member_read_them(line: LineStack) -> None:
    assert line.app is not None
    assert await line.emulator.follow(USER) == 200
    for text in ["担当者に相談", "協働の進め方を相談したいです", "住所は府中市宮西町1-2-3です"]:
        assert await line.emulator.type(USER, text) == 200
        await _settled(line)
    assert line.emulator.read_messages(USER) == [], "nobody has read them yet"
    assert "mark_as_read" not in {call.endpoint for call in line.emulator.calls}

    [consultation] = await line.app.staff.services.consultations.find()
    await _staff_reads(line, consultation.id)
    assert line.emulator.read_messages(USER) == line.emulator.sent_ids(USER)

    assert await line.emulator.type(USER, "追加で質問があります") == 200
    await _settled(line)
    assert line.emulator.read_messages(USER) == line.emulator.sent_ids(USER)[:-1], "the new one waits for a person"
    await _staff_reads(line, consultation.id)
    assert line.emulator.read_messages(USER) == line.emulator.sent_ids(USER)

