"""#14.2 over HTTP: the web chat's conversation so far, for its own visitor only; データ削除 and `kyoso purge`
forget it; the page's other files (icon, script, styles, /accessibility) are served."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest

from bot.app import build_app
from bot.server.app import create_server_app
from bot.settings import REPOSITORY_ROOT, Settings
from storage import retention
from storage.sql_store import create_engine_for
from tests.harness import play_over_web
from tests.helpers import serve_locally

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


async def history(http: aiohttp.ClientSession, url: str) -> list[tuple[str, str]]:
    async with http.get(f"{url}/api/history") as response:
        assert response.status == 200 and response.headers["Cache-Control"] == "no-store"
        return [(line["who"], line["message"].get("text") or line["message"].get("title", "")) for line in (await response.json())["messages"]]


async def test_the_conversation_so_far_for_this_visitor_only(server_url: str, database_url: str) -> None:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        assert await history(http, server_url) == [], "no cookie yet: nothing"
        await play_over_web(http, server_url, [{"start": True}, {"press": "提案の下書きをつくる"}, {"send": "株式会社けす"}])
        lines = await history(http, server_url)
        assert ("user", "提案の下書きをつくる") in lines, "a pressed button is kept as its label"
        assert ("user", "株式会社けす") in lines
        assert lines[-1][0] == "bot" and "団体の種類" in lines[-1][1]
        await play_over_web(http, server_url, [{"start": True}])  # a reload: 「おかえりなさい」 is not kept
        assert await history(http, server_url) == lines

        async with aiohttp.ClientSession() as stranger:
            assert await history(stranger, server_url) == []
            stranger.cookie_jar.update_cookies({"kyoso_web": "someone-else"})
            assert await history(stranger, server_url) == []

        # データ削除: the lines go too (what is said in that very exchange stays, as the page shows it).
        await play_over_web(http, server_url, [{"send": "データ削除"}, {"press": "はい"}])
        after = await history(http, server_url)
        assert all("株式会社けす" not in text for _, text in after)
        assert after[0] == ("user", "はい")

        engine = create_engine_for(database_url)
        try:
            await retention.purge(engine, datetime.now(UTC) - timedelta(days=1))
            assert await history(http, server_url) == after, "lines newer than the cut-off stay"
            await retention.purge(engine, datetime.now(UTC) + timedelta(seconds=1))
        finally:
            await engine.dispose()
        assert await history(http, server_url) == [], "kyoso purge forgets lines older than the cut-off"


async def test_the_pages_files_are_served(server_url: str) -> None:
    async with aiohttp.ClientSession() as http:
        page = await (await http.get(f"{server_url}/")).text()
        assert '<script src="assets/chat.js"' in page and "<style" not in page and "<script>" not in page
        for path, kind in [("/favicon.ico", "image/svg+xml"), ("/favicon.svg", "image/svg+xml"),
                           ("/assets/chat.js", "javascript"), ("/assets/chat.css", "text/css"),
                           ("/accessibility", "text/html")]:
            async with http.get(server_url + path) as response:
                assert response.status == 200 and kind in response.headers["Content-Type"], path
        policy = await (await http.get(f"{server_url}/accessibility")).text()
        assert "JIS X 8341-3:2016" in policy and "市民協働推進部 協働共創推進課" in policy


async def test_the_accessibility_page_gives_the_contacts_staff_fill_in(database_url: str, tmp_path: Path) -> None:
    for folder in ("dialogs", "faq"):
        shutil.copytree(REPOSITORY_ROOT / folder, tmp_path / folder)
    facts = tmp_path / "faq" / "facts.yaml"
    facts.write_text(facts.read_text(encoding="utf-8").replace('contact_phone: ""', "contact_phone: 042-000-0000")
                     .replace('city_page_url: ""', "city_page_url: https://www.city.example.jp/kyoso/"), encoding="utf-8")
    settings = Settings(database_url=database_url, content_dir=tmp_path, faq_embeddings=False)
    app = await build_app(settings)
    runner, url = await serve_locally(create_server_app(app))
    try:
        async with aiohttp.ClientSession() as http:
            page = await (await http.get(f"{url}/accessibility")).text()
        assert "電話: 042-000-0000" in page and 'href="https://www.city.example.jp/kyoso/"' in page
        assert "メール:" not in page, "an empty fact is not mentioned"
    finally:
        await runner.cleanup()
        await app.close()
