"""Attacks from the security review (issue 12) through the real server: each one now fails safe.

Unauthenticated requests with bytes that are not UTF-8 or absurd numbers get a
4xx (never a 500 with a traceback), and signed but malformed webhook bodies lose
only the bad event: the good ones beside it are stored and answered.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from urllib.parse import urlsplit

import aiohttp
import pytest
from argon2 import PasswordHasher
from pydantic import ValidationError

from bot.emulators.line.events import sign
from bot.settings import Settings
from bot.staff import passwords
from bot.staff.passwords import hash_password
from tests.harness import SECRET
from tests.trust.platforms import TELEGRAM_SECRET, Platforms

STAFF_PASSWORD = "correct horse battery"


async def raw_request(url: str, head: bytes, body: bytes = b"") -> tuple[int, bytes]:
    """Send ``head`` (request line and headers, CRLF-separated, no final blank line) and ``body`` as they are."""
    parts = urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    try:
        writer.write(head + b"\r\nContent-Length: " + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(), 10)
    finally:
        writer.close()
    status_line, _, rest = answer.partition(b"\r\n")
    return int(status_line.split()[1]), rest


@pytest.fixture
def errors(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO)
    return caplog


def _no_traceback(caplog: pytest.LogCaptureFixture) -> None:
    assert not [record for record in caplog.records if record.exc_info or record.levelno >= logging.ERROR], [
        record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR
    ]


async def test_a_telegram_secret_that_is_not_utf8_is_refused(platforms: Platforms, errors: pytest.LogCaptureFixture) -> None:
    head = b"POST /webhooks/telegram HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Telegram-Bot-Api-Secret-Token: \xff\xfe"
    status, _ = await raw_request(platforms.url, head, b'{"update_id": 1}')
    assert 400 <= status < 500
    _no_traceback(errors)


@pytest.mark.parametrize("method, path", [("POST", "/api/chat"), ("GET", "/api/staff-replies?after=0")])
async def test_a_web_cookie_that_is_not_utf8_is_refused(
    platforms: Platforms, errors: pytest.LogCaptureFixture, method: str, path: str
) -> None:
    head = f"{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n".encode() + b"Cookie: kyoso_web=ab\xffcd"
    status, _ = await raw_request(platforms.url, head, b'{"start": true}' if method == "POST" else b"")
    assert 400 <= status < 500
    _no_traceback(errors)


async def test_a_huge_reply_id_is_refused(platforms: Platforms, errors: pytest.LogCaptureFixture) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.post(platforms.url + "/api/chat", json={"start": True}) as started:
            assert started.status == 200
        async with http.get(platforms.url + "/api/staff-replies", params={"after": "9" * 30}) as response:
            assert response.status == 400
        async with http.get(platforms.url + "/api/staff-replies", params={"after": "-5"}) as response:
            assert response.status == 400
    _no_traceback(errors)


def _good_event(platforms: Platforms, user: str, text: str) -> dict[str, Any]:
    return platforms.line.text_event(user, text)


@pytest.mark.parametrize("breakage", ["no source", "huge timestamp", "float timestamp", "deep nesting", "source is text"])
async def test_a_malformed_line_event_is_dropped_and_its_neighbours_answered(
    platforms: Platforms, errors: pytest.LogCaptureFixture, breakage: str
) -> None:
    bad = _good_event(platforms, "U" + "b" * 32, "こんにちは")
    if breakage == "no source":
        del bad["source"]
    elif breakage == "huge timestamp":
        bad["timestamp"] = 10**30
    elif breakage == "float timestamp":
        bad["timestamp"] = 1e30
    elif breakage == "deep nesting":
        nested: Any = "x"
        for _ in range(200):
            nested = {"a": [nested]}
        bad["message"]["extra"] = nested
    else:
        bad["source"] = "U" + "b" * 32
    good = _good_event(platforms, "U" + "a" * 32, "メニュー")
    assert await platforms.line.send([bad, good]) == 200
    await platforms.ingest.idle()
    assert platforms.line.texts("U" + "a" * 32), "the good event beside the bad one is answered"
    assert not platforms.line.texts("U" + "b" * 32)
    assert await platforms.stored_events() == 1
    _no_traceback(errors)


async def test_a_body_nested_beyond_reason_is_refused_quickly(platforms: Platforms, errors: pytest.LogCaptureFixture) -> None:
    deep = b'{"events": [' + b"[" * 100_000 + b"]" * 100_000 + b"]}"
    async with aiohttp.ClientSession() as http:
        started = time.monotonic()
        async with http.post(platforms.url + "/webhooks/line", data=deep, headers={"X-Line-Signature": sign(SECRET, deep)}) as line:
            assert line.status == 400
        headers = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET, "Content-Type": "application/json"}
        nested = b'{"update_id": 5, "message": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
        async with http.post(platforms.url + "/webhooks/telegram", data=nested, headers=headers) as telegram:
            assert telegram.status == 400
        assert time.monotonic() - started < 5
    assert await platforms.stored_events() == 0
    _no_traceback(errors)


def _telegram_update(update_id: int, chat_id: int, text: object) -> dict[str, Any]:
    person = {"id": chat_id, "is_bot": False, "first_name": "花子"}
    return {
        "update_id": update_id,
        "message": {"message_id": update_id, "date": int(time.time()), "chat": {"id": chat_id, "type": "private"},
                    "from": person, "text": text},
    }


async def test_a_telegram_text_that_is_an_object_does_not_block_the_chat(
    platforms: Platforms, errors: pytest.LogCaptureFixture
) -> None:
    headers = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET, "Content-Type": "application/json"}
    chat = 4242
    await platforms.telegram.user_sends("こんにちは", user_id=chat)  # the chat exists on the platform
    async with aiohttp.ClientSession() as http:
        bad = json.dumps(_telegram_update(10, chat, {"not": "text"}))
        async with http.post(platforms.url + "/webhooks/telegram", data=bad, headers=headers) as response:
            assert response.status in (200, 400)
        good = json.dumps(_telegram_update(11, chat, "メニュー"))
        async with http.post(platforms.url + "/webhooks/telegram", data=good, headers=headers) as response:
            assert response.status == 200
    started = time.monotonic()
    await asyncio.wait_for(platforms.ingest.idle(), 10)
    assert platforms.telegram.sent_to(chat), "the next message in the same chat is answered"
    assert time.monotonic() - started < 5
    _no_traceback(errors)


# --- 1. the web-chat visitor id is not a password anyone can copy ------------------------------


def _visitor_cookie(response: aiohttp.ClientResponse) -> str:
    return next(morsel.value for name, morsel in response.cookies.items() if name.endswith("kyoso_web"))


async def test_a_copied_or_planted_visitor_id_names_nobody(platforms: Platforms) -> None:
    async with aiohttp.ClientSession() as victim:
        async with victim.post(platforms.url + "/api/chat", json={"start": True}) as started:
            signed = _visitor_cookie(started)
        async with victim.post(platforms.url + "/api/chat", json={"text": "こんにちは"}):
            pass
    raw_id = signed.partition(".")[0]
    for planted in [raw_id, raw_id + ".forged", "attacker-chosen-id", signed.upper()]:
        async with aiohttp.ClientSession() as attacker:
            headers = {"Cookie": f"kyoso_web={planted}"}
            async with attacker.post(platforms.url + "/api/chat", json={"start": True}, headers=headers) as response:
                assert response.status == 200
                fresh = _visitor_cookie(response)
                assert fresh.partition(".")[0] not in (raw_id, planted), "a cookie the server did not sign gets a fresh id"
            async with attacker.get(platforms.url + "/api/history", headers=headers) as history:
                assert (await history.json())["messages"] == []
            async with attacker.get(platforms.url + "/api/staff-replies?after=0", headers=headers) as replies:
                assert (await replies.json())["messages"] == []
    async with aiohttp.ClientSession() as victim_again:  # the real cookie still works
        async with victim_again.get(platforms.url + "/api/history", headers={"Cookie": f"kyoso_web={signed}"}) as history:
            assert (await history.json())["messages"]


@pytest.mark.settings(trusted_proxies=["127.0.0.1"])
async def test_behind_https_the_visitor_cookie_is_secure_and_host_only(platforms: Platforms) -> None:
    async with aiohttp.ClientSession() as http:
        headers = {"X-Forwarded-Proto": "https"}
        async with http.post(platforms.url + "/api/chat", json={"start": True}, headers=headers) as response:
            cookie = response.cookies["__Host-kyoso_web"]
            assert cookie["secure"] and cookie["httponly"] and cookie["path"] == "/" and not cookie["domain"]
            assert "kyoso_web" not in response.cookies
        signed = cookie.value
        plain = {"Cookie": f"kyoso_web={signed}", **headers}  # planted without the prefix (over HTTP, or by a subdomain)
        async with http.get(platforms.url + "/api/history", headers=plain) as history:
            assert (await history.json())["messages"] == []
        prefixed = {"Cookie": f"__Host-kyoso_web={signed}", **headers}
        async with http.get(platforms.url + "/api/history", headers=prefixed) as history:
            assert (await history.json())["messages"]


# --- 2. log-in: names do not leak through timing, lock-out is not a weapon ------------------


class CountingHasher(PasswordHasher):
    """The real argon2 hasher, noting where each verification ran."""

    def __init__(self) -> None:
        super().__init__()
        self.threads: list[str] = []

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        self.threads.append(threading.current_thread().name)
        return super().verify(hash, password)


async def _add_staff(platforms: Platforms, name: str = "sato") -> None:
    await platforms.app.staff.services.accounts.add_user(name, hash_password(STAFF_PASSWORD), datetime.now(UTC))
    await platforms.app.staff.services.accounts.set_password(name, hash_password(STAFF_PASSWORD), False, datetime.now(UTC))


async def _log_in(http: aiohttp.ClientSession, url: str, name: str, password: str, address: str | None = None) -> int:
    headers = {"X-Forwarded-For": address} if address else {}
    async with http.get(f"{url}/staff/login", headers=headers) as page:
        token = re.search(r'name="csrf_token" value="([^"]+)"', await page.text())
    assert token is not None
    form = {"name": name, "password": password, "csrf_token": token.group(1)}
    async with http.post(f"{url}/staff/login", data=form, headers=headers, allow_redirects=False) as response:
        return response.status


async def test_an_unknown_name_costs_the_same_hash_off_the_event_loop(
    platforms: Platforms, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _add_staff(platforms)
    hasher = CountingHasher()
    monkeypatch.setattr(passwords, "_hasher", hasher)
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        assert await _log_in(http, platforms.url, "nobody-here", "wrong password") == 401
        assert await _log_in(http, platforms.url, "sato", "wrong password") == 401
    assert len(hasher.threads) == 2, "an unknown name is hashed like a known one"
    assert threading.main_thread().name not in hasher.threads, "argon2 runs in a thread, not on the event loop"


@pytest.mark.settings(trusted_proxies=["127.0.0.1"], address_posts_per_minute=1000)
async def test_guessing_from_one_address_does_not_lock_staff_out_elsewhere(platforms: Platforms) -> None:
    await _add_staff(platforms)
    attacker, office = "203.0.113.9", "198.51.100.7"
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as staff:
        assert await _log_in(staff, platforms.url, "sato", STAFF_PASSWORD, office) == 303  # logged in before the attack
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            guesses = await asyncio.gather(*[_log_in(http, platforms.url, "sato", f"guess {n}", attacker) for n in range(20)])
            assert guesses.count(401) <= 5 and set(guesses) <= {401, 403}, guesses  # counted before the slow hash
            assert await _log_in(http, platforms.url, "sato", STAFF_PASSWORD, attacker) == 403  # that address waits
        async with staff.get(f"{platforms.url}/staff/drafts", headers={"X-Forwarded-For": office}, allow_redirects=False) as page:
            assert page.status == 200, "a logged-in session is untouched"
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as other_browser:
            assert await _log_in(other_browser, platforms.url, "sato", STAFF_PASSWORD, office) == 303


@pytest.mark.parametrize("weak", ["password1234", "aaaaaaaaaaaaaaaa", "abababababababab", "123456789012", "qwertyuiopasdf", "sato-sato-2026!"])
async def test_a_common_or_repetitive_password_is_refused(platforms: Platforms, weak: str) -> None:
    await _add_staff(platforms)
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        assert await _log_in(http, platforms.url, "sato", STAFF_PASSWORD) == 303
        async with http.get(f"{platforms.url}/staff/password") as page:
            token = re.search(r'name="csrf_token" value="([^"]+)"', await page.text())
        assert token is not None
        form = {"current": STAFF_PASSWORD, "new": weak, "again": weak, "csrf_token": token.group(1)}
        async with http.post(f"{platforms.url}/staff/password", data=form, allow_redirects=False) as response:
            assert response.status == 400
            assert "使えません" in await response.text() or "くり返し" in await response.text()
    assert passwords.weakness("coffee under the ginkgo trees", "sato") is None


async def test_a_next_address_with_a_line_break_does_not_break_the_log_in(platforms: Platforms) -> None:
    await _add_staff(platforms)
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        async with http.get(f"{platforms.url}/staff/login") as page:
            token = re.search(r'name="csrf_token" value="([^"]+)"', await page.text())
        assert token is not None
        form = {"name": "sato", "password": STAFF_PASSWORD, "csrf_token": token.group(1),
                "next": "/staff/drafts\r\nSet-Cookie: planted=1"}
        async with http.post(f"{platforms.url}/staff/login", data=form, allow_redirects=False) as response:
            assert response.status == 303
            assert response.headers["Location"] == "/staff/drafts" and "planted" not in response.cookies


# --- 3. a captured body sent again after the purge is not answered ---------------------------


async def test_a_replayed_line_event_older_than_the_window_is_acknowledged_not_answered(platforms: Platforms) -> None:
    user = "U" + "c" * 32
    captured = platforms.line.text_event(user, "メニュー")
    captured["timestamp"] -= int(timedelta(hours=platforms.settings.event_max_age_hours, minutes=5).total_seconds() * 1000)
    raw = json.dumps({"destination": "U0", "events": [captured]}).encode()
    assert await platforms.line.send([], signature=sign(SECRET, raw), body=raw) == 200  # LINE must not redeliver it
    await platforms.ingest.idle()
    assert platforms.line.texts(user) == [] and await platforms.stored_events() == 0
    ahead = platforms.line.text_event(user, "メニュー")
    ahead["timestamp"] += int(timedelta(days=2).total_seconds() * 1000)
    assert await platforms.line.send([ahead]) == 200
    await platforms.ingest.idle()
    assert platforms.line.texts(user) == [] and await platforms.stored_events() == 0


def test_the_replay_window_may_not_outlive_the_dedupe_keys() -> None:
    with pytest.raises(ValidationError, match="KYOSO_EVENT_MAX_AGE_HOURS"):
        Settings(retention_days=1, event_max_age_hours=25)
    assert Settings(retention_days=1, event_max_age_hours=24).event_max_age_hours == 24


# --- 7. the web chat's origin sends the same protections as the console ---------------------


@pytest.mark.parametrize("method, path", [
    ("GET", "/"), ("POST", "/api/chat"), ("GET", "/api/history"), ("GET", "/api/staff-replies?after=0"),
    ("GET", "/accessibility"), ("GET", "/no-such-page"), ("GET", "/staff/login"),
])
async def test_every_answer_carries_the_security_headers(platforms: Platforms, method: str, path: str) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.request(method, platforms.url + path, json={"start": True} if method == "POST" else None) as response:
            headers = response.headers
            assert response.status < 500
    assert "aiohttp" not in headers.get("Server", "").lower() and "python" not in headers.get("Server", "").lower()
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    policy = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy
    if headers["Content-Type"].startswith("application/json"):
        assert policy.startswith("default-src 'none'")


# --- 8. the form on LINE (LIFF): what the page posts is not trusted -------------------------------

@pytest.mark.settings(LINE_LIFF_ID="1657000000-AbCdEfGh")
@pytest.mark.parametrize("body", [
    b"\xff\xfe not utf-8", b"[]", b'"a string"', b'{"id_token": 12}', b'{"id_token": {"sub": "U1"}}',
    b'{"id_token": "' + b"a." * 3000 + b'"}', b'{"id_token": "' + b"\\u0000" * 10 + b'"}',
    json.dumps({"userId": "U" + "1" * 32, "displayName": "府中 花子"}).encode(), b"[" * 5000 + b"]" * 5000,
])
async def test_odd_bodies_to_the_liff_session_get_a_4xx_and_no_form(
    platforms: Platforms, body: bytes, errors: pytest.LogCaptureFixture
) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.post(platforms.url + "/liff/session", data=body, headers={"Content-Type": "application/json"}) as answer:
            assert 400 <= answer.status < 500, (body[:40], answer.status)
            assert "url" not in await answer.text()
            assert answer.headers["Content-Security-Policy"].startswith("default-src 'none'")
        async with http.get(platforms.url + "/liff/form") as page:
            assert page.status == 200 and "connect-src 'self' https://api.line.me" in page.headers["Content-Security-Policy"]
    _no_traceback(errors)
