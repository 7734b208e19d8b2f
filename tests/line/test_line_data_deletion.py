"""データ削除 over LINE: what the user typed does not stay in the stored platform events nor in the stored replies."""

from __future__ import annotations

import json

from sqlalchemy import select

from bot.app import App
from storage.tables import answered_turns
from tests.line.conftest import LineStack

USER = "U" + "d" * 32
SECRET_NAME = "株式会社ひみつのはなし"


async def test_erasing_removes_the_typed_texts_from_finished_events(line: LineStack) -> None:
    assert line.app is not None
    for action, value in [("follow", ""), ("tap", "提案の下書きをつくる"), ("type", SECRET_NAME), ("type", "データ削除")]:
        status = await (line.emulator.follow(USER) if action == "follow" else getattr(line.emulator, action)(USER, value))
        assert status == 200
        await line.settled()
    assert any(SECRET_NAME in _decoded(event.body) for event in await line.app.events.list_events("line"))

    assert await line.emulator.tap(USER, "はい") == 200
    await line.settled()

    assert "入力した内容を削除しました" in line.emulator.texts(USER)[-1]
    assert not any(SECRET_NAME in _decoded(event.body) for event in await line.app.events.list_events("line"))
    assert not any(SECRET_NAME in _decoded(replies) for replies in await _stored_replies(line.app))


async def _stored_replies(app: App) -> list[str]:
    async with app.database.connect() as connection:
        return list((await connection.execute(select(answered_turns.c.replies))).scalars())


def _decoded(stored_json: str) -> str:
    """The stored JSON with its escapes undone, as a reader of the database would see it."""
    return json.dumps(json.loads(stored_json), ensure_ascii=False)
