"""Playing the transcripts of tests/transcripts/ as a Telegram user: typing, and pressing the inline buttons offered."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import yaml

from bot.emulators.telegram import TelegramEmulator
from bot.emulators.telegram.model import Message

PLAYABLE = {"start", "send", "press", "expect", "expect_not", "choices"}  # a Telegram message holds ≤4,096 characters
Settle = Callable[[dict[str, Any]], Awaitable[None]]
"""Waits until the bot has answered the given update."""


def playable(path: Path) -> bool:
    turns = yaml.safe_load(path.read_text(encoding="utf-8"))["turns"]
    return all(set(turn) <= PLAYABLE for turn in turns)


async def act(platform: TelegramEmulator, settle: Settle, turn: dict[str, Any], chat_id: int = 1001) -> list[Message]:
    """Do what the turn says as the user; return the bot's messages that answered it."""
    before = len(platform.sent_to(chat_id))
    if turn.get("start"):
        update = await platform.user_sends("/start", user_id=chat_id)
    elif "send" in turn:
        update = await platform.user_sends(str(turn["send"]), user_id=chat_id)
    else:
        update = await platform.user_presses(str(turn["press"]), user_id=chat_id)
    await settle(update)
    return platform.sent_to(chat_id)[before:]


async def play(platform: TelegramEmulator, settle: Settle, path: Path) -> dict[str, Any]:
    """Play every turn and check what the user saw; returns the script (for its ``stored`` part)."""
    script: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    for number, turn in enumerate(script["turns"], start=1):
        where = f"{path.name} turn {number}"
        answer = await act(platform, settle, turn)
        said = "\n".join(message.text for message in answer)
        for expected in turn.get("expect", []):
            assert str(expected) in said, f"{where}: expected {expected!r} in:\n{said}"
        for unexpected in turn.get("expect_not", []):
            assert str(unexpected) not in said, f"{where}: did not expect {unexpected!r} in:\n{said}"
        if "choices" in turn:
            assert [button.text for button in answer[-1].buttons] == [str(c) for c in turn["choices"]], where
    assert len(platform.answers) == sum("press" in turn for turn in script["turns"])
    return script
