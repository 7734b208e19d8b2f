"""The insights page (#20): a known set of conversations, played through the core, gives exact counts on the page and in the CSV."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from pathlib import Path

import pytest
import yaml

from bot.content.loader import Content
from bot.core import payloads
from bot.core.engine import Engine
from bot.core.messages import Inbound, Outbound, UserKey
from bot.faq.live import build_index
from storage.sql_store import SqlStore
from tests.helpers import SCRIPTED
from tests.proposals import HAPPY_PATH, JST
from tests.staff.console import Console

TRANSCRIPTS = Path(__file__).parents[1] / "transcripts"
RANGE = {"from": "2026-11-23", "to": "2026-12-06", "by": "week"}


async def play(engine: Engine, user: UserKey, turns: list[dict[str, object]]) -> list[Outbound]:
    """``start`` opens the chat, ``send`` types, ``press`` taps a button of the last reply."""
    replies: list[Outbound] = []
    for turn in turns:
        if turn.get("start"):
            inbound = Inbound(user=user, payload=payloads.COMMAND + "resume")
        elif "send" in turn:
            inbound = Inbound(user=user, text=str(turn["send"]))
        else:
            label = str(turn["press"])
            payload = next(choice.payload for reply in reversed(replies) for choice in reply.choices if choice.label == label)
            inbound = Inbound(user=user, payload=payload)
        replies = await engine.handle(inbound)
    return replies


def transcript(name: str) -> list[dict[str, object]]:
    return list(yaml.safe_load((TRANSCRIPTS / name).read_text(encoding="utf-8"))["turns"])


async def known_conversations(console: Console, store: SqlStore, content: Content) -> None:
    """In the week of 23 November: a LINE proposer submits a draft; on the web one walks the criteria answering
    いいえ, another starts a draft and stops after the first question. In the next week a LINE user asks three
    questions (answered, "did you mean" then どれでもない, none found) and a person, taken 30 minutes later.
    A web chat on 10 November is outside the span."""
    clock = console.clock
    engine = Engine(content, store, build_index(content, None), clock, limit=SCRIPTED, reply_channels={"line"})
    clock.current = datetime(2026, 11, 10, 9, 0, tzinfo=JST)
    await play(engine, UserKey(channel="web", user_id="before"), [{"start": True}])
    clock.current = datetime(2026, 11, 24, 10, 0, tzinfo=JST)
    await play(engine, UserKey(channel="line", user_id="U-a"), transcript(HAPPY_PATH.name))
    clock.current = datetime(2026, 11, 25, 11, 0, tzinfo=JST)
    await play(engine, UserKey(channel="web", user_id="b"), transcript("criteria_all_no.yaml")[:9])
    await play(engine, UserKey(channel="web", user_id="c"), [{"start": True}, {"press": "提案の下書きをつくる"}, {"send": "みどりの会"}])
    clock.current = datetime(2026, 12, 1, 10, 0, tzinfo=JST)
    await play(engine, UserKey(channel="line", user_id="U-d"), [
        {"start": True}, {"send": "限度額はいくら？"}, {"send": "提案について知りたいです"}, {"press": "どれでもない"},
        {"send": "説明会はありますか？"}, {"send": "人と話したい"}, {"send": "市の施設を使う費用について相談したいです。"},
    ])
    await console.login()
    clock.current = datetime(2026, 12, 1, 10, 30, tzinfo=JST)
    taken = await console.post("/staff/consultations/1/take", {}, "/staff/consultations/1")
    assert taken.status == 303


def cells(page: str, table: str) -> dict[str, list[str]]:
    """The rows of the table with this id: the row's heading -> its cells, as a person reads them."""
    body = re.search(rf'<table[^>]*id="{table}".*?</table>', page, re.S)
    assert body, f"no table {table}"
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", body.group(0), re.S):
        heading = re.search(r'<th scope="row">(.*?)</th>', row, re.S)
        if heading:
            rows[heading.group(1).strip()] = [cell.strip() for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]
    return rows


