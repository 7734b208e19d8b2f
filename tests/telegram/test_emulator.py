"""The emulator answers like the real Bot API server: request formats, errors, limits, getUpdates, webhooks."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.emulators.telegram import DEFAULT_TOKEN, TelegramEmulator
from tests.helpers import serve_locally


async def call(platform: TelegramEmulator, method: str, token: str = DEFAULT_TOKEN, **kwargs: Any) -> tuple[int, dict]:
    async with aiohttp.ClientSession() as session, session.post(f"{platform.url}/bot{token}/{method}", **kwargs) as response:
        return response.status, await response.json()


async def test_form_json_and_multipart_requests_are_all_understood(emulator: TelegramEmulator) -> None:
    await emulator.user_sends("こんにちは")
    keyboard = {"inline_keyboard": [[{"text": "はい", "callback_data": "o:yes"}]]}
    form = {"chat_id": "1001", "text": "フォーム", "reply_markup": json.dumps(keyboard)}
    multipart = aiohttp.FormData({"chat_id": "1001", "text": "マルチパート", "reply_markup": json.dumps(keyboard)})
    multipart.add_field("document", b"%PDF-", filename="proposal.pdf")  # a file makes the body multipart

    assert (await call(emulator, "sendMessage", data=form))[0] == 200
    assert (await call(emulator, "sendMessage", json={"chat_id": 1001, "text": "JSON", "reply_markup": keyboard}))[0] == 200
    assert (await call(emulator, "sendmessage", data=multipart))[0] == 200

    sent = emulator.sent_to(1001)
    assert [message.text for message in sent] == ["フォーム", "JSON", "マルチパート"]
    assert all([button.callback_data for button in message.buttons] == ["o:yes"] for message in sent)


@pytest.mark.parametrize(
    ("request_body", "status", "description"),
    [
        ({"chat_id": 1001, "text": ""}, 400, "Bad Request: message text is empty"),
        ({"chat_id": 1001, "text": "あ" * 4097}, 400, "Bad Request: message is too long"),
        ({"chat_id": 999, "text": "だれ？"}, 400, "Bad Request: chat not found"),
        ({"chat_id": 1001, "text": "x", "reply_markup": {"inline_keyboard": [[{"text": "長い", "callback_data": "o:" + "x" * 63}]]}},
         400, "Bad Request: BUTTON_DATA_INVALID"),
        ({"chat_id": 1001, "text": "a < b", "parse_mode": "HTML"}, 400, "Bad Request: can't parse entities"),
        ({"chat_id": 1001, "text": "<b>閉じない", "parse_mode": "HTML"}, 400, "Bad Request: can't parse entities"),
    ],
)
async def test_send_message_errors_match_the_real_server(
    emulator: TelegramEmulator, request_body: dict, status: int, description: str
) -> None:
    await emulator.user_sends("こんにちは")
    code, body = await call(emulator, "sendMessage", json=request_body)
    assert code == status
    assert body["ok"] is False and body["error_code"] == status and body["description"].startswith(description)
    assert emulator.sent_to(1001) == []


async def test_limits_count_visible_text_and_callback_data_bytes(emulator: TelegramEmulator) -> None:
    await emulator.user_sends("こんにちは")
    exactly = {"inline_keyboard": [[{"text": "ちょうど", "callback_data": "あ" * 21 + "x"}]]}  # 64 bytes
    code, _ = await call(emulator, "sendMessage", json={
        "chat_id": 1001, "text": "<b>" + "あ" * 4096 + "</b>", "parse_mode": "HTML", "reply_markup": exactly})
    assert code == 200
    assert emulator.sent_to(1001)[0].entities == [{"type": "bold", "offset": 0, "length": 4096}]


async def test_wrong_token_and_unknown_method(emulator: TelegramEmulator) -> None:
    assert await call(emulator, "getMe", token="1:wrong") == (401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
    assert (await call(emulator, "sendSticker"))[0] == 404


async def test_flood_control_answers_429_with_retry_after(emulator: TelegramEmulator) -> None:
    await emulator.user_sends("こんにちは")
    codes = [(await call(emulator, "sendMessage", json={"chat_id": 1001, "text": f"{n}"})) for n in range(4)]
    assert [code for code, _ in codes] == [200, 200, 200, 429]
    assert codes[-1][1]["parameters"] == {"retry_after": 1}
    await asyncio.sleep(1.05)
    assert (await call(emulator, "sendMessage", json={"chat_id": 1001, "text": "また"}))[0] == 200


async def test_get_updates_offset_confirms_and_negative_offset_keeps_the_last(emulator: TelegramEmulator) -> None:
    for text in ("一", "二", "三"):
        await emulator.user_sends(text)

    _, first = await call(emulator, "getUpdates", data={"limit": "2"})
    ids = [update["update_id"] for update in first["result"]]
    assert [update["message"]["text"] for update in first["result"]] == ["一", "二"]
    _, again = await call(emulator, "getUpdates")  # nothing confirmed yet
    assert len(again["result"]) == 3
    _, rest = await call(emulator, "getUpdates", data={"offset": str(ids[1] + 1)})
    assert [update["message"]["text"] for update in rest["result"]] == ["三"]
    await emulator.user_sends("四")
    _, last = await call(emulator, "getUpdates", data={"offset": "-1"})
    assert [update["message"]["text"] for update in last["result"]] == ["四"]
    assert len(emulator.pending) == 1


async def test_long_poll_returns_as_soon_as_the_user_writes(emulator: TelegramEmulator) -> None:
    poll = asyncio.create_task(call(emulator, "getUpdates", data={"timeout": "5"}))
    await asyncio.sleep(0.2)
    assert not poll.done()
    await emulator.user_sends("いま送りました")
    _, body = await asyncio.wait_for(poll, 1)
    assert body["result"][0]["message"]["text"] == "いま送りました"


async def test_a_second_poller_ends_the_first_with_409(emulator: TelegramEmulator) -> None:
    first = asyncio.create_task(call(emulator, "getUpdates", data={"timeout": "5"}))
    await asyncio.sleep(0.1)
    second = asyncio.create_task(call(emulator, "getUpdates", data={"timeout": "0"}))
    code, body = await asyncio.wait_for(first, 1)
    assert code == 409 and body["description"].startswith("Conflict: terminated by other getUpdates request")
    assert (await second)[0] == 200


async def test_get_updates_conflicts_with_an_active_webhook(emulator: TelegramEmulator) -> None:
    assert (await call(emulator, "setWebhook", data={"url": "http://127.0.0.1:9/hook"}))[0] == 200
    code, body = await call(emulator, "getUpdates")
    assert code == 409 and "webhook is active" in body["description"]


class Receiver:
    """A bot's webhook endpoint that fails the first ``failures`` deliveries."""

    def __init__(self, failures: int = 0, delay: float = 0.0) -> None:
        self.failures, self.delay = failures, delay
        self.seen: list[tuple[int, str | None, int]] = []  # (update_id, secret header, chat)
        self.in_flight = self.most_in_flight = 0

    async def handle(self, request: web.Request) -> web.Response:
        update = await request.json()
        chat = update["message"]["chat"]["id"]
        self.seen.append((update["update_id"], request.headers.get("X-Telegram-Bot-Api-Secret-Token"), chat))
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        await asyncio.sleep(self.delay)
        self.in_flight -= 1
        if self.failures:
            self.failures -= 1
            return web.Response(status=500)
        return web.Response()


