"""The language follows the platform at the first greeting and switches at any point, mid-form included; it is stored."""

from __future__ import annotations

from pathlib import Path

import pytest
from telegram import Bot, Update

from bot.channels.telegram.updates import update_to_inbound
from bot.content.loader import Content
from bot.core.messages import Inbound
from bot.emulators.telegram import TelegramEmulator
from bot.faq.matcher import FaqIndex
from bot.settings import Settings
from tests.harness import CORE_USER, play, play_on_core, start_of
from tests.helpers import FakeClock
from tests.lang.sessions import HintedSession

TRANSCRIPTS = sorted((Path(__file__).parent / "transcripts").glob("*.yaml"))


@pytest.mark.parametrize("path", TRANSCRIPTS, ids=lambda path: path.stem)
async def test_transcript_in_each_language(path: Path, content: Content, faq_index: FaqIndex, database_url: str) -> None:
    await play_on_core(path, content, faq_index, database_url, HintedSession)


async def test_the_language_is_kept_with_the_conversation_across_a_restart(
    content: Content, faq_index: FaqIndex, database_url: str
) -> None:
    session = HintedSession(content, faq_index, database_url, FakeClock(start_of({})))
    await session.start()
    try:
        await play(session, [{"start": True, "hint": "en"}, {"send": "やさしい にほんご"}])
        await session.restart()  # a new process: only what was stored is left
        answer = await play(session, [{"send": "メニュー"}])
        assert answer is not None and "したい ことを えらんで ください。" in answer.text
        assert session.store is not None
        async with session.store.turn(CORE_USER) as turn:
            assert turn.state.language == "easy"
    finally:
        await session.close()


async def test_telegram_says_the_senders_language(emulator: TelegramEmulator, bot: Bot) -> None:
    update = await emulator.user_sends("/start")
    update["message"]["from"]["language_code"] = "en"
    found = update_to_inbound(Update.de_json(update, bot), Settings().telegram_commands)
    assert isinstance(found, Inbound) and found.language_hint == "en" and found.payload == "c:resume"
