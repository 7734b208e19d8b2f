"""The staff side wired from settings, as `kyoso serve` mounts it: pending drafts go out when it starts."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.app import build_app
from bot.channels.web.staff_replies import add_staff_replies
from bot.channels.web.visitors import COOKIE, VisitorIds
from bot.core.messages import UserKey
from bot.settings import Settings
from bot.staff.setup import staff_apps
from storage.sql_store import SqlStore
from tests.proposals import make_submission, submit


async def test_a_draft_left_in_the_outbox_is_mailed_when_the_server_starts(  # type: ignore[no-untyped-def]
    store: SqlStore, database_url: str, smtp_inbox
) -> None:
    inbox, port = smtp_inbox
    reference = await submit(store, make_submission())  # submitted while no server was running
    settings = Settings(
        database_url=database_url, smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False,
        staff_emails="kyodo@city.example.jp", session_secret="s3cret", staff_base_url="https://kyoso.example.jp",
        faq_embeddings=False,
    )
    app = await build_app(settings)
    root = web.Application()
    for prefix, subapp in staff_apps(app.staff).items():
        root.add_subapp(prefix, subapp)

    async with TestClient(TestServer(root)) as client:
        for _ in range(600):  # the dispatcher runs in the background: wait up to 30 s for the mail
            if ["kyodo@city.example.jp"] in inbox.recipients:
                break
            await asyncio.sleep(0.05)
        assert (await client.get("/staff/drafts", allow_redirects=False)).status == 303

    await app.close()
    # The proposer's 受付控え (tests/after_handoff/test_receipt.py) may come too; staff get one mail.
    [message] = [message for message, to in zip(inbox.messages, inbox.recipients, strict=True) if to == ["kyodo@city.example.jp"]]
    assert reference in message["Subject"]


async def test_the_web_chat_visitor_pulls_only_their_own_replies(  # type: ignore[no-untyped-def]
    store: SqlStore, database_url: str
) -> None:
    app = await build_app(Settings(database_url=database_url, session_secret="s3cret", faq_embeddings=False))
    visitors = VisitorIds(b"s3cret")
    root = web.Application()
    for prefix, subapp in staff_apps(app.staff).items():
        root.add_subapp(prefix, subapp)
    add_staff_replies(root, app.staff.services.staff, app.staff.services.consultations, visitors)
    reference = await submit(store, make_submission(user=UserKey(channel="web", user_id="visitor-1")))
    staff = app.staff.services.staff
    await staff.add_reply(reference, "sato", "ご提案ありがとうございます。", datetime.now(UTC))

    async with TestClient(TestServer(root)) as client:
        async def pulled(cookie: str | None, after: int = 0) -> list[str]:
            client.session.cookie_jar.clear()
            if cookie:
                client.session.cookie_jar.update_cookies({COOKIE: visitors.cookie_value(cookie)})
            for _ in range(200):  # the reply dispatcher runs in the background
                answer = await (await client.get(f"/api/staff-replies?after={after}")).json()
                if answer["messages"] or cookie != "visitor-1":
                    return [message["text"] for message in answer["messages"]]
                await asyncio.sleep(0.05)
            return []

        assert await pulled("visitor-1") == ["ご提案ありがとうございます。"]
        assert await pulled("someone-else") == []
        client.session.cookie_jar.update_cookies({COOKIE: "visitor-1"})  # the id alone, not signed by the server
        assert (await (await client.get("/api/staff-replies?after=0")).json())["messages"] == []
        assert await pulled(None) == []
    await app.close()
