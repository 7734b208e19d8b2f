"""差し戻し through the console and the core: the proposer revises exactly the returned fields and resubmits a version."""

from __future__ import annotations

from multidict import MultiDict

from bot.channels.web import CHANNEL as WEB
from bot.content.loader import Content
from bot.core import payloads
from bot.core.engine import Engine
from bot.core.messages import CardMessage, Inbound, TextMessage, UserKey
from bot.faq.live import build_index
from bot.handoff.dispatcher import HandoffDispatcher
from bot.handoff.dossier import Dossier
from bot.handoff.notices import StaffNotice
from bot.handoff.replies import PullMessenger, ReplyDispatcher
from storage.sql_store import SqlStore
from tests.helpers import SCRIPTED
from tests.proposals import make_submission, submit
from tests.staff.console import Console, console  # noqa: F401 - the console fixture

VISITOR = UserKey(channel=WEB, user_id="visitor-1")


class Recording:
    """A staff sink that keeps what it was given."""

    name = "recording"

    def __init__(self) -> None:
        self.dossiers: list[tuple[Dossier, str]] = []

    async def deliver(self, dossier: Dossier, key: str) -> None:
        self.dossiers.append((dossier, key))

    async def notify(self, notice: StaffNotice, key: str) -> None:
        return None


async def return_for(console: Console, reference: str, fields: list[str], message: str) -> int:  # noqa: F811
    page = f"/staff/drafts/{reference}"
    token = await console.csrf(page)
    data = MultiDict([*(("fields", name) for name in fields), ("message", message), ("csrf_token", token)])
    response = await console.client.post(f"{page}/return", data=data, allow_redirects=False)
    return response.status


async def test_the_returned_fields_are_revised_and_resubmitted_as_version_2(
    console: Console, store: SqlStore, content: Content,  # noqa: F811
) -> None:
    services = console.services
    reference = await submit(store, make_submission(user=VISITOR))
    sink = Recording()
    dispatcher = HandoffDispatcher(services.handoff, store, services.builder, [sink], console.clock)
    await dispatcher.run_once()
    await console.login()
    assert await return_for(console, reference, ["title", "cost"], "費用の内訳を書いてください。") == 303

    await ReplyDispatcher(services.staff.replies, [PullMessenger(WEB)], console.clock).run_once()
    [notice] = await services.staff.replies_for(WEB, VISITOR.user_id)
    assert "費用の内訳を書いてください。" in notice.text and "直していただきたい項目: タイトル、費用と費用対効果" in notice.text
    assert notice.choices == [{"label": "修正を始める", "payload": payloads.REVISE + reference}]

    engine = Engine(content, store, build_index(content, None), console.clock, limit=SCRIPTED)
    said = await engine.handle(Inbound(user=VISITOR, payload=payloads.REVISE + reference))
    text = "\n".join(reply.text for reply in said if isinstance(reply, TextMessage))
    assert "■タイトル（いまの内容: 公園で子ども食堂）" in text and "■費用と費用対効果（いまの内容: 年50万円）" in text
    assert "タイトルを教えてください" in said[-1].text  # type: ignore[union-attr]
    said = await engine.handle(Inbound(user=VISITOR, text="公園で子ども食堂と学習支援"))
    assert "費用" in said[-1].text  # type: ignore[union-attr]
    said = await engine.handle(Inbound(user=VISITOR, text="年50万円（食材30万円、会場20万円）"))
    card = next(reply for reply in said if isinstance(reply, CardMessage))
    rows = {row.label: row.value for row in card.rows}
    assert rows["タイトル"] == "公園で子ども食堂と学習支援" and rows["団体名"] == "まちづくりNPO"

    menu = await engine.handle(Inbound(user=VISITOR, payload=payloads.OPTION + "edit"))
    fields = [choice.label for choice in menu[-1].choices if choice.payload.startswith(payloads.EDIT)]
    assert fields == ["タイトル", "費用と費用対効果"], "修正 lists only the fields staff returned"
    refused = await engine.handle(Inbound(user=VISITOR, text="団体名"))  # typed, not one of them
    assert "修正をお願いした項目は「タイトル、費用と費用対効果」です" in refused[0].text  # type: ignore[union-attr]
    again = [choice.label for choice in refused[-1].choices if choice.payload.startswith(payloads.EDIT)]
    assert again == fields, "and asked again, the same two"
    said = await engine.handle(Inbound(user=VISITOR, text="2"))  # the second one shown
    assert "費用" in said[-1].text  # type: ignore[union-attr]
    said = await engine.handle(Inbound(user=VISITOR, text="年50万円（食材30万円、会場20万円）"))
    assert any(isinstance(reply, CardMessage) for reply in said), "back at the summary"
    await engine.handle(Inbound(user=VISITOR, payload=payloads.COMMAND + "menu"))  # the usual commands work
    said = await engine.handle(Inbound(user=VISITOR, text="修正を始める"))
    assert "タイトルを教えてください" in said[-1].text, "typed this time: the revision starts over"  # type: ignore[union-attr]
    await engine.handle(Inbound(user=VISITOR, text="公園で子ども食堂と学習支援"))
    await engine.handle(Inbound(user=VISITOR, text="年50万円（食材30万円、会場20万円）"))
    await engine.handle(Inbound(user=VISITOR, payload=payloads.OPTION + "confirm"))
    said = await engine.handle(Inbound(user=VISITOR, payload=payloads.OPTION + "agree"))
    assert f"受付番号は {reference}（第2版）のままです" in said[0].text  # type: ignore[union-attr]

    stored = await store.get_draft(reference)
    assert stored is not None and stored.status == "受付", "back where it was before the 差し戻し"
    assert stored.draft.title == "公園で子ども食堂と学習支援" and stored.draft.org_name == "まちづくりNPO"
    versions = await services.staff.versions(reference)
    assert [version.version for version in versions] == [1, 2]
    assert versions[1].changes == {
        "title": {"old": "公園で子ども食堂", "new": "公園で子ども食堂と学習支援"},
        "cost": {"old": "年50万円", "new": "年50万円（食材30万円、会場20万円）"},
    }
    activity = await services.staff.activity(reference)
    logged = {entry.action: entry for entry in activity.audit}
    assert logged["return"].detail == {"fields": ["title", "cost"], "text": "費用の内訳を書いてください。"}
    assert logged["resubmit"].staff == "提案者" and logged["resubmit"].detail == {"version": 2, "fields": ["title", "cost"]}

    await dispatcher.run_once()
    await dispatcher.run_once()
    assert [(dossier.version, [change.name for change in dossier.changes]) for dossier, _ in sink.dossiers] == [
        (1, []), (2, ["title", "cost"]),
    ], "the sink is told of the new version once"
    page = await (await console.client.get(f"/staff/drafts/{reference}")).text()
    assert "第2版" in page and "年50万円（食材30万円、会場20万円）" in page


