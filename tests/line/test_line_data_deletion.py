"""データ削除 over LINE: what the user typed does not stay in the stored platform events nor in the stored replies."""

from __future__ import annotations

import json

from sqlalchemy import Table, select

from bot.app import App
from storage.tables import inbound_events, metadata
from tests.harness import LineStack

USER = "U" + "d" * 32
SECRET_NAME = "株式会社ひみつのはなし"


async def test_erasing_removes_the_typed_texts_from_finished_events(line: LineStack) -> None:
    assert line.app is not None
    for action, value in [("follow", ""), ("tap", "提案の下書きをつくる"), ("type", SECRET_NAME), ("type", "データ削除")]:
        status = await (line.emulator.follow(USER) if action == "follow" else getattr(line.emulator, action)(USER, value))
        assert status == 200
        await line.settled()
    assert any(SECRET_NAME in _decoded(event.body) for event in await line.app.events.list_events("line"))
    beside_the_event = await _stored_texts(line.app, skipping=inbound_events)
    assert any(SECRET_NAME in text for text in beside_the_event), "the conversation holds the name, not only the event"

    assert await line.emulator.tap(USER, "はい") == 200
    await line.settled()

    assert "入力した内容を削除しました" in line.emulator.texts(USER)[-1]
    assert not any(SECRET_NAME in _decoded(event.body) for event in await line.app.events.list_events("line"))
    assert not any(SECRET_NAME in text for text in await _stored_texts(line.app))


async def _stored_texts(app: App, skipping: Table | None = None) -> list[str]:
    """Every text and JSON value of every table, JSON escapes undone: what a reader of the database would find."""
    texts: list[str] = []
    async with app.database.connect() as connection:
        for table in metadata.sorted_tables:
            if table is not skipping:
                for row in await connection.execute(select(table)):
                    texts.extend(_readable(value) for value in row if isinstance(value, str | dict | list))
    return texts


def _readable(value: str | dict[str, object] | list[object]) -> str:
    if not isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    try:
        return _decoded(value)
    except ValueError:
        return value


def _decoded(stored_json: str) -> str:
    """The stored JSON with its escapes undone, as a reader of the database would see it."""
    return json.dumps(json.loads(stored_json), ensure_ascii=False)