async def serve(receiver: Receiver) -> tuple[web.AppRunner, str]:
    app = web.Application()
    app.router.add_post("/hook", receiver.handle)
    runner, url = await serve_locally(app)
    return runner, f"{url}/hook"


async def test_webhook_delivery_carries_the_secret_and_retries_with_the_same_update_id(emulator: TelegramEmulator) -> None:
    receiver = Receiver(failures=2)
    runner, url = await serve(receiver)
    try:
        code, _ = await call(emulator, "setWebhook", data={"url": url, "secret_token": "s3cret_-"})
        assert code == 200
        update = await emulator.user_sends("届きますか")
        await emulator.wait_until(lambda: len(emulator.delivered) == 1)
        assert receiver.seen == [(update["update_id"], "s3cret_-", 1001)] * 3
        _, info = await call(emulator, "getWebhookInfo")
        assert info["result"]["pending_update_count"] == 0
        assert info["result"]["last_error_message"] == "Wrong response from the webhook: 500 Internal Server Error"
    finally:
        await runner.cleanup()


async def test_webhook_keeps_each_chat_in_order_and_serves_chats_concurrently(emulator: TelegramEmulator) -> None:
    receiver = Receiver(failures=1, delay=0.05)
    runner, url = await serve(receiver)
    try:
        await call(emulator, "setWebhook", data={"url": url})
        for n in range(3):
            for user in (1001, 1002, 1003):
                await emulator.user_sends(f"{n}", user_id=user)
        await emulator.wait_until(lambda: len(emulator.delivered) == 9)
        for user in (1001, 1002, 1003):
            order = [update_id for update_id, _, chat in receiver.seen if chat == user]
            assert order == sorted(order)
        assert receiver.most_in_flight > 1
    finally:
        await runner.cleanup()


async def test_invalid_webhook_secret_is_refused(emulator: TelegramEmulator) -> None:
    code, body = await call(emulator, "setWebhook", data={"url": "http://127.0.0.1:9/hook", "secret_token": "日本語"})
    assert code == 400 and body["description"] == "Bad Request: secret token contains unallowed characters"


async def test_edit_message_text_changes_what_the_user_sees(emulator: TelegramEmulator) -> None:
    await emulator.user_sends("こんにちは")
    _, sent = await call(emulator, "sendMessage", json={"chat_id": 1001, "text": "送信中…"})
    edit = {"chat_id": 1001, "message_id": sent["result"]["message_id"], "text": "<b>送信しました</b>", "parse_mode": "HTML"}

    code, edited = await call(emulator, "editMessageText", json=edit)
    assert code == 200 and edited["result"]["text"] == "送信しました" and "edit_date" in edited["result"]
    assert [message.text for message in emulator.sent_to(1001)] == ["送信しました"]
    code, again = await call(emulator, "editMessageText", json=edit)
    assert code == 400 and again["description"].startswith("Bad Request: message is not modified")
    code, missing = await call(emulator, "editMessageText", json={**edit, "message_id": 999})
    assert code == 400 and missing["description"] == "Bad Request: message to edit not found"


async def test_chat_actions_are_recorded(emulator: TelegramEmulator) -> None:
    await emulator.user_sends("こんにちは")
    assert (await call(emulator, "sendChatAction", data={"chat_id": "1001", "action": "typing"}))[0] == 200
    assert (await call(emulator, "sendChatAction", data={"chat_id": "1001", "action": "dancing"}))[0] == 400
    assert emulator.chat_actions == [(1001, "typing")]