async def test_a_return_of_a_draft_that_is_not_there_is_a_clear_404(console: Console, store: SqlStore) -> None:  # noqa: F811
    await console.login()
    reference = await submit(store, make_submission(user=VISITOR))
    token = await console.csrf(f"/staff/drafts/{reference}")
    data = MultiDict([("fields", "title"), ("message", "直してください"), ("csrf_token", token)])
    response = await console.client.post("/staff/drafts/KY-2026-9999/return", data=data, allow_redirects=False)
    assert response.status == 404
    assert "受付番号 KY-2026-9999 の提案は見つかりません（削除されたか、番号が違います）。" in await response.text()


async def test_bad_returns_are_refused_with_a_reason(console: Console, store: SqlStore) -> None:  # noqa: F811
    await console.login()
    reference = await submit(store, make_submission(user=VISITOR))
    assert await return_for(console, reference, [], "直してください") == 400
    assert await return_for(console, reference, ["no_such_field"], "直してください") == 400
    assert await return_for(console, reference, ["title"], "") == 400
    assert await return_for(console, reference, ["title"], "タイトルを具体的に") == 303
    assert await return_for(console, reference, ["title"], "もう一度") == 409, "it waits for the revision already"


async def test_a_revision_of_a_draft_staff_closed_meanwhile_is_refused_politely_and_nothing_is_lost(
    console: Console, store: SqlStore, content: Content,  # noqa: F811
) -> None:
    services = console.services
    reference = await submit(store, make_submission(user=VISITOR))
    await console.login()
    assert await return_for(console, reference, ["title"], "タイトルを具体的に。") == 303
    engine = Engine(content, store, build_index(content, None), console.clock, limit=SCRIPTED)
    await engine.handle(Inbound(user=VISITOR, text="こんにちは"))
    await engine.handle(Inbound(user=VISITOR, payload=payloads.MENU_ITEM + "draft"))
    await engine.handle(Inbound(user=VISITOR, text="あたらしい団体"))  # a new draft, set aside by the revision
    await engine.handle(Inbound(user=VISITOR, text="中断"))
    said = await engine.handle(Inbound(user=VISITOR, text="修正を始める"))  # typed, while the new draft is paused
    assert "おかえりなさい" not in said[0].text and "タイトルを教えてください" in said[-1].text  # type: ignore[union-attr]
    said = await engine.handle(Inbound(user=VISITOR, text="別の端末で続ける"))
    assert "修正中の提案は、別の端末には引き継げません" in said[0].text, "no code: the revision stays here"  # type: ignore[union-attr]
    assert "コード" not in said[0].text and "タイトルを教えてください" in said[-1].text  # type: ignore[union-attr]
    await engine.handle(Inbound(user=VISITOR, text="公園で子ども食堂と学習支援"))

    await services.staff.change_status(reference, "差し戻し中", "見送り", "sato", "", console.clock.now())  # closed meanwhile
    await engine.handle(Inbound(user=VISITOR, payload=payloads.OPTION + "confirm"))
    said = await engine.handle(Inbound(user=VISITOR, payload=payloads.OPTION + "agree"))
    assert f"受付番号 {reference} の提案は、いまは修正を受け付けていません" in said[0].text  # type: ignore[union-attr]
    stored = await store.get_draft(reference)
    assert stored is not None and (stored.status, stored.draft.title) == ("見送り", "公園で子ども食堂"), "nothing overwritten"
    assert [version.version for version in await services.staff.versions(reference)] == [1]
    async with store.turn(VISITOR) as turn:
        assert turn.state.revising is None and turn.state.values.get("org_name") == "あたらしい団体", "the new draft is back"

    said = await engine.handle(Inbound(user=VISITOR, payload=payloads.REVISE + reference))
    assert "いまは修正を受け付けていません" in said[0].text, "pressed again: the same answer"  # type: ignore[union-attr]
    said = await engine.handle(Inbound(user=UserKey(channel=WEB, user_id="visitor-2"), payload=payloads.REVISE + reference))
    assert "いまは修正を受け付けていません" in said[-1].text, "someone else's draft: nothing shown"  # type: ignore[union-attr]
