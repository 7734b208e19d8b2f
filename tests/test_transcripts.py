"""Replays every conversation in tests/transcripts/ against the core engine, on SQLite and PostgreSQL.

What a transcript holds, and how it is played, is in tests/harness.py; the
channels play the same transcripts in tests/line, tests/telegram and tests/web.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content.loader import Content
from bot.faq.matcher import FaqIndex
from tests.harness import TRANSCRIPTS, play_on_core


@pytest.mark.parametrize("path", TRANSCRIPTS, ids=lambda path: path.stem)
async def test_transcript(path: Path, content: Content, faq_index: FaqIndex, database_url: str) -> None:
    await play_on_core(path, content, faq_index, database_url)
