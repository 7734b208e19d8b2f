"""A document or photo sent on Telegram (getFile + the file download, through the emulator) is kept with the draft."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from bot.emulators.telegram import TelegramEmulator
from storage.tables import documents
from tests.documents.files import EXE, JPEG, PDF
from tests.harness import NO_FLOOD, PATIENT_WEBHOOK
from tests.telegram.test_durable import Stack, _stack


@pytest.fixture
async def telegram(database_url: str) -> AsyncIterator[Stack]:
    platform = TelegramEmulator(limits=NO_FLOOD, webhook_policy=PATIENT_WEBHOOK)
    await platform.start()
    async for built in _stack(platform, database_url, polling=False):
        yield built
    await platform.stop()


async def _said_after(stack: Stack, update: dict[str, object]) -> str:
    before = len(stack.platform.sent_to(1001))
    await stack.settle(update)  # type: ignore[arg-type]
    return "\n".join(message.text for message in stack.platform.sent_to(1001)[before:])


async def test_a_telegram_document_and_photo_are_kept_and_a_renamed_program_is_not(telegram: Stack) -> None:
    platform = telegram.platform
    await telegram.settle(await platform.user_sends("/start"))
    await telegram.settle(await platform.user_presses("提案の下書きをつくる"))

    said = await _said_after(telegram, await platform.user_sends_document("企画書.pdf", PDF))
    assert "「企画書.pdf」を受け取りました" in said and said.endswith("団体名を教えてください。")
    assert "「画像.jpeg」を受け取りました" in await _said_after(telegram, await platform.user_sends_photo(JPEG))
    refused = await _said_after(telegram, await platform.user_sends_document("企画書.pdf", EXE, "application/pdf"))
    assert "この種類のファイルはお預かりできません" in refused
    too_big = await _said_after(telegram, await platform.user_sends_document("動画.pdf", PDF + bytes(11 * 1024 * 1024)))
    assert "1件 10MB まで" in too_big
    gone = await platform.user_sends_document("消えた.pdf", PDF)
    platform.files.forget(gone["message"]["document"]["file_id"])  # type: ignore[index]
    assert "ファイルを受け取れませんでした" in await _said_after(telegram, gone)

    async with telegram.app.database.connect() as connection:
        kept = [(row.name, row.kind, bytes(row.data)) for row in await connection.execute(
            select(documents.c.name, documents.c.kind, documents.c.data).where(documents.c.user_id == "1001").order_by(documents.c.id)
        )]
    assert kept == [("企画書.pdf", "pdf", PDF), ("画像.jpeg", "jpeg", JPEG)]