async def test_known_conversations_give_exact_counts_on_the_page_and_in_the_csv(
    console: Console, store: SqlStore, content: Content
) -> None:
    await known_conversations(console, store, content)
    response = await console.client.get("/staff/insights", params=RANGE)
    assert response.status == 200
    page = await response.text()

    # Columns: LINE, Webチャット, 合計.
    by_channel = cells(page, "table-by-channel")
    assert by_channel["会話の開始"] == ["2", "2", "4"], "the chat of 10 November is outside the span"
    assert by_channel["5つの条件チェックの完了"] == ["0", "1", "1"]
    assert by_channel["うち満たしていない条件あり"] == ["0", "1", "1"]
    assert by_channel["下書きの開始"] == ["1", "1", "2"]
    assert by_channel["下書きの送信"] == ["1", "0", "1"]
    assert by_channel["文章での質問"][0] == "3" and by_channel["文章での質問"][2] == "3"
    assert by_channel["そのまま回答の割合"][0] == "33.3%" and by_channel["そのまま回答の割合"][1] == "—"
    assert by_channel["候補に「どれでもない」"] == ["1", "0", "1"]
    assert by_channel["担当者への相談"] == ["1", "0", "1"]
    assert by_channel["対応までの時間（中央値・分）"] == ["30分", "—", "30分"]

    use = cells(page, "table-use")
    assert use["2026/11/23〜"] == ["3", "1", "1", "0", "2", "1"]
    assert use["2026/11/30〜"] == ["1", "0", "0", "0", "0", "0"]
    faq = cells(page, "table-faq")
    assert faq["2026/11/30〜"] == ["3", "1", "1", "1", "1", "33.3%", "33.3%", "33.3%"]
    assert faq["2026/11/23〜"][0] == "0" and faq["2026/11/23〜"][5] == "—"
    steps = cells(page, "table-steps")
    assert steps["団体名を教えてください。"] == ["2", "0"]
    assert steps["団体の種類を選んでください。"] == ["2", "0"]
    assert steps["送信"][0] == "1"
    assert "<svg" in page and 'role="img"' in page
    assert "U-a" not in page and "府中 花子" not in page and "みどりの会" not in page, "nothing personal is shown"

    download = await console.client.get("/staff/insights.csv", params=RANGE)
    assert download.status == 200 and download.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO((await download.read()).decode("utf-8-sig"))))
    assert rows[0] == ["期間の開始", "期間", "経路", "指標", "値"]
    figures = {(row[1], row[2], row[3]): row[4] for row in rows[1:]}
    assert figures["全期間", "すべての経路", "会話の開始"] == "4"
    assert figures["全期間", "Webチャット", "うち満たしていない条件あり"] == "1"
    assert figures["2026/11/23〜", "LINE", "下書きの送信"] == "1"
    assert figures["2026/11/30〜", "すべての経路", "答えなしの割合（%）"] == "33.3"
    assert figures["2026/11/30〜", "LINE", "対応までの時間（中央値・分）"] == "30"
    assert figures["全期間", "すべての経路", "下書きの質問に進んだ会話: 団体名を教えてください。"] == "2"

    monthly = cells(await (await console.client.get("/staff/insights", params={**RANGE, "by": "month"})).text(), "table-use")
    assert monthly["2026年11月"][0] == "3" and monthly["2026年12月"][0] == "1"
    web_only = cells(await (await console.client.get("/staff/insights", params={**RANGE, "channel": "web"})).text(), "table-use")
    assert web_only["2026/11/23〜"][0] == "2"


@pytest.mark.parametrize(("query", "message"), [
    ({"from": "2026-13-01"}, "開始日の日付の形式が正しくありません"),
    ({"from": "2026-12-06", "to": "2026-11-23"}, "開始日が終了日より後になっています"),
    ({"from": "2020-01-01", "to": "2026-12-06"}, "期間は731日（2年）以内にしてください"),
    ({"by": "year"}, "集計の単位は「週」か「月」を選んでください"),
    ({"channel": "fax"}, "経路「fax」はありません"),
])
async def test_a_bad_range_gets_a_clear_400_on_the_page_and_the_csv(console: Console, query: dict[str, str], message: str) -> None:
    await console.login()
    page = await console.client.get("/staff/insights", params=query)
    assert page.status == 400 and message in await page.text()
    download = await console.client.get("/staff/insights.csv", params=query)
    assert download.status == 400 and message in await download.text()


@pytest.mark.parametrize(("page", "download"), [("/staff/insights", "/staff/insights.csv"), ("/staff/gaps", "/staff/gaps/entry.csv")])
async def test_the_pages_need_a_staff_session(console: Console, page: str, download: str) -> None:
    shown = await console.client.get(page, allow_redirects=False)
    assert shown.status == 303 and shown.headers["Location"].startswith("/staff/login")
    assert (await console.client.get(download)).status == 401


async def test_going_back_and_editing_counts_each_question_once(console: Console, store: SqlStore, content: Content) -> None:
    """戻る, このまま and 修正 ask questions again: the count per question stays one conversation each."""
    console.clock.current = datetime(2026, 11, 24, 10, 0, tzinfo=JST)
    engine = Engine(content, store, build_index(content, None), console.clock, limit=SCRIPTED)
    await play(engine, UserKey(channel="web", user_id="editor"), transcript("back_and_edit.yaml"))
    console.clock.current = datetime(2026, 12, 1, 10, 0, tzinfo=JST)  # staff log in after their account was made
    await console.login()
    response = await console.client.get("/staff/insights", params=RANGE)
    page = await response.text()
    assert response.status == 200, page
    steps = cells(page, "table-steps")
    assert steps["連絡先のメールアドレスを教えてください。"] == ["1", "0"], "asked three times, reached once"
    assert steps["提案のタイトルを教えてください（60文字以内）。"] == ["1", "0"], "asked again from 修正"
    assert cells(page, "table-by-channel")["下書きの開始"] == ["1", "1"]
    assert all(reached in ("0", "1") for reached, _ in steps.values()), list(steps.items())
