"""Documents in the conversation (core + real storage, SQLite and PostgreSQL): kept only with a draft in progress,
listed in the summary, submitted with the draft, forgotten by 最初から, データ削除 and the purge."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update

from bot.content.loader import Content
from bot.core import payloads
from bot.core.documents import DocumentPolicy
from bot.core.engine import Engine
from bot.core.messages import Attachment, CardMessage, Inbound, Outbound, UserKey
from bot.faq.live import build_index
from storage.retention import purge
from storage.sql_store import SqlStore, create_engine_for
from storage.tables import conversations, documents
from tests.documents.files import EXE, PDF, PNG
from tests.helpers import SCRIPTED, FakeClock, visible_text
from tests.proposals import JST, make_submission

USER = UserKey(channel="line", user_id="U-docs")
START = datetime(2026, 12, 3, 10, 0, tzinfo=JST)


class Player:
    def __init__(self, content: Content, store: SqlStore, policy: DocumentPolicy = DocumentPolicy()) -> None:
        self.engine = Engine(content, store, build_index(content, None), FakeClock(START), limit=SCRIPTED, documents=policy)
        self.last: list[Outbound] = []

    async def send(self, inbound: Inbound) -> str:
        self.last = await self.engine.handle(inbound)
        return visible_text(self.last)

    async def press(self, label: str) -> str:
        payload = next(choice.payload for reply in self.last for choice in reply.choices if choice.label == label)
        return await self.send(Inbound(user=USER, payload=payload))

    async def command(self, name: str) -> str:
        return await self.send(Inbound(user=USER, payload=payloads.COMMAND + name))

    async def file(self, name: str, data: bytes | None, size: int | None = None) -> str:
        return await self.send(Inbound(user=USER, not_text=True, document=Attachment(name=name, data=data, size=size)))


async def _stored(database_url: str) -> list[tuple[str, int | None]]:
    engine = create_engine_for(database_url)
    try:
        async with engine.connect() as connection:
            return [(row.name, row.draft_id) for row in await connection.execute(select(documents.c.name, documents.c.draft_id))]
    finally:
        await engine.dispose()


async def test_a_file_mid_draft_is_kept_listed_and_submitted_with_it(content: Content, store: SqlStore, database_url: str) -> None:
    player = Player(content, store)
    await player.command("resume")
    await player.press("提案の下書きをつくる")
    said = await player.file("企画書.pdf", PDF)
    assert "「企画書.pdf」を受け取りました" in said and "団体名を教えてください" in said.splitlines()[-1]
    assert await _stored(database_url) == [("企画書.pdf", None)]

    async with store.turn(USER) as turn:  # the rest of the draft answered
        turn.state.values.update(make_submission().draft.model_dump(exclude_none=True, exclude={"schema_version"}))
        turn.state.step = "draft.notes"
    await player.command("skip")
    await player.press("この内容で送る")
    said = await player.press("同意して送る")
    reference = re.search(r"KY-\d{4}-\d{4}", said)
    assert reference is not None
    stored = await store.get_draft(reference.group())
    assert stored is not None and [(note.name, note.kind, note.size) for note in stored.documents] == [("企画書.pdf", "pdf", len(PDF))]
    assert all(draft_id is not None for _, draft_id in await _stored(database_url))


async def test_the_summary_lists_the_files(content: Content, store: SqlStore) -> None:
    player = Player(content, store)
    async with store.turn(USER) as turn:
        turn.state.step = "draft.notes"
        turn.state.values = {"org_name": "みどりの輪"}
    await player.file("", PNG)  # an image has no name
    await player.file("予算.pdf", PDF)
    await player.command("skip")
    card = next(reply for reply in player.last if isinstance(reply, CardMessage))
    assert card.rows[-1].label == "添付資料" and card.rows[-1].value == "・画像.png\n・予算.pdf"


async def test_wrong_type_too_large_too_many_and_unavailable_are_refused_and_nothing_is_kept(
    content: Content, store: SqlStore, database_url: str,
) -> None:
    player = Player(content, store, DocumentPolicy(max_bytes=1024 * 1024, kinds=frozenset({"pdf", "png"}), max_files=1))
    await player.command("resume")
    await player.press("提案の下書きをつくる")
    said = await player.file("企画書.pdf", EXE)
    assert "この種類のファイルはお預かりできません" in said and "PDF、PNG画像 のファイル" in said
    assert "団体名を教えてください" in said, "the question is asked again"
    assert "1件 1MB まで" in await player.file("大きい.pdf", PDF + b"0" * 1024 * 1024)
    assert "1件 1MB まで" in await player.file("巨大.pdf", None, size=50 * 1024 * 1024)
    assert "もう一度お送りください" in await player.file("消えた.pdf", None)
    assert await _stored(database_url) == []
    await player.file("企画書.pdf", PDF)
    assert "1件までです" in await player.file("二つ目.pdf", PDF)
    assert await _stored(database_url) == [("企画書.pdf", None)]


async def test_a_file_without_a_draft_in_progress_is_answered_and_not_kept(
    content: Content, store: SqlStore, database_url: str,
) -> None:
    player = Player(content, store)
    said = await player.file("企画書.pdf", PDF)  # the very first message
    assert "下書きの入力中ではないため、このファイルはお預かりしていません" in said and "ご用件を選んでください" in said
    assert "お預かりしていません" in await player.file("企画書.pdf", PDF)  # at the menu
    assert await _stored(database_url) == []


async def test_restart_and_data_deletion_forget_the_files(content: Content, store: SqlStore, database_url: str) -> None:
    player = Player(content, store)
    await player.command("resume")
    await player.press("提案の下書きをつくる")
    await player.file("一つ目.pdf", PDF)
    await player.command("restart")
    await player.press("はい")
    assert await _stored(database_url) == []

    await player.press("提案の下書きをつくる")
    await player.file("二つ目.pdf", PDF)
    await player.command("delete_data")
    await player.press("はい")
    assert await _stored(database_url) == []


async def test_the_purge_forgets_the_files_of_idle_drafts_in_progress(content: Content, store: SqlStore, database_url: str) -> None:
    player = Player(content, store)
    await player.command("resume")
    await player.press("提案の下書きをつくる")
    await player.file("企画書.pdf", PDF)
    engine = create_engine_for(database_url)
    now = datetime.now(UTC)
    try:
        await purge(engine, now - timedelta(days=90))
        assert await _stored(database_url) == [("企画書.pdf", None)], "an active conversation keeps its files"
        async with engine.begin() as connection:
            await connection.execute(update(conversations).values(updated_at=now - timedelta(days=120)))
        await purge(engine, now - timedelta(days=90))
        async with engine.connect() as connection:
            assert (await connection.execute(select(func.count()).select_from(documents))).scalar_one() == 0
    finally:
        await engine.dispose()
