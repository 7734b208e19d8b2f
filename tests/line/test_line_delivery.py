"""Reply token, push fallback and retries, against the emulator's LINE-like errors and faults."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.channels.line.api import proxy_for
from bot.emulators.line import Fault
from tests.harness import LineStack

USER = "U" + "4" * 32


def _calls(line: LineStack) -> list[tuple[str, int]]:
    return [(call.endpoint, call.status) for call in line.emulator.calls]


async def _greeted(line: LineStack) -> None:
    await line.emulator.follow(USER)
    await line.settled()
    line.emulator.calls.clear()


async def test_an_expired_reply_token_falls_back_to_push_with_a_retry_key(line: LineStack) -> None:
    await _greeted(line)
    line.emulator.reply_token_seconds = 0
    await line.emulator.tap(USER, "5つの条件チェック")
    await line.settled()
    assert "(1)〜(5)" in "\n".join(line.emulator.texts(USER))
    assert _calls(line) == [("reply", 400), ("push", 200)]
    assert line.emulator.calls[-1].headers.get("X-Line-Retry-Key")


async def test_429_on_reply_is_retried_and_the_user_gets_the_answer_once(line: LineStack) -> None:
    await _greeted(line)
    line.emulator.fail_next("reply", Fault(status=429))
    await line.emulator.tap(USER, "5つの条件チェック")
    await line.settled()
    assert _calls(line) == [("reply", 429), ("reply", 200)]
    assert sum("(1)〜(5)" in text for text in line.emulator.texts(USER)) == 1


async def test_a_push_that_failed_after_delivery_is_not_shown_twice(line: LineStack) -> None:
    await _greeted(line)
    line.emulator.reply_token_seconds = 0
    line.emulator.fail_next("push", Fault(status=500, delivered=True))
    await line.emulator.tap(USER, "5つの条件チェック")
    await line.settled()
    assert _calls(line) == [("reply", 400), ("push", 500), ("push", 409)]
    assert sum("(1)〜(5)" in text for text in line.emulator.texts(USER)) == 1


async def test_a_dropped_connection_on_reply_is_retried_with_the_same_token(line: LineStack) -> None:
    await _greeted(line)
    line.emulator.fail_next("reply", Fault(drop=True))
    await line.emulator.tap(USER, "5つの条件チェック")
    await line.settled()
    assert [endpoint for endpoint, _ in _calls(line)] == ["reply", "reply"]
    assert sum("(1)〜(5)" in text for text in line.emulator.texts(USER)) == 1


async def test_delivery_gives_up_after_a_bounded_time_with_a_logged_error(
    line: LineStack, caplog: pytest.LogCaptureFixture
) -> None:
    await _greeted(line)
    line.emulator.reply_token_seconds = 0
    line.emulator.push_quota = 0
    with caplog.at_level(logging.ERROR):
        await line.emulator.tap(USER, "5つの条件チェック")
        assert line.app is not None
        for _ in range(200):
            statuses = [event.status for event in await line.app.events.list_events("line")]
            if statuses[-1] == "failed":
                break
            await asyncio.sleep(0.05)
    assert statuses == ["done", "failed"]
    assert any("giving up" in record.getMessage() for record in caplog.records)
    assert {status for endpoint, status in _calls(line) if endpoint == "push"} == {429}


async def test_the_next_event_waits_for_a_retried_one(line: LineStack) -> None:
    """Strict order: while an event is being retried, the user's next event is not handled before it."""
    await _greeted(line)
    line.emulator.reply_token_seconds = 0
    line.emulator.fail_next("push", Fault(status=500), times=4)
    await line.emulator.tap(USER, "5つの条件チェック")
    await line.emulator.type(USER, "はい")
    for _ in range(200):
        await line.settled()
        if any("その課題を" in text for text in line.emulator.texts(USER)):
            break
        await asyncio.sleep(0.05)
    said = line.emulator.texts(USER)
    first = next(i for i, text in enumerate(said) if "(1)〜(5)" in text)
    second = next(i for i, text in enumerate(said) if "その課題を" in text)
    assert first < second


async def test_a_reply_that_timed_out_after_delivery_is_not_shown_twice(line: LineStack) -> None:
    """LINE may have shown a reply that timed out: the same token again is refused as spent, so nothing is pushed."""
    await _greeted(line)
    line.emulator.fail_next("reply", Fault(delay=2.5, delivered=True))  # the client gives up after 2 s
    await line.emulator.tap(USER, "5つの条件チェック")
    await line.settled()
    assert [endpoint for endpoint, _ in _calls(line)] == ["reply", "reply"]
    assert line.emulator.calls[-1].status == 400
    assert sum("(1)〜(5)" in text for text in line.emulator.texts(USER)) == 1


async def test_a_reply_answered_with_500_after_delivery_is_not_shown_twice(line: LineStack) -> None:
    await _greeted(line)
    line.emulator.fail_next("reply", Fault(status=500, delivered=True))
    await line.emulator.tap(USER, "5つの条件チェック")
    await line.settled()
    assert _calls(line) == [("reply", 500), ("reply", 400)]
    assert sum("(1)〜(5)" in text for text in line.emulator.texts(USER)) == 1


def test_the_proxy_of_the_environment_is_looked_up_once_for_the_api(monkeypatch: pytest.MonkeyPatch) -> None:
    """The SDK's session looked at the environment on every call; the channel's client does it once, the same way."""
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.city.example.jp:3128")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    assert proxy_for("https://api.line.me") == "http://proxy.city.example.jp:3128"
    assert proxy_for("http://127.0.0.1:8090") is None
