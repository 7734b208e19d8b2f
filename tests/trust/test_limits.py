"""Limits that keep the service up under abuse: body size (413), per-user and per-address rates."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from bot.content.loader import Content
from bot.core import payloads
from bot.core.engine import Engine
from bot.core.messages import Inbound, UserKey
from bot.core.throttle import TurnLimit
from bot.faq.matcher import FaqIndex
from bot.server.app import MAX_BODY
from bot.server.ratelimit import AddressLimiter
from bot.settings import REPOSITORY_ROOT, Settings
from storage.sql_store import SqlStore
from tests.harness import PASSWORD
from tests.helpers import FakeClock, visible_text
from tests.staff.serving import running_server
from tests.trust.platforms import TELEGRAM_SECRET, Platforms

SLOW_DOWN = "少しのあいだお返事を控えます"
USER = UserKey(channel="test", user_id="flooder")


async def test_a_flooding_user_is_told_once_then_ignored_until_the_window_passes(
    content: Content, faq_index: FaqIndex, store: SqlStore
) -> None:
    clock = FakeClock(datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo")))
    engine = Engine(content, store, faq_index, clock, limit=TurnLimit(turns=3, per=timedelta(minutes=1)))
    await engine.handle(Inbound(user=USER, payload=payloads.COMMAND + "resume"))
    await engine.handle(Inbound(user=USER, payload=payloads.COMMAND + "menu"))
    third = await engine.handle(Inbound(user=USER, text="共創とは何ですか"))
    assert SLOW_DOWN not in visible_text(third)

    refused = await engine.handle(Inbound(user=USER, text="最初から"))
    assert visible_text(refused).startswith("短い時間にたくさんのメッセージが届いた")
    assert await engine.handle(Inbound(user=USER, text="最初から")) == []  # told once, then quiet

    clock.current += timedelta(seconds=61)
    after = await engine.handle(Inbound(user=USER, text="最初から"))
    assert "最初からやり直しますか" in visible_text(after)  # handled again, and nothing refused was acted on


@pytest.mark.parametrize("path", ["/webhooks/line", "/webhooks/telegram", "/api/chat"])
async def test_an_oversized_body_gets_413_and_nothing_is_stored(platforms: Platforms, path: str) -> None:
    url = platforms.url
    body = b'{"events": [' + b" " * MAX_BODY + b"]}"
    headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
    async with aiohttp.ClientSession() as http:
        async with http.post(url + path, data=body, headers=headers) as response:
            assert response.status == 413
    assert await platforms.stored_events() == 0


@pytest.mark.settings(address_posts_per_minute=3, trusted_proxies=["127.0.0.1"])
async def test_one_address_posting_too_fast_gets_a_polite_429_in_the_chat(platforms: Platforms) -> None:
    url = platforms.url
    async with aiohttp.ClientSession() as http:
        statuses = []
        for _ in range(4):
            async with http.post(f"{url}/api/chat", json={"start": True}) as response:
                statuses.append(response.status)
                body = await response.json()
        assert statuses == [200, 200, 200, 429]
        assert body["messages"][0]["text"].startswith("短い時間にたくさんのメッセージが届いた")
        assert response.headers["Retry-After"] == "60"

        # Behind the trusted proxy (127.0.0.1 here), each forwarded client has its own allowance.
        async with http.post(f"{url}/api/chat", json={"start": True}, headers={"X-Forwarded-For": "203.0.113.7"}) as other:
            assert other.status == 200
        async with http.post(f"{url}/api/chat", json={"start": True}) as again:
            assert again.status == 429  # the limited address stays limited


@pytest.mark.settings(address_posts_per_minute=3)
async def test_platform_webhooks_are_not_limited_per_address(platforms: Platforms) -> None:
    url = platforms.url
    async with aiohttp.ClientSession() as http:
        for _ in range(5):
            async with http.post(f"{url}/webhooks/line", data=b"{}", headers={"X-Line-Signature": "bad"}) as response:
                assert response.status == 401  # refused for its signature, never for its address


def test_the_address_limiter_refills_over_time() -> None:
    now = [0.0]
    limiter = AddressLimiter(per_minute=2, clock=lambda: now[0], max_tracked=2)
    assert [limiter.allow("a"), limiter.allow("a"), limiter.allow("a")] == [True, True, False]
    now[0] = 30.0  # half a minute gives back one post
    assert limiter.allow("a") and not limiter.allow("a")
    assert limiter.allow("b") and limiter.allow("c")  # "a" is now the least recently seen: forgotten
    assert limiter.allow("a") and limiter.allow("a")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_guessing_staff_passwords_from_one_address_is_cut_off(database_url: str) -> None:
    settings = Settings(
        database_url=database_url, content_dir=REPOSITORY_ROOT, session_secret="s" * 40, faq_embeddings=False,
        address_posts_per_minute=3,
    )
    jar = aiohttp.CookieJar(unsafe=True)  # unsafe: cookies from an IP address
    async with running_server(settings) as server, aiohttp.ClientSession(cookie_jar=jar) as browser:
        statuses = []
        for password in ["guess-1", "guess-2", "guess-3", PASSWORD]:
            async with browser.get(f"{server.url}/staff/login") as page:
                token = re.search(r'name="csrf_token" value="([^"]+)"', await page.text())
            assert token is not None
            form = {"name": "sato", "password": password, "csrf_token": token.group(1)}
            async with browser.post(f"{server.url}/staff/login", data=form, allow_redirects=False) as response:
                statuses.append(response.status)
                said = await response.text()
    assert statuses == [401, 401, 401, 429]  # even the right password waits: the address is limited
    assert "1分ほどたってから" in said


@pytest.mark.parametrize(("trusted", "secure"), [(["127.0.0.1"], True), ([], False)])
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_staff_cookies_are_secure_behind_a_trusted_https_proxy_only(
    database_url: str, trusted: list[str], secure: bool
) -> None:
    settings = Settings(
        database_url=database_url, content_dir=REPOSITORY_ROOT, session_secret="s" * 40, faq_embeddings=False,
        trusted_proxies=trusted,
    )
    proxy = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    async with running_server(settings) as server, aiohttp.ClientSession(headers=proxy) as browser:
        async with browser.get(f"{server.url}/staff/login") as page:
            cookie = page.headers["Set-Cookie"]
    assert ("Secure" in cookie) is secure, cookie
