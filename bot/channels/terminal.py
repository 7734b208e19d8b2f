"""The terminal channel (`kyoso chat`): choices are numbered; type the number or the label."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TextIO

from bot.core import payloads
from bot.core.messages import CardMessage, Choice, Handler, Inbound, Outbound, UserKey

CHANNEL = "terminal"


def render(messages: list[Outbound]) -> str:
    blocks = []
    for message in messages:
        body = message.as_text() if isinstance(message, CardMessage) else message.text
        numbered = [f"  {index}. {choice.label}" for index, choice in enumerate(message.choices, start=1)]
        blocks.append("\n".join([body, *numbered]))
    return "\n\n".join(blocks)


def to_inbound(user: UserKey, typed: str, shown: list[Choice]) -> Inbound:
    """A number or an exact label picks the button shown last; anything else is sent as text."""
    stripped = typed.strip()
    if stripped.isdigit() and 1 <= int(stripped) <= len(shown):
        return Inbound(user=user, payload=shown[int(stripped) - 1].payload)
    for choice in shown:
        if stripped == choice.label:
            return Inbound(user=user, payload=choice.payload)
    return Inbound(user=user, text=typed)


async def chat(handle: Handler, user: UserKey, read: Callable[[], str], out: TextIO) -> None:
    """Run until end of input. The first turn asks the core to greet or to show where the user was."""
    replies = await handle(Inbound(user=user, payload=payloads.COMMAND + "resume"))
    while True:
        out.write(render(replies) + "\n")
        out.flush()
        shown = replies[-1].choices if replies else []
        try:
            typed = await asyncio.to_thread(read)
        except EOFError:
            out.write("\n")
            return
        replies = await handle(to_inbound(user, typed, shown))
