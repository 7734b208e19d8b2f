"""What LINE's webhook calls get back, and what is stored for them."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace

from bot.emulators.line.events import sign
from tests.harness import FAST, LineStack

USER = "U" + "2" * 32


async def _stored(line: LineStack) -> list[str]:
    assert line.app is not None
    return [event.status for event in await line.app.events.list_events("line")]


async def test_bad_or_missing_signature_gets_401_and_nothing_is_stored(line: LineStack) -> None:
    event = line.emulator.text_event(USER, "こんにちは")
    assert await line.emulator.send([event], signature="bm90IHRoZSBzaWduYXR1cmU=") == 401
    assert await line.emulator.send([event], signature="") == 401
    await line.settled()
    assert await _stored(line) == []
    assert [m for m in line.emulator.seen[USER] if m["from"] == "bot"] == []


async def test_malformed_bodies_get_400_and_the_verify_call_gets_200(line: LineStack) -> None:
    emulator = line.emulator
    broken = b'{"destination": "U0", "events": [}'
    assert await emulator.send([], signature=_sign(line, broken), body=broken) == 400
    event = emulator.text_event(USER, "こんにちは")
    del event["webhookEventId"]
    missing = json.dumps({"destination": "U0", "events": [event]}).encode()
    assert await emulator.send([], signature=_sign(line, missing), body=missing) == 400
    assert await emulator.send([]) == 200
    unknown = {**emulator.text_event(USER, "x"), "type": "somethingNew"}
    assert await emulator.send([unknown]) == 200
    await line.settled()
    assert await _stored(line) == []


async def test_a_redelivered_event_is_handled_once(line: LineStack) -> None:
    assert await line.emulator.follow(USER) == 200
    assert await line.emulator.type(USER, "よくある質問") == 200
    await line.settled()
    seen = list(line.emulator.seen[USER])
    assert await line.emulator.redeliver(reverse=True) == 200
    await line.settled()
    assert line.emulator.seen[USER] == seen
    assert await _stored(line) == ["done", "done"]


async def test_events_stored_before_a_crash_are_handled_after_the_restart(line: LineStack) -> None:
    await line.stop()
    await line.start(replace(FAST, ingest=replace(FAST.ingest, concurrency=0)))  # stores, never handles
    assert await line.emulator.follow(USER) == 200
    assert await line.emulator.send([line.emulator.postback_event(USER, "o:criteria")]) == 200
    assert await _stored(line) == ["pending", "pending"]
    assert line.emulator.texts(USER) == []
    await line.stop()

    await line.start()
    await line.settled()
    said = "\n".join(line.emulator.texts(USER))
    assert "ご用件を選んでください" in said and "(1)〜(5)" in said
    assert said.index("ご用件を選んでください") < said.index("(1)〜(5)")
    assert set(await _stored(line)) == {"done"}


async def test_two_users_interleaved_each_in_order(line: LineStack) -> None:
    first, second = "U" + "a" * 32, "U" + "b" * 32
    emulator = line.emulator
    await asyncio.gather(emulator.follow(first), emulator.follow(second))
    await line.settled()
    batches = {
        user: [
            emulator.postback_event(user, "o:draft"),
            emulator.text_event(user, f"団体{user[-1]}"),
            emulator.postback_event(user, "o:npo"),
        ]
        for user in (first, second)
    }


    async def one_by_one(events: list[dict[str, object]]) -> list[int]:
        return [await emulator.send([event]) for event in events]  # no waiting for the bot in between

    statuses = await asyncio.gather(*(one_by_one(events) for events in batches.values()))
    assert statuses == [[200, 200, 200], [200, 200, 200]]
    await line.settled()
    for user in (first, second):
        said = emulator.texts(user)
        asked = [text for text in said if "団体名を教えてください" in text or "団体の種類" in text or "ご担当者のお名前" in text]
        assert len(asked) == 3 and "団体名" in asked[0] and "団体の種類" in asked[1] and "ご担当者のお名前" in asked[2], said


async def test_group_gets_a_polite_one_to_one_reply(line: LineStack) -> None:
    group = "C" + "3" * 32
    assert await line.emulator.type(USER, "こんにちは", group_id=group) == 200
    await line.settled()
    assert line.app is not None
    assert line.emulator.texts(group) == [line.app.content.common.messages.one_to_one]


async def test_unfollow_marks_inactive_and_refollow_resumes_the_draft(line: LineStack) -> None:
    emulator = line.emulator
    await emulator.follow(USER)
    await line.settled()
    await emulator.tap(USER, "提案の下書きをつくる")
    await line.settled()
    assert await emulator.unfollow(USER) == 200
    await line.settled()
    assert line.app is not None
    assert await line.app.events.is_active("line", USER) is False
    await emulator.follow(USER, unblocked=True)
    await line.settled()
    assert await line.app.events.is_active("line", USER) is True
    assert "団体名を教えてください" in emulator.texts(USER)[-1]


def _sign(line: LineStack, body: bytes) -> str:
    return sign(line.emulator.channel_secret, body)
