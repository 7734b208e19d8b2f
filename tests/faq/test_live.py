"""The running bot's dialogs and FAQ follow edits to dialogs/ and faq/ without a restart, and survive a broken edit."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from bot.app import build_app
from bot.content.loader import load_content
from bot.core import payloads
from bot.core.messages import Inbound, UserKey
from bot.faq.live import LiveContent, build_index
from bot.settings import REPOSITORY_ROOT, Settings
from tests.helpers import visible_text


class Ticks:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def root(tmp_path: Path) -> Path:
    for folder in ("dialogs", "faq"):
        shutil.copytree(REPOSITORY_ROOT / folder, tmp_path / folder)
    return tmp_path


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_an_edit_is_picked_up_and_a_broken_edit_keeps_the_last_good_faq(root: Path, caplog: pytest.LogCaptureFixture) -> None:
    ticks = Ticks()
    faq = LiveContent(load_content(root), lambda content: build_index(content, None), check_every=3, clock=ticks)
    assert "700万円" in (faq.get("program_budget") or pytest.fail()).answer

    _edit(root / "faq" / "facts.yaml", "budget_total: {value: 700万円", "budget_total: {value: 800万円")
    faq.lookup("予算はいくら")
    faq.wait()
    assert "700万円" in (faq.get("program_budget") or pytest.fail()).answer, "not looked at again within 3 seconds"

    ticks.now = 5
    faq.lookup("予算はいくら")
    faq.wait()
    assert "800万円" in (faq.get("program_budget") or pytest.fail()).answer

    _edit(root / "faq" / "basics.yaml", "    related: [eligibility]\n", "    related: [eligibilty]\n")
    ticks.now = 10
    faq.lookup("予算はいくら")
    faq.wait()
    assert "800万円" in (faq.get("program_budget") or pytest.fail()).answer
    assert "keeping the previous dialogs and FAQ" in caplog.text and "no FAQ entry 'eligibilty'" in caplog.text


def test_a_wording_edit_in_dialogs_reaches_the_next_turn_and_a_broken_one_does_not(
    root: Path, caplog: pytest.LogCaptureFixture
) -> None:
    ticks = Ticks()
    live = LiveContent(load_content(root), lambda content: build_index(content, None), check_every=3, clock=ticks)
    assert live.current().common.messages.paused.startswith("ここまでの内容を保存しました。")

    _edit(root / "dialogs" / "common.yaml", "ここまでの内容を保存しました。", "入力の途中まで保存しました。")
    ticks.now = 5
    live.current()
    live.wait()
    assert live.current().common.messages.paused.startswith("入力の途中まで保存しました。")

    _edit(root / "dialogs" / "common.yaml", "  paused: |-", "  pausd: |-")
    ticks.now = 10
    live.current()
    live.wait()
    assert live.current().common.messages.paused.startswith("入力の途中まで保存しました。")
    assert "keeping the previous dialogs and FAQ" in caplog.text and "pausd" in caplog.text


async def test_the_running_bot_says_the_edited_words_without_a_restart(root: Path, tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'kyoso.db'}", content_dir=root, faq_embeddings=False)
    app = await build_app(settings)
    user = UserKey(channel="web", user_id="visitor")
    try:
        await app.engine.handle(Inbound(user=user, payload=payloads.COMMAND + "resume"))
        _edit(root / "dialogs" / "common.yaml", "ここまでの内容を保存しました。", "入力の途中まで保存しました。")
        await asyncio.sleep(3.5)  # the files are looked at every 3 seconds; the reload runs in the background
        said = ""
        for _ in range(50):
            said = visible_text(await app.engine.handle(Inbound(user=user, text="中断")))
            if "入力の途中まで保存しました" in said:
                break
            await asyncio.sleep(0.1)
        assert "入力の途中まで保存しました" in said
    finally:
        await app.close()
