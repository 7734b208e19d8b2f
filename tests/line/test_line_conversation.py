"""The whole proposal over LINE: the real SDK, the emulator, the server, all over real sockets.

The user only types texts and taps the quick replies the bot offered; the
assertions are on what the emulator shows the user and on what is stored.
"""

from __future__ import annotations

import re

from tests.line.conftest import LineStack

USER = "U" + "1" * 32


async def _type(line: LineStack, text: str) -> None:
    assert await line.emulator.type(USER, text) == 200
    await line.settled()


async def _tap(line: LineStack, label: str) -> None:
    assert await line.emulator.tap(USER, label) == 200
    await line.settled()


def _last_said(line: LineStack) -> str:
    """Everything the bot said since the user's last message."""
    said: list[str] = []
    for message in reversed(line.emulator.seen[USER]):
        if message["from"] == "user":
            break
        said.insert(0, message.get("text") or message.get("altText", ""))
    return "\n".join(said)


async def test_full_proposal_from_follow_to_reference_number(line: LineStack) -> None:
    assert await line.emulator.follow(USER) == 200
    await line.settled()
    assert "ご用件を選んでください" in _last_said(line)
    labels = [item["action"]["label"] for item in line.emulator.quick_replies(USER)]
    assert "提案の下書きをつくる" in labels

    await _tap(line, "提案の下書きをつくる")
    assert "団体名を教えてください" in _last_said(line)
    await _type(line, "特定非営利活動法人ふちゅうまちづくりネット")
    await _tap(line, "NPO法人")
    await _type(line, "府中 花子")
    await _type(line, "hanako@example.jp")
    assert "電話番号" in _last_said(line)
    await _tap(line, "スキップ")
    await _tap(line, "テーマ型")
    await _tap(line, "通常の行政課題")
    await _type(line, "多摩川沿いの見守りウォーキング")
    await _type(line, "高齢者の見守りの担い手が足りず、市の職員だけでは回りきれない。")
    await _type(line, "地域の企業とNPOが毎週ウォーキングを開き、参加者同士で声をかけ合う。")
    await _type(line, "企画、参加者の募集、当日の運営")
    await _type(line, "広報紙での周知と、公園の使用許可")
    await _type(line, "1年で延べ500人が参加し、見守りの登録者を50人増やす")
    await _type(line, "約30万円。ボランティア中心で運営するため費用をおさえられる。")
    await _tap(line, "希望する")
    await _type(line, "2027年4月から1年間")
    await _tap(line, "スキップ")

    summary = [m for m in line.emulator.seen[USER] if m["from"] == "bot" and m["type"] == "flex"]
    assert summary, "the draft summary is shown as a Flex message"
    bubble = str(summary[-1]["contents"])
    assert "特定非営利活動法人ふちゅうまちづくりネット" in bubble and "多摩川沿いの見守りウォーキング" in bubble

    await _tap(line, "この内容で送る")
    assert "個人情報の取り扱いについて" in _last_said(line)
    await _tap(line, "同意して送る")
    said = _last_said(line)
    assert "受け付けました" in said
    reference = re.search(r"KY-\d{4}-\d{4}", said)
    assert reference is not None, said

    assert line.app is not None
    stored = await line.app.store.get_draft(reference.group(0))
    assert stored is not None and stored.user.channel == "line" and stored.user.user_id == USER
    assert stored.draft.title == "多摩川沿いの見守りウォーキング"
    assert all(call.status == 200 for call in line.emulator.calls), [(c.endpoint, c.status, c.body) for c in line.emulator.calls if c.status != 200]
    assert {call.endpoint for call in line.emulator.calls} == {"reply"}
