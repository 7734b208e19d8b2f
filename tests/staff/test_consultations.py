"""Consultations in the console over HTTP: take (once), the live stream, replies to the user, close and hand back."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from typing import Any

from aiohttp import ClientResponse, web
from aiohttp.test_utils import TestClient, TestServer

from bot.channels.web.staff_replies import add_staff_replies
from bot.channels.web.visitors import COOKIE, VisitorIds
from bot.content.loader import Content
from bot.core import payloads
from bot.core.messages import Choice, Inbound, UserKey
from bot.handoff.replies import PullMessenger, ReplyDispatcher
from storage.sql_store import SqlStore
from tests.harness import PASSWORD_HASH
from tests.proposals import make_submission, submit
from tests.staff.console import Console, make_engine

USER = UserKey(channel="line", user_id="U-midori")
QUESTION = "市の施設を使う場合の費用について相談したいです。"


class LinePush:
    channel = "line"

    def __init__(self) -> None:
        self.pushed: list[tuple[str, str]] = []
        self.buttons: list[list[str]] = []

    async def send(self, user_id: str, text: str, key: str, choices: Sequence[Choice] = ()) -> None:
        self.pushed.append((user_id, text))
        self.buttons.append([choice.label for choice in choices])


async def open_consultation(console: Console, store: SqlStore, content: Content) -> Any:
    """A proposer mid-draft asks for a person; return the engine to go on talking with."""
    engine = make_engine(content, store, console.clock)
    for inbound in [Inbound(user=USER, payload=payloads.COMMAND + "resume"),
                    Inbound(user=USER, payload=payloads.OPTION + "draft"),
                    Inbound(user=USER, text="市民活動団体みどりの輪"),
                    Inbound(user=USER, text="担当者に相談"),
                    Inbound(user=USER, text=QUESTION)]:
        await engine.handle(inbound)
    return engine


async def events(response: ClientResponse, wanted: str) -> list[tuple[str, dict[str, Any]]]:
    """Read server-sent events up to and including the first ``wanted`` one."""
    seen: list[tuple[str, dict[str, Any]]] = []
    name = ""
    while True:
        line = (await asyncio.wait_for(response.content.readline(), 30)).decode().rstrip("\n")
        if line.startswith("event: "):
            name = line.removeprefix("event: ")
        elif line.startswith("data: "):
            seen.append((name, json.loads(line.removeprefix("data: "))))
            if name == wanted:
                return seen


async def test_staff_take_follow_answer_and_close_a_consultation(
    console: Console, store: SqlStore, content: Content
) -> None:
    engine = await open_consultation(console, store, content)
    await console.login()
    listed = await (await console.client.get("/staff/consultations")).text()
    assert "受付待ち" in listed and QUESTION in listed

    assert (await console.post("/staff/consultations/1/take", {}, "/staff/consultations/1")).status == 303
    page = await (await console.client.get("/staff/consultations/1")).text()
    assert "対応中（satoさん）" in page and "団体名" in page and "市民活動団体みどりの輪" in page

    async with console.client.get("/staff/consultations/1/events?after=1") as stream:
        assert stream.headers["Content-Type"] == "text/event-stream"
        assert await events(stream, "status") == [("status", {"status": "taken", "label": "対応中（satoさん）"})]
        await engine.handle(Inbound(user=USER, text="来月から始めたいです。"))
        [(_, said)] = await events(stream, "said")
        assert (said["sender"], said["text"]) == ("user", "来月から始めたいです。"), "shown without a reload"

        reply = await console.post("/staff/consultations/1/replies", {"text": "費用は施設によります。"}, "/staff/consultations/1")
        assert reply.status == 303
        line = LinePush()
        await ReplyDispatcher(console.services.staff.replies, [line], console.clock).run_once()
        framed = "【市民協働推進部 協働共創推進課の担当者より（相談番号: 1）】\n費用は施設によります。"
        assert line.pushed == [("U-midori", framed)], "the reply reaches the user in its frame"

        assert (await console.post("/staff/consultations/1/close", {}, "/staff/consultations/1")).status == 303
        streamed = await events(stream, "end")
    assert ("status", {"status": "closed", "label": "終了"}) in streamed
    await ReplyDispatcher(console.services.staff.replies, [line], console.clock).run_once()
    assert line.pushed[-1][1].startswith("担当者との相談を終わりました。ここからは、ボットがご案内します。")
    assert "団体の種類を選んでください。" in line.pushed[-1][1]
    assert line.buttons[-1] == ["企業", "NPO法人", "市民活動団体", "教育機関", "その他", "戻る", "メニュー"]


async def test_two_staff_members_cannot_both_take_one_consultation(
    console: Console, store: SqlStore, content: Content
) -> None:
    await open_consultation(console, store, content)
    await console.services.accounts.add_user("suzuki", PASSWORD_HASH, console.clock.now())
    await console.services.accounts.set_password("suzuki", PASSWORD_HASH, temporary=False, now=console.clock.now())
    await console.login("suzuki")
    page = "/staff/consultations/1"
    await console.csrf(page)  # suzuki has the page open …
    assert await console.services.consultations.take(1, "sato", console.clock.now())  # … when sato takes it

    refused = await console.post("/staff/consultations/1/take", {}, page)
    assert refused.status == 409 and "ほかの職員が先に対応を始めた" in await refused.text()
    assert (await console.services.consultations.get(1)).taken_by == "sato"  # type: ignore[union-attr]
    shown = await (await console.client.get(page)).text()
    assert "対応中（satoさん）" in shown and "相談者に送る" not in shown, "only sato answers"
    refused = await console.post("/staff/consultations/1/replies", {"text": "横から失礼します。"}, page)
    assert refused.status == 409


async def test_the_stream_needs_a_session(console: Console, store: SqlStore, content: Content) -> None:
    await open_consultation(console, store, content)
    response = await console.client.get("/staff/consultations/1/events", allow_redirects=False)
    assert response.status == 303


async def test_the_consultation_goes_with_the_draft_submitted_afterwards(
    console: Console, store: SqlStore, content: Content
) -> None:
    await open_consultation(console, store, content)
    consultations, now = console.services.consultations, console.clock.now()
    assert await consultations.take(1, "sato", now)
    assert await consultations.reply(1, "sato", "費用は施設によります。", now)
    assert await console.services.desk.close(1, "sato")
    reference = await submit(store, make_submission(user=USER))

    stored = await store.get_draft(reference)
    assert stored is not None
    [record] = stored.consultations
    assert [(line.sender, line.text) for line in record.lines][:2] == [("user", QUESTION), ("staff", "費用は施設によります。")]
    markdown = console.services.renderer.markdown(console.services.builder.build(stored))
    assert "相談者: " + QUESTION in markdown and "sato（職員）: 費用は施設によります。" in markdown

    await console.login()
    page = await (await console.client.get(f"/staff/drafts/{reference}")).text()
    for shown in ["担当者への相談", "相談の対応開始", "相談での返信", "相談の終了", "費用は施設によります。"]:
        assert shown in page
    assert reference in await (await console.client.get("/staff/consultations/1")).text()


async def test_no_reply_form_for_a_channel_replies_cannot_reach(
    console: Console, store: SqlStore, content: Content
) -> None:
    engine = make_engine(content, store, console.clock)
    user = UserKey(channel="terminal", user_id="operator")
    for said in ["人と話したい", QUESTION + " 連絡先: hanako@example.org"]:  # a person, from the first message
        await engine.handle(Inbound(user=user, text=said))
    await console.login()
    await console.post("/staff/consultations/1/take", {}, "/staff/consultations/1")

    page = await (await console.client.get("/staff/consultations/1")).text()
    assert "相談者が書き添えたお返事先に、直接ご連絡ください" in page and "相談者に送る" not in page
    refused = await console.post("/staff/consultations/1/replies", {"text": "メールでお返事します。"}, "/staff/consultations/1")
    assert refused.status == 409


async def test_the_web_chat_pulls_the_hand_back_with_its_buttons(
    console: Console, store: SqlStore, content: Content
) -> None:
    visitor = UserKey(channel="web", user_id="visitor-1")
    engine = make_engine(content, store, console.clock)
    for inbound in [Inbound(user=visitor, payload=payloads.COMMAND + "resume"),
                    Inbound(user=visitor, text="人と話したい"), Inbound(user=visitor, text=QUESTION)]:
        await engine.handle(inbound)
    consultations, now = console.services.consultations, console.clock.now()
    pull = web.Application()
    visitors = VisitorIds(b"test secret")
    add_staff_replies(pull, console.services.staff, consultations, visitors)
    async with TestClient(TestServer(pull)) as client:
        client.session.cookie_jar.update_cookies({COOKIE: visitors.cookie_value("visitor-1")})
        waiting = await (await client.get("/api/staff-replies")).json()
        assert waiting == {"messages": [], "consulting": True}  # the page now asks every few seconds

        assert await consultations.take(1, "sato", now)
        assert await consultations.reply(1, "sato", "お電話でご説明します。", now)
        assert await console.services.desk.close(1, "sato")
        await ReplyDispatcher(console.services.staff.replies, [PullMessenger("web")], console.clock).run_once()
        answered = await (await client.get("/api/staff-replies")).json()
    pulled = answered["messages"]
    assert answered["consulting"] is False
    assert [(m["from"], m["text"][:12]) for m in pulled] == [("staff", "お電話でご説明します。"), ("bot", "担当者との相談を終わりま")]
    assert [choice["label"] for choice in pulled[1]["choices"]][:2] == ["共創とは", "対象になる提案"]
