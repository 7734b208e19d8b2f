"""The logs of a whole day's work hold no message text, names, addresses, phone numbers, tokens or secrets.

`kyoso serve` runs as operators run it (its own logging set-up, with the
access log turned on: KYOSO_ACCESS_LOG); a proposer submits a draft over LINE, asks over Telegram and the web
chat, and bad requests arrive. Then everything it printed is searched.
"""

from __future__ import annotations

import json
from pathlib import Path

import aiohttp
import yaml
from aiosmtpd.controller import Controller

from bench.workers import SECRET, TOKEN, Workers, free_port, worker_environment
from bot.emulators.line import LineEmulator
from bot.emulators.line.events import sign
from bot.emulators.telegram import DEFAULT_TOKEN, TelegramEmulator
from tests.harness import NO_FLOOD, TRANSCRIPTS
from tests.helpers import wait_until
from tests.mail import Inbox

ORGANISATION = "秘匿テスト合同会社ミドリ"
NAME = "多摩川 秘子"
EMAIL = "hiko.tamagawa@example.jp"
PHONE = "090-8765-4321"
TELEGRAM_NAME = "ひみつ花子"
SECRETS = [SECRET, TOKEN, DEFAULT_TOKEN, DEFAULT_TOKEN.split(":")[1]]
PERSONAL = [ORGANISATION, NAME, EMAIL, PHONE, TELEGRAM_NAME, "見守りウォーキング", "ボランティア", "ごみの出し方", "住民票の写し"]
HAPPY_PATH = next(path for path in TRANSCRIPTS if path.stem == "happy_path")


def _proposer_turns() -> list[dict[str, object]]:
    """The happy path with our own personal data, and a phone number instead of skipping it."""
    turns: list[dict[str, object]] = yaml.safe_load(HAPPY_PATH.read_text(encoding="utf-8"))["turns"]
    swap = {"特定非営利活動法人ふちゅうまちづくりネット": ORGANISATION, "府中 花子": NAME, "hanako@example.jp": EMAIL}
    played: list[dict[str, object]] = []
    for turn in turns:
        if turn.get("send") in swap:
            turn = {"send": swap[str(turn["send"])]}
        elif turn.get("press") == "スキップ" and played and played[-1].get("send") == EMAIL:
            turn = {"send": PHONE}
        played.append(turn)
    return played


async def _play_over_line(line: LineEmulator, user: str) -> None:
    for turn in _proposer_turns():
        before = len(line.texts(user))
        if turn.get("start"):
            status = await line.follow(user, display_name=NAME)
        elif "send" in turn:
            status = await line.type(user, str(turn["send"]))
        else:
            status = await line.tap(user, str(turn["press"]))
        assert status == 200
        await wait_until(lambda before=before: len(line.texts(user)) > before, what=f"the bot's answer to {turn}")


async def test_the_logs_of_a_full_conversation_hold_no_personal_data_or_secrets(tmp_path: Path) -> None:
    line = LineEmulator(channel_secret=SECRET, access_token=TOKEN)
    await line.start()
    telegram = TelegramEmulator(limits=NO_FLOOD)
    await telegram.start()
    inbox, smtp_port = Inbox(), free_port()
    smtp = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    env = worker_environment(
        f"sqlite+aiosqlite:///{tmp_path / 'kyoso.db'}", line.url, faq_embeddings="false", telegram_poll_timeout="1",
        smtp_host="127.0.0.1", smtp_port=str(smtp_port), smtp_starttls="false", staff_emails="staff@example.jp",
        access_log="true",
    )
    env.update(TELEGRAM_BOT_TOKEN=DEFAULT_TOKEN, TELEGRAM_API_BASE_URL=telegram.url)
    server = Workers(1, env, tmp_path, serve_options=("--telegram-polling",))
    try:
        await server.start_all()
        url = server.workers[0].url
        line.webhook_url = f"{url}/webhooks/line"
        await _play_over_line(line, "U" + "a" * 32)
        await wait_until(lambda: inbox.messages, what="the staff mail with the draft")

        await telegram.user_sends(f"ごみの出し方を教えて。{TELEGRAM_NAME}です", first_name=TELEGRAM_NAME)
        await wait_until(lambda: telegram.sent_to(1001), what="the bot's answer on Telegram")

        async with aiohttp.ClientSession() as web:
            async with web.post(f"{url}/api/chat", json={"text": f"住民票の写しがほしい {EMAIL}"}) as response:
                assert response.status == 200
        raw = json.dumps({"destination": "x", "events": [{"type": "message", "text": PHONE}]}, ensure_ascii=False).encode()
        assert await line.send([], signature=sign(SECRET, raw), body=raw) == 400  # malformed, correctly signed
        assert await line.send([], signature="forged", body=raw) == 401
    finally:
        await server.stop_all()
        smtp.stop()
        await telegram.stop()
        await line.close()
    logs = server.workers[0].log.read_text(encoding="utf-8", errors="replace")
    session_secret = env["KYOSO_SESSION_SECRET"]

    assert "POST /webhooks/line" in logs and "POST /api/chat" in logs, f"the access log was not captured:\n{logs}"
    assert NAME in inbox.messages[0].get_body(("plain",)).get_content()  # staff did get the data, by mail
    for value in [*SECRETS, session_secret, *PERSONAL]:
        assert value not in logs, f"{value!r} appears in the logs:\n{logs}"
