"""Fuzzing (Hypothesis): arbitrary bytes, JSON shapes and Unicode at every door, and at the core.

Whatever arrives, the server answers 2xx/4xx (never 500), nothing crashes, and
what is stored is usable: every accepted event is handled and answered, and
the conversation still works afterwards.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.content.loader import Content
from bot.core.engine import Engine
from bot.core.messages import Inbound, UserKey
from bot.emulators.line.events import sign
from bot.faq.matcher import FaqIndex
from storage import tables
from storage.sql_store import SqlStore, create_engine_for
from tests.harness import SECRET
from tests.helpers import SCRIPTED, FakeClock, visible_text
from tests.trust.platforms import TELEGRAM_SECRET, Platforms

TRICKY = [
    "\x00", "a\x00b", "\u202eRTL override\u202c", "مرحبا بالعالم", "e\u0301\u0301\u0301", "🧑‍🤝‍🧑👩🏽‍💻🀄", "\U0010ffff",
    "\ufeff", "\r\n\t", "０１２３ＡＢＣ", "ｶﾞｷﾞｸﾞ", "' OR 1=1 --", "<script>alert(1)</script>", "{{ 7*7 }}", "%s%s%n",
    "c:menu", "o:", "p:999999999999", "e:../../etc", "f:nope", "y:", " " * 100,
]
lone_surrogates = st.sampled_from(["\ud800", "a\udfffb", "\ud83d"])  # JSON may carry them as \\uXXXX escapes
huge = st.tuples(st.sampled_from([*TRICKY, "あ", "😀", "x"]), st.integers(1_000, 6_000)).map(lambda drawn: drawn[0] * drawn[1])
texts = st.one_of(st.text(max_size=40), st.sampled_from(TRICKY), huge)
core_texts = texts | lone_surrogates
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20) | lone_surrogates,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


async def explore(check: Callable[..., Awaitable[None]], config: settings = FUZZ, **strategies: st.SearchStrategy[Any]) -> None:
    """Run Hypothesis on an async check: examples are drawn in a thread and run on this test's event loop."""
    loop = asyncio.get_running_loop()

    @config
    @given(**strategies)
    def example(**drawn: Any) -> None:
        asyncio.run_coroutine_threadsafe(check(**drawn), loop).result()

    await asyncio.to_thread(example)


def _line_event_shapes() -> st.SearchStrategy[dict[str, Any]]:
    """LINE-like events with any of the usual keys holding anything."""
    keys = ["type", "source", "message", "replyToken", "timestamp", "webhookEventId", "deliveryContext", "mode", "postback"]
    return st.dictionaries(st.sampled_from(keys), json_values, max_size=len(keys))


async def _post(platforms: Platforms, path: str, body: bytes, headers: dict[str, str]) -> int:
    async with aiohttp.ClientSession() as http, http.post(platforms.url + path, data=body, headers=headers) as response:
        return response.status


async def _unfinished_events(platforms: Platforms) -> list[tuple[str, str | None]]:
    engine = create_engine_for(platforms.settings.database_url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                select(tables.inbound_events.c.status, tables.inbound_events.c.error).where(
                    tables.inbound_events.c.status != "done"
                )
            )
            return [tuple(row) for row in rows]
    finally:
        await engine.dispose()


async def test_the_line_webhook_survives_anything_correctly_signed(platforms: Platforms) -> None:
    async def post(body: bytes) -> None:
        status = await _post(platforms, "/webhooks/line", body, {"X-Line-Signature": sign(SECRET, body)})
        assert status in (200, 400), status

    envelopes = st.lists(_line_event_shapes(), max_size=3).map(lambda events: {"destination": "U0", "events": events})
    await explore(post, body=st.one_of(st.binary(max_size=2_000), (json_values | envelopes).map(_json_bytes)))
    await platforms.ingest.idle()
    assert await _unfinished_events(platforms) == []


async def test_any_text_over_line_is_stored_handled_and_answered(platforms: Platforms) -> None:
    users = iter(range(10_000))

    async def say(text: str) -> None:
        user = f"U{next(users):032d}"
        assert await platforms.line.type(user, text) == 200
        await platforms.ingest.idle()
        assert platforms.line.texts(user), f"no answer to {text[:50]!r}"

    await explore(say, text=texts)
    assert await _unfinished_events(platforms) == []


async def test_the_telegram_webhook_survives_anything(platforms: Platforms) -> None:
    async def post(body: bytes) -> None:
        headers = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET, "Content-Type": "application/json"}
        assert await _post(platforms, "/webhooks/telegram", body, headers) in (200, 400)

    updates = st.fixed_dictionaries({"update_id": st.integers(), "message": json_values})
    await explore(post, body=st.one_of(st.binary(max_size=2_000), (json_values | updates).map(_json_bytes)))
    await platforms.ingest.idle()
    assert await _unfinished_events(platforms) == []


async def test_the_web_chat_survives_anything(platforms: Platforms) -> None:
    async def post(body: bytes) -> None:
        status = await _post(platforms, "/api/chat", body, {"Content-Type": "application/json"})
        assert status < 500, status

    turns = st.fixed_dictionaries({}, optional={"start": json_values, "text": texts, "payload": texts})
    await explore(post, body=st.one_of(st.binary(max_size=2_000), (json_values | turns).map(_json_bytes)))


@pytest.mark.parametrize("channel", ["line", "web"])
async def test_the_core_takes_any_sequence_and_still_works(
    content: Content, faq_index: FaqIndex, store: SqlStore, channel: str
) -> None:
    engine = Engine(content, store, faq_index, FakeClock(datetime(2026, 11, 25, tzinfo=ZoneInfo("Asia/Tokyo"))), limit=SCRIPTED)
    users = iter(range(10_000))

    async def converse(inputs: list[tuple[str | None, str | None]]) -> None:
        user = UserKey(channel=channel, user_id=f"fuzz-{next(users)}")
        for text, payload in inputs:
            await engine.handle(Inbound(user=user, text=text, payload=payload))
        menu = await engine.handle(Inbound(user=user, text="メニュー"))
        assert "ご用件を選んでください" in visible_text(menu)

    config = settings(FUZZ, max_examples=40)
    await explore(converse, config, inputs=st.lists(st.tuples(core_texts | st.none(), core_texts | st.none()), min_size=1, max_size=8))


def _json_bytes(value: object) -> bytes:
    return json.dumps(value).encode()  # ASCII: lone surrogates travel as escapes, as they can in real JSON


async def test_nul_and_lone_surrogates_in_real_events_are_handled_and_answered(platforms: Platforms) -> None:
    line_user = "U" + "f" * 32
    event = platforms.line.text_event(line_user, "placeholder")
    event["message"]["text"] = "\x00\ud800共創とは\udfff"
    raw = _json_bytes({"destination": "U0", "events": [event]})
    assert await platforms.line.send([], signature=sign(SECRET, raw), body=raw) == 200

    await platforms.telegram.user_sends("こんにちは", user_id=1001)  # the chat exists on the platform
    update = {"update_id": 77, "message": {
        "message_id": 9, "date": 0, "chat": {"id": 1001, "type": "private"},
        "from": {"id": 1001, "is_bot": False, "first_name": "花子"}, "text": "\x00\ud83d共創とは",
    }}
    headers = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET, "Content-Type": "application/json"}
    assert await _post(platforms, "/webhooks/telegram", _json_bytes(update), headers) == 200

    await platforms.ingest.idle()
    assert await _unfinished_events(platforms) == []
    assert "共創" in "\n".join(platforms.line.texts(line_user))
    assert "共創" in "\n".join(message.text for message in platforms.telegram.sent_to(1001))
