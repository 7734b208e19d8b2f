"""Everything that shows content follows edits to dialogs/ and faq/ without a restart.

Beside the conversation (tests/faq/test_live.py): the slow-down notice of the
per-address limit, the answer in a LINE group and a Telegram group, the health
check's counts and the labels in a dossier for staff.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import aiohttp
import pytest

from bot.app import App, build_app
from bot.emulators.line import LineEmulator
from bot.emulators.telegram import DEFAULT_TOKEN, TelegramEmulator
from bot.server.app import create_server_app
from bot.settings import REPOSITORY_ROOT, Settings
from tests.harness import FAST, SECRET, TOKEN
from tests.helpers import serve_locally
from tests.proposals import make_submission, submit
from tests.telegram.emulators import roomy_emulator  # noqa: F401 - the fixture, used by name

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the database plays no part here

NOW_EDITED = "（編集しました）"
EDITS = {
    "dialogs/common.yaml": [
        ("短い時間にたくさんのメッセージが届いたため", NOW_EDITED + "短い時間にたくさんのメッセージが届いたため"),
        ("ご提案やご相談の内容をうかがうため", NOW_EDITED + "ご提案やご相談の内容をうかがうため"),
    ],
    "dialogs/draft.yaml": [("        label: NPO法人\n", "        label: NPO法人（特定非営利活動法人）\n")],
}
NEW_ENTRY = """
  - id: parking
    question: 駐車場はありますか？
    label: 駐車場
    answer: 市役所の駐車場をご利用ください。
    source: 編集のテスト
"""


@pytest.fixture
def root(tmp_path: Path) -> Path:
    for folder in ("dialogs", "faq"):
        shutil.copytree(REPOSITORY_ROOT / folder, tmp_path / "content" / folder)
    return tmp_path / "content"


def _edit_everything(root: Path) -> None:
    for name, changes in EDITS.items():
        path = root / name
        text = path.read_text(encoding="utf-8")
        for old, new in changes:
            assert old in text, (name, old)
            text = text.replace(old, new, 1)
        path.write_text(text, encoding="utf-8")
    with (root / "faq" / "window.yaml").open("a", encoding="utf-8") as faq:
        faq.write(NEW_ENTRY)


def _reloaded(app: App) -> None:
    app.live.current()  # looks at the files (every time: content_check_seconds=0) and reloads in the background
    app.live.wait()
    assert NOW_EDITED in app.content.common.messages.one_to_one, "the edit was not picked up"


@pytest.fixture
async def line() -> AsyncIterator[LineEmulator]:
    async with LineEmulator(channel_secret=SECRET, access_token=TOKEN) as emulator:
        yield emulator


@pytest.fixture
async def served(
    root: Path, database_url: str, line: LineEmulator, roomy_emulator: TelegramEmulator  # noqa: F811
) -> AsyncIterator[tuple[App, str]]:
    telegram = roomy_emulator
    settings = Settings(
        database_url=database_url, content_dir=root, faq_embeddings=False, address_posts_per_minute=1,
        session_secret="s" * 40, staff_base_url="https://kyoso.example.jp",
        LINE_CHANNEL_SECRET=SECRET, LINE_CHANNEL_ACCESS_TOKEN=TOKEN, LINE_API_BASE_URL=line.url,
        TELEGRAM_BOT_TOKEN=DEFAULT_TOKEN, TELEGRAM_API_BASE_URL=telegram.url, telegram_poll_timeout=1,
    )
    app = await build_app(settings, replace(FAST, telegram_polling=True, content_check_seconds=0))
    runner, url = await serve_locally(create_server_app(app))
    line.webhook_url = f"{url}/webhooks/line"
    try:
        yield app, url
    finally:
        await runner.cleanup()
        await app.close()


async def test_the_slow_down_notice_of_the_address_limit_follows_edits(served: tuple[App, str], root: Path) -> None:
    app, url = served
    _edit_everything(root)
    _reloaded(app)
    async with aiohttp.ClientSession() as http:
        for _ in range(2):
            async with http.post(f"{url}/api/chat", json={"start": True}) as response:
                status, body = response.status, await response.json()
    assert status == 429
    assert body["messages"][0]["text"].startswith(NOW_EDITED + "短い時間に")


async def test_the_answer_in_a_group_follows_edits_on_line_and_telegram(
    served: tuple[App, str], root: Path, line: LineEmulator, roomy_emulator: TelegramEmulator  # noqa: F811
) -> None:
    app, telegram = served[0], roomy_emulator
    _edit_everything(root)
    _reloaded(app)
    group = "C" + "9" * 32
    assert await line.type("U" + "9" * 32, "こんにちは", group_id=group) == 200
    update = await telegram.group_message("こんにちは", chat_id=-4243)
    await telegram.wait_until(lambda: bool(telegram.sent_to(-4243)), timeout=30)
    await app.ingest.idle()
    assert [text.split("ご提案")[0] for text in line.texts(group)] == [NOW_EDITED]
    assert [message.text.split("ご提案")[0] for message in telegram.sent_to(-4243)] == [NOW_EDITED], update


async def test_the_health_check_counts_the_content_as_it_is_now(served: tuple[App, str], root: Path) -> None:
    app, url = served
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{url}/readyz") as response:
            before = await response.json()
        _edit_everything(root)
        _reloaded(app)
        async with http.get(f"{url}/readyz") as response:
            after = await response.json()
    assert after["faq"] == before["faq"] + 1 and after["dialogs"] == before["dialogs"]


async def test_the_labels_in_a_dossier_follow_edits(served: tuple[App, str], root: Path) -> None:
    app, _ = served
    reference = await submit(app.store, make_submission(org_type="npo"))
    stored = await app.store.get_draft(reference)
    assert stored is not None
    builder = app.staff.services.builder
    assert builder.build(stored).field("org_type") == "NPO法人"
    _edit_everything(root)
    _reloaded(app)
    assert builder.build(stored).field("org_type") == "NPO法人（特定非営利活動法人）"
