"""`kyoso line richmenu`: the rich menu from dialogs/line/richmenu.yaml, set up on the (emulated) platform."""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.channels.line.richmenu import RICH_MENU_FILE, install_rich_menu, load_rich_menu
from bot.content.loader import Content
from bot.settings import REPOSITORY_ROOT, Settings
from tests.harness import SECRET, TOKEN, LineStack

USER = "U" + "5" * 32


async def test_the_rich_menu_is_created_and_its_buttons_work_mid_draft(line: LineStack, content: Content) -> None:
    settings = Settings(
        content_dir=REPOSITORY_ROOT,
        LINE_CHANNEL_SECRET=SECRET, LINE_CHANNEL_ACCESS_TOKEN=TOKEN, LINE_API_BASE_URL=line.emulator.url,
    )
    rich_menu_id = await install_rich_menu(settings, content)
    assert line.emulator.default_rich_menu == rich_menu_id
    created = next(call.body for call in line.emulator.calls if call.endpoint == "richmenu")
    assert created["size"] == {"width": 2500, "height": 1686}
    # The action's label is what LINE's screen reader says for the area (and what it shows as the user's message).
    assert all(area["action"]["label"] == area["action"]["displayText"] for area in created["areas"])
    assert [area["action"]["label"] for area in created["areas"]] == [
        "共創とは", "対象になる提案", "5つの条件チェック", "提案の下書きをつくる", "よくある質問", "担当者に相談",
        "わたしの提案", "メニュー",
    ]
    image = next(call for call in line.emulator.calls if call.endpoint == "richmenu_image")
    assert image.body["bytes"] > 0 and image.headers["Content-Type"] == "image/png"

    await line.emulator.follow(USER)
    await line.settled()
    await line.emulator.tap(USER, "提案の下書きをつくる")
    await line.settled()
    assert "団体名を教えてください" in line.emulator.texts(USER)[-1]
    await line.emulator.tap_rich_menu(USER, "5つの条件チェック")
    await line.settled()
    said = line.emulator.texts(USER)
    assert "(1)〜(5)" in "\n".join(said[-3:])
    assert not any("ご用件を選んでください" in text for text in said[-3:]), "only where the sequence ends is shown"


def test_problems_in_the_rich_menu_file_name_file_and_line(tmp_path: Path, content: Content) -> None:
    (tmp_path / RICH_MENU_FILE).parent.mkdir(parents=True)
    shutil.copy((REPOSITORY_ROOT / RICH_MENU_FILE).with_suffix(".png"), (tmp_path / RICH_MENU_FILE).parent)
    (tmp_path / RICH_MENU_FILE).write_text(
        "name: メニュー\nchat_bar_text: メニュー\nimage: richmenu.png\ncolumns: 3\nitems:\n"
        "  - label: 共創とは\n    option: about\n"
        "  - label: 提案\n    option: proposal\n",
        encoding="utf-8",
    )
    menu, problems = load_rich_menu(tmp_path, content)
    assert menu is None
    assert [problem.render(tmp_path) for problem in problems] == [
        "dialogs/line/richmenu.yaml:9: 'proposal' is not an item of the menu: "
        + "['about', 'contact', 'criteria', 'draft', 'eligible', 'faq', 'language', 'my_proposals']"
    ]
