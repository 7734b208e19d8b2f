"""`kyoso telegram set-webhook` and the emulator's own HTTP actions, run as a user would run them."""

from __future__ import annotations

import asyncio
import os
import sys

import aiohttp

from bot.emulators.telegram import DEFAULT_TOKEN, TelegramEmulator


async def kyoso(*args: str, env: dict[str, str]) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    return process.returncode or 0, output.decode()


async def test_set_webhook_registers_url_and_secret(emulator: TelegramEmulator) -> None:
    code, output = await kyoso(
        "telegram", "set-webhook", "http://127.0.0.1:9/webhooks/telegram",
        env={**os.environ, "TELEGRAM_BOT_TOKEN": DEFAULT_TOKEN, "TELEGRAM_WEBHOOK_SECRET": "s3cret",
             "TELEGRAM_API_BASE_URL": emulator.url},
    )
    assert code == 0, output
    assert emulator.webhook is not None
    assert (emulator.webhook.url, emulator.webhook.secret_token) == ("http://127.0.0.1:9/webhooks/telegram", "s3cret")
    assert emulator.webhook.allowed_updates == ["message", "callback_query"]


async def test_set_webhook_without_a_token_says_what_to_set() -> None:
    env = {name: value for name, value in os.environ.items() if not name.startswith("TELEGRAM_")}
    code, output = await kyoso("telegram", "set-webhook", "https://example.jp/webhooks/telegram", env=env)
    assert code == 1 and "set TELEGRAM_BOT_TOKEN first" in output


async def test_the_control_endpoints_act_as_a_user(emulator: TelegramEmulator) -> None:
    async with aiohttp.ClientSession(emulator.url) as http:
        await http.post("/_emulator/users/1001/send", json={"text": "/start"})
        await http.post(f"/bot{DEFAULT_TOKEN}/sendMessage", json={
            "chat_id": 1001, "text": "ご用件を選んでください。",
            "reply_markup": {"inline_keyboard": [[{"text": "よくある質問", "callback_data": "o:faq"}]]}})
        pressed = await http.post("/_emulator/users/1001/press", json={"label": "よくある質問"})
        missing = await http.post("/_emulator/users/1001/press", json={"label": "ない"})
        async with http.get("/_emulator/chats/1001/messages") as messages:
            sent = await messages.json()
    assert (await pressed.json())["callback_query"]["data"] == "o:faq"
    assert missing.status == 404
    assert [message["text"] for message in sent] == ["ご用件を選んでください。"]
