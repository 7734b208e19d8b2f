"""Translations as staff write them: overlays on the Japanese files; what is missing falls back and is listed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.cli import main
from bot.content.loader import load_content
from bot.content.models import ChoiceStep, SayStep
from bot.content.problems import ContentInvalid
from bot.settings import REPOSITORY_ROOT


def _copy_content(target: Path) -> Path:
    for folder in ("dialogs", "faq"):
        shutil.copytree(REPOSITORY_ROOT / folder, target / folder)
    return target


def _line_of(path: Path, text: str) -> int:
    content = path.read_text(encoding="utf-8")
    return content.count("\n", 0, content.index(text)) + 1


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_each_language_says_its_own_text_and_keeps_the_structure() -> None:
    content = load_content(REPOSITORY_ROOT)
    english, easy = content.in_language("en"), content.in_language("easy")
    welcome = {language.language: language.step("main.welcome") for language in (content, english, easy)}
    assert all(isinstance(step, SayStep) for step in welcome.values())
    assert "Hello." in welcome["en"].text and "こんにちは。" in welcome["easy"].text  # type: ignore[union-attr]
    assert welcome["ja"].text != welcome["easy"].text  # type: ignore[union-attr]
    menus = [language.step("main.menu") for language in (content, english, easy)]
    assert all(isinstance(menu, ChoiceStep) for menu in menus)
    values = [[(option.value, option.next, option.faq) for option in menu.options] for menu in menus]  # type: ignore[union-attr]
    assert values[0] == values[1] == values[2], "a translation changes texts, never where an answer leads"
    english_draft = next(o for o in menus[1].options if o.value == "draft")  # type: ignore[union-attr]
    assert english_draft.label == "Write a draft"
    assert "提案したい" in english_draft.words and "propose" in english_draft.words, "typed words of both languages work"
    assert content.in_language("xx") is content and english.in_language("ja") is content


def test_a_text_left_out_is_said_in_japanese_and_listed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _copy_content(tmp_path)
    overlay = root / "dialogs" / "en" / "main.yaml"
    overlay.write_text(overlay.read_text(encoding="utf-8").replace(
        "    text: Please choose what you would like to do.\n", ""), encoding="utf-8")

    menu = load_content(root).in_language("en").step("main.menu")
    assert isinstance(menu, ChoiceStep) and menu.text == "ご用件を選んでください。"

    assert main(["check", "--content-dir", str(root), "--missing", "en"]) == 0
    printed = capsys.readouterr().out
    line = _line_of(root / "dialogs" / "main.yaml", "    text: ご用件を選んでください。")
    assert f"note: dialogs/main.yaml:{line}: no English text in dialogs/en/main.yaml for steps[menu].text" in printed
    assert main(["check", "--content-dir", str(root)]) == 0
    assert "dialogs/en/main.yaml:0: 1 text(s) not translated into English yet" in capsys.readouterr().out


@pytest.mark.parametrize(("overlay_text", "line_with", "reason"), [
    ("title: x\nsteps:\n  - id: welcom\n    text: Hi\n", "  - id: welcom", "main.yaml has no item with id 'welcom'"),
    ("title: x\nsteps:\n  - id: welcome\n    txt: Hi\n", "    txt: Hi", "steps[welcome].txt: there is no such key in main.yaml"),
    ("title: x\nsteps:\n  - id: welcome\n    next: faq_list\n", "    next: faq_list", "steps[welcome].next: not a text; change it in main.yaml"),
    ("subtitle: x\n", "subtitle: x", "subtitle: there is no such key in main.yaml"),
    ("title: [a, b]\n", "title: [a, b]", "title: give a text"),
], ids=["unknown step", "unknown key", "structure changed", "unknown top key", "not a text"])
def test_a_key_the_japanese_file_does_not_have_is_a_problem(
    overlay_text: str, line_with: str, reason: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _copy_content(tmp_path)
    overlay = _write(root / "dialogs" / "en" / "main.yaml", overlay_text)

    assert main(["check", "--content-dir", str(root)]) == 1
    printed = capsys.readouterr().out
    assert f"dialogs/en/main.yaml:{_line_of(overlay, line_with)}: [en] " in printed and reason in printed, printed
    with pytest.raises(ContentInvalid):
        load_content(root)


def test_a_translation_without_its_japanese_file_and_a_broken_placeholder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _copy_content(tmp_path)
    _write(root / "dialogs" / "en" / "mian.yaml", "title: x\n")
    _write(root / "faq" / "en" / "synonym.yaml", "entries: []\n")  # an entry list: keyed by ids, not by a file
    _write(root / "faq" / "en" / "out_of_scope.yaml", "topics: []\n")
    (root / "faq" / "out_of_scope.yaml").unlink()
    overlay = root / "dialogs" / "en" / "main.yaml"
    overlay.write_text(overlay.read_text(encoding="utf-8").replace("{desk_name}", "{desk}"), encoding="utf-8")

    assert main(["check", "--content-dir", str(root)]) == 1
    printed = capsys.readouterr().out
    assert "dialogs/en/mian.yaml:1: no Japanese file dialogs/mian.yaml to translate" in printed
    assert "faq/en/out_of_scope.yaml:1: no Japanese file faq/out_of_scope.yaml to translate" in printed
    assert "synonym.yaml" not in printed
    assert "[en] unknown placeholder {desk}" in printed, "a translation is cross-checked like the Japanese files"


def _cut(path: Path, start: str, end: str) -> str:
    """Take the lines from ``start`` up to ``end`` out of ``path``; they are returned."""
    text = path.read_text(encoding="utf-8")
    begin = text.index(start)
    block = text[begin:text.index(end, begin)]
    path.write_text(text.replace(block, ""), encoding="utf-8")
    return block


def test_an_faq_entry_moved_to_another_file_keeps_its_translation(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _copy_content(tmp_path)
    japanese = _cut(root / "faq" / "basics.yaml", "  - id: kyoso_meaning\n", "  - id: eligibility\n")
    program = root / "faq" / "program.yaml"
    program.write_text(program.read_text(encoding="utf-8") + "\n" + japanese, encoding="utf-8")
    english = _cut(root / "faq" / "en" / "basics.yaml", "  - id: kyoso_meaning\n", "  - id: eligibility\n")
    _write(root / "faq" / "en" / "more.yaml", "entries:\n" + english.replace("    label: What is co-creation?\n", ""))

    content = load_content(root)
    assert content.faq_sources["kyoso_meaning"].file == program
    entry = content.in_language("en").faq_entry("kyoso_meaning")
    assert entry is not None and entry.answer.startswith('"Co-creation" (共創, kyoso) means')
    assert entry.label == "共創とは", "the text the translation leaves out is said in 日本語"
    easy = content.in_language("easy").faq_entry("kyoso_meaning")
    assert easy is not None and easy.answer != content.faq_entry("kyoso_meaning").answer  # type: ignore[union-attr]

    assert main(["check", "--content-dir", str(root), "--missing", "en"]) == 0
    printed = capsys.readouterr().out
    line = _line_of(program, "    label: 共創とは")
    assert f"note: faq/program.yaml:{line}: no English text in faq/en/more.yaml for entries[kyoso_meaning].label" in printed
    assert "[en]" not in printed


@pytest.mark.parametrize(("entry_id", "reason"), [
    ("kyoso_meanin", "entries[kyoso_meanin]: no FAQ entry with id 'kyoso_meanin' in faq/*.yaml to translate"),
    ("kyoso_meaning", "entries[kyoso_meaning]: already translated in basics.yaml line 4"),
], ids=["id in no Japanese file", "translated twice"])
def test_an_faq_translation_needs_an_id_of_the_japanese_files_once(
    entry_id: str, reason: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _copy_content(tmp_path)
    overlay = _write(root / "faq" / "en" / "more.yaml", f"# moved\nentries:\n  - id: {entry_id}\n    answer: Hello.\n")

    assert main(["check", "--content-dir", str(root)]) == 1
    printed = capsys.readouterr().out
    assert f"faq/en/more.yaml:{_line_of(overlay, '  - id:')}: [en] {reason}" in printed, printed
    with pytest.raises(ContentInvalid):
        load_content(root)
