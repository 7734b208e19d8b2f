"""The terminal channel (`kyoso chat`): answers are numbered, commands shown by name; type a number or a label.

A number picks one of the numbered answers of the message shown last, and nothing else: where the
question wants typed text (only commands are shown), a number is text like any other.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

from bot.core import payloads
from bot.core.messages import CardMessage, Choice, Inbound, Outbound, UserKey
from bot.core.numbers import answers
from bot.core.text import render as fill

CHANNEL = "terminal"

Turn = Callable[[Inbound], list[Outbound]]
"""One turn of the core, run to its end (``Engine.handle`` on the caller's event loop)."""


def render(messages: list[Outbound]) -> str:
    blocks = []
    for message in messages:
        body = message.as_text() if isinstance(message, CardMessage) else message.text
        lines = [body, *[f"  {index}. {choice.label}" for index, choice in enumerate(answers(message.choices), start=1)]]
        commands = [choice.label for choice in message.choices if choice not in answers(message.choices)]
        if commands:
            lines.append("  " + " ".join(f"［{label}］" for label in commands))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def to_inbound(user: UserKey, typed: str, shown: list[Choice]) -> Inbound | None:
    """A number picks one of the numbered answers shown last, an exact label any button; anything else is text.

    None: a number, where numbered answers are shown, that is none of them (the caller asks again).
    """
    stripped = typed.strip()
    numbered = answers(shown)
    if stripped.isdigit() and numbered:
        index = int(stripped)
        return Inbound(user=user, payload=numbered[index - 1].payload) if 1 <= index <= len(numbered) else None
    for choice in shown:
        if stripped == choice.label:
            return Inbound(user=user, payload=choice.payload)
    return Inbound(user=user, text=typed)


def chat(handle: Turn, user: UserKey, read: Callable[[], str], out: TextIO, choose_number: str) -> None:
    """Run until end of input. The first turn asks the core to greet or to show where the user was.

    ``read`` runs on the calling thread, so Ctrl-C stops a waiting prompt at once. ``choose_number``
    (with ``{last}``) is said to a number that is none of the numbered answers.
    """
    replies = handle(Inbound(user=user, payload=payloads.COMMAND + "resume"))
    out.write(render(replies) + "\n")
    shown = replies[-1].choices if replies else []
    while True:
        out.flush()
        try:
            typed = read()
        except EOFError:
            out.write("\n")
            return
        inbound = to_inbound(user, typed, shown)
        if inbound is None:
            out.write(fill(choose_number, {"last": len(answers(shown))}) + "\n")
            continue
        replies = handle(inbound)
        out.write(render(replies) + "\n")
        shown = replies[-1].choices if replies else []
