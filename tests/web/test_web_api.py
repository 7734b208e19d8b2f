"""The web chat's JSON API and the health checks, over HTTP."""

from __future__ import annotations

import aiohttp


async def test_health_and_readiness(server_url: str) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{server_url}/healthz") as response:
            assert response.status == 200
        async with http.get(f"{server_url}/readyz") as response:
            assert response.status == 200 and (await response.json())["database"] == "ok"
        async with http.post(f"{server_url}/webhooks/line", data=b"{}") as response:
            assert response.status in (404, 405)  # LINE is off without its settings


async def test_a_visitor_keeps_their_conversation_by_cookie(server_url: str) -> None:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:  # unsafe: cookies from an IP
        async with http.get(f"{server_url}/") as response:
            assert response.status == 200 and "案内チャット" in await response.text()
        async with http.post(f"{server_url}/api/chat", json={"start": True}) as response:
            messages = (await response.json())["messages"]
        assert "ご用件を選んでください" in messages[-1]["text"]
        draft = next(c for c in messages[-1]["choices"] if c["label"] == "提案の下書きをつくる")
        async with http.post(f"{server_url}/api/chat", json={"payload": draft["payload"]}) as response:
            assert "団体名を教えてください" in (await response.json())["messages"][-1]["text"]
        async with http.post(f"{server_url}/api/chat", json={"start": True}) as response:
            assert "団体名を教えてください" in (await response.json())["messages"][-1]["text"]

    async with aiohttp.ClientSession() as stranger:
        async with stranger.post(f"{server_url}/api/chat", json={"start": True}) as response:
            assert "ご用件を選んでください" in (await response.json())["messages"][-1]["text"]
        async with stranger.post(f"{server_url}/api/chat", data="text=x") as response:
            assert response.status == 415
        async with stranger.post(f"{server_url}/api/chat", json={"text": "あ" * 5001}) as response:
            assert response.status == 400
