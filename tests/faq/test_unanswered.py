"""Questions the bot could not answer reach staff, counted: `kyoso faq unanswered`."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.app import build_app
from bot.cli import main
from bot.core import payloads
from bot.core.messages import Inbound, UserKey
from bot.settings import Settings


async def _ask(settings: Settings, questions: list[tuple[str, str]]) -> list[str]:
    app = await build_app(settings)
    said = []
    try:
        for user, question in questions:
            key = UserKey(channel="test", user_id=user)
            await app.engine.handle(Inbound(user=key, payload=payloads.COMMAND + "resume"))
            said += [reply.text for reply in await app.engine.handle(Inbound(user=key, text=question))]
    finally:
        await app.close()
    return said


def test_unanswered_questions_are_listed_with_counts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KYOSO_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'kyoso.db'}")
    monkeypatch.setenv("KYOSO_FAQ_EMBEDDINGS", "false")
    said = asyncio.run(_ask(Settings(), [
        ("a", "ごみの出し方を知りたい"), ("b", "ごみの出し方を知りたい"), ("a", "住民票はどこでもらえますか？"), ("c", "民民連携とは？"),
    ]))
    # ごみ and 住民票 are other windows' topics: the bot says so, and keeps them for staff all the same.
    assert sum("では扱っていません" in text for text in said) == 3

    assert main(["faq", "unanswered"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [(line.split()[0], line.split()[-1]) for line in lines] == [("2", "ごみの出し方を知りたい"), ("1", "住民票はどこでもらえますか？")]
