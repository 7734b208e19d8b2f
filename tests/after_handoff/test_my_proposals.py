"""わたしの提案: the menu item, the typed request and the rich menu's button list the user's own drafts; one opens in full."""

from __future__ import annotations

from datetime import datetime

from bot.content.loader import Content
from bot.core import payloads
from bot.core.engine import Engine
from bot.core.messages import CardMessage, Inbound, TextMessage, UserKey
from bot.faq.live import build_index
from storage.queue import OUTBOX_RETRY
from storage.sql_store import SqlStore
from storage.staff import SqlStaff
from tests.helpers import SCRIPTED, FakeClock
from tests.proposals import JST, make_submission, submit

ALICE = UserKey(channel="line", user_id="U-alice")
BOB = UserKey(channel="line", user_id="U-bob")


def engine_for(content: Content, store: SqlStore, clock: FakeClock) -> Engine:
    return Engine(content, store, build_index(content, None), clock, limit=SCRIPTED)


async def test_the_list_shows_reference_title_status_and_date_and_one_draft_in_full(content: Content, store: SqlStore) -> None:
    clock = FakeClock(datetime(2026, 12, 3, 10, 0, tzinfo=JST))
    first = await submit(store, make_submission(user=ALICE, submitted_at=datetime(2026, 11, 25, 10, 30, tzinfo=JST)))
    second = await submit(store, make_submission(user=ALICE, title="川辺の清掃", submitted_at=datetime(2026, 12, 1, 9, 0, tzinfo=JST)))
    await submit(store, make_submission(user=BOB, title="ボブの提案"))
    staff = SqlStaff(store._engine, OUTBOX_RETRY)  # noqa: SLF001 - the test's own database
    await staff.change_status(first, "受付", "確認中", "sato", "", clock.now())
    engine = engine_for(content, store, clock)

    await engine.handle(Inbound(user=ALICE, text="こんにちは"))
    listed = await engine.handle(Inbound(user=ALICE, payload=payloads.COMMAND + "menu"))
    listed = await engine.handle(Inbound(user=ALICE, payload=payloads.OPTION + "my_proposals"))
    message = listed[-1]
    assert isinstance(message, TextMessage)
    assert message.text.splitlines() == [
        "これまでに送っていただいた提案です。内容を見るときは、受付番号を選んでください。",
        f"{second}「川辺の清掃」 受付（2026年12月1日）",
        f"{first}「公園で子ども食堂」 確認中（2026年11月25日）",
    ]
    assert "ボブの提案" not in message.text
    assert [choice.label for choice in message.choices] == [second, first, "メニュー"]

    shown = await engine.handle(Inbound(user=ALICE, payload=payloads.PROPOSAL + first))
    card = shown[-1]
    assert isinstance(card, CardMessage)
    assert card.title == f"受付番号 {first}（第1版）"
    rows = {row.label: row.value for row in card.rows}
    assert rows["タイトル"] == "公園で子ども食堂" and rows["団体の種類"] == "NPO法人"
    assert card.footer == "状態: 確認中　送った日: 2026年11月25日"

    bobs = await submit(store, make_submission(user=BOB, title="別の人"))
    refused = await engine.handle(Inbound(user=ALICE, payload=payloads.PROPOSAL + bobs))
    assert refused[-1].text == "その提案は見つかりませんでした。", "another user's draft is not shown"  # type: ignore[union-attr]


async def test_typed_request_lists_them_and_a_new_user_hears_there_are_none(content: Content, store: SqlStore) -> None:
    clock = FakeClock(datetime(2026, 12, 3, 10, 0, tzinfo=JST))
    engine = engine_for(content, store, clock)
    await engine.handle(Inbound(user=BOB, text="こんにちは"))
    said = await engine.handle(Inbound(user=BOB, text="送った提案を見たい"))
    assert said[-1].text == "このトークから送っていただいた提案は、まだありません。"  # type: ignore[union-attr]
    reference = await submit(store, make_submission(user=BOB))
    clock.advance(0.1)
    said = await engine.handle(Inbound(user=BOB, text="わたしの提案"))
    assert reference in said[-1].text  # type: ignore[union-attr]


async def test_asked_for_while_a_draft_is_paused_the_list_is_shown_and_the_draft_stays_paused(
    content: Content, store: SqlStore,
) -> None:
    clock = FakeClock(datetime(2026, 12, 3, 10, 0, tzinfo=JST))
    reference = await submit(store, make_submission(user=ALICE))
    engine = engine_for(content, store, clock)
    await engine.handle(Inbound(user=ALICE, text="こんにちは"))
    await engine.handle(Inbound(user=ALICE, payload=payloads.MENU_ITEM + "draft"))
    asked = await engine.handle(Inbound(user=ALICE, text="株式会社つづき"))
    await engine.handle(Inbound(user=ALICE, text="中断"))

    for typed in ("わたしの提案", "送った提案を見たい"):
        said = await engine.handle(Inbound(user=ALICE, text=typed))
        texts = [reply.text for reply in said if isinstance(reply, TextMessage)]
        assert len(texts) == 1 and reference in texts[0], (typed, texts)
        assert "おかえりなさい" not in texts[0] and "しますか" not in texts[0]
    said = await engine.handle(Inbound(user=ALICE, payload=payloads.MENU_ITEM + "my_proposals"))  # the rich menu's button
    assert [reply.text for reply in said] == [said[-1].text] and reference in said[-1].text  # type: ignore[union-attr]

    said = await engine.handle(Inbound(user=ALICE, text="再開"))
    assert said[0].text == "おかえりなさい。前回の続きから再開します。"  # type: ignore[union-attr]
    assert said[-1].text == asked[-1].text, "the draft was still paused, at the question it stopped at"  # type: ignore[union-attr]
