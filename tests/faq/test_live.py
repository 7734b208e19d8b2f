"""The running bot's FAQ follows edits to faq/ without a restart, and survives a broken edit."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.content.loader import load_content
from bot.faq.live import LiveFaq, build_index
from bot.settings import REPOSITORY_ROOT


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
    faq = LiveFaq(load_content(root), lambda content: build_index(content, None), check_every=3, clock=ticks)
    assert "700万円" in (faq.get("program_budget") or pytest.fail()).answer

    _edit(root / "faq" / "facts.yaml", "budget_total: 700万円", "budget_total: 800万円")
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
    assert "keeping the previous FAQ" in caplog.text and "no FAQ entry 'eligibilty'" in caplog.text
