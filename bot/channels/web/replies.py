"""What the web chat page needs besides the replies themselves."""

from __future__ import annotations

import json
from typing import Literal

from aiohttp import web

from bot.core import payloads
from bot.core.messages import REPLIES, Outbound


def focus_after(replies: list[Outbound]) -> Literal["input", "choices"]:
    """Where the keyboard goes after a turn: the first answer when the question is answered by choosing one,
    the text box when it is answered by typing (its buttons are then only commands: 戻る, スキップ, 中断 …)."""
    offered = replies[-1].choices if replies else []
    answers = [choice for choice in offered if not choice.payload.startswith(payloads.COMMAND)]
    return "choices" if answers else "input"


def turn_response(replies: list[Outbound], status: int = 200) -> web.Response:
    """A turn's answer as the page reads it: the bot's messages and where the keyboard goes next."""
    body = {"messages": REPLIES.dump_python(replies, mode="json"), "focus": focus_after(replies)}
    return web.json_response(body, status=status, dumps=_dumps)


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)
