"""Replays every conversation in tests/transcripts/ against the core engine, on SQLite and PostgreSQL.

What a transcript holds, and how it is played, is in tests/harness.py; the
channels play the same transcripts in tests/line, tests/telegram and tests/web.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content.loader import Content
from bot.faq.matcher import FaqIndex
from tests.harness import CORE_USER, TRANSCRIPTS, CoreSession, check_stored, load, play, start_of
from tests.helpers import FakeClock


@pytest.mark.parametrize("path", TRANSCRIPTS, ids=lambda path: path.stem)
async def test_transcript(path: Path, content: Content, faq_index: FaqIndex, database_url: str) -> None:
    script = load(path)
    session = CoreSession(content, faq_index, database_url, FakeClock(start_of(script)))
    await session.start()
    try:
        await play(session, script["turns"], f"{path.name} turn")
        if "stored" in script:
            assert session.store is not None
            await check_stored(session.store, script["stored"], CORE_USER.channel, CORE_USER.user_id)
    finally:
        await session.close()
