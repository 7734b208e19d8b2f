"""LINE for PC shows no quick replies: the answers are also numbered lines, and a typed number or word picks one."""

from __future__ import annotations

import re

from bot.content.loader import load_content
from bot.settings import REPOSITORY_ROOT
from tests.harness import LineStack

USER = "U" + "6" * 32
CONTENT = load_content(REPOSITORY_ROOT)
HINT = CONTENT.common.messages.numbered_hint


def _last(line: LineStack) -> dict[str, object]:
    return [message for message in line.emulator.seen[USER] if message["from"] == "bot"][-1]


def _numbered(text: str) -> dict[str, int]:
    """What a PC user reads under the question: label -> number."""
    return {label: int(number) for number, label in re.findall(r"^(\d+)\. (.+)$", text, flags=re.M)}


async def _type(line: LineStack, text: str) -> str:
    assert await line.emulator.type(USER, text) == 200
    await line.settled()
    return str(_last(line).get("text") or _last(line).get("altText"))


async def test_every_answer_is_a_numbered_line_and_a_typed_number_picks_it(line: LineStack) -> None:
    assert await line.emulator.follow(USER) == 200
    await line.settled()
    menu = str(_last(line)["text"])
    assert HINT in menu
    numbered = _numbered(menu)
    buttons = [item["action"]["label"] for item in line.emulator.quick_replies(USER)]
    assert list(numbered) == [label for label in buttons if label in numbered] and len(numbered) >= 4
    assert numbered == {label: index for index, label in enumerate(numbered, start=1)}

    question = await _type(line, str(numbered["提案の下書きをつくる"]))
    assert "団体名を教えてください" in question
    assert HINT not in question, "a question that wants typed text lists no numbers"
    question = await _type(line, "3")  # at a text question a number is an answer like any other
    assert HINT in question
    kinds = _numbered(question)
    assert "NPO法人" in kinds

    assert HINT in await _type(line, "99")
    assert _last(line)["text"].startswith(CONTENT.common.messages.choose_number.replace("{last}", str(len(kinds))))
    assert [item["action"]["label"] for item in line.emulator.quick_replies(USER)][: len(kinds)] == list(kinds)

    name_question = await _type(line, "０" + str(kinds["NPO法人"]) + "番")  # full-width, 「2番」
    assert HINT not in name_question and "NPO法人" not in name_question


async def test_a_typed_number_answers_a_yes_no_confirmation(line: LineStack) -> None:
    assert await line.emulator.follow(USER) == 200
    await line.settled()
    confirm = await _type(line, "最初から")
    numbered = _numbered(confirm)
    yes = CONTENT.common.confirm["yes"].label
    assert yes in numbered, confirm
    after = await _type(line, str(numbered[yes]))
    assert CONTENT.common.messages.restart_done.split("。")[0] in "\n".join(line.emulator.texts(USER)[-3:]), after


async def test_the_summary_cards_alt_text_says_what_it_shows_and_its_question_numbers_the_answers(line: LineStack) -> None:
    assert await line.emulator.follow(USER) == 200
    await line.settled()
    await _type(line, "提案の下書きをつくる")
    for text in ["ふちゅうまちづくりネット", "NPO法人", "府中 花子", "hanako@example.jp", "スキップ", "テーマ型", "通常の行政課題",
                 "見守りウォーキング", "見守りの担い手が足りない。", "毎週ウォーキングを開く。", "企画と運営", "広報紙での周知",
                 "延べ500人が参加する", "約30万円", "希望する", "2027年4月から1年間", "スキップ"]:
        await _type(line, text)
    flex = [message for message in line.emulator.seen[USER] if message["from"] == "bot" and message["type"] == "flex"][-1]
    title = flex["contents"]["header"]["contents"][0]["text"]
    assert flex["altText"].startswith(f"【{title}】") and len(flex["altText"]) <= 400
    assert "ふちゅうまちづくりネット" in flex["altText"]
    question = str(_last(line)["text"])
    assert HINT in question and "この内容で送る" in _numbered(question)
