"""Typed numbers: 「2」 picks the second answer of the message shown last, on every channel.

The numbered answers are a message's buttons that answer its question, not the command buttons
(戻る, 中断 …), which are typed by name. LINE lists them as numbered lines under the question (its
quick replies do not show on LINE for PC); the terminal numbers them. Where the question wants
typed text (only command buttons are shown), a number is text like any other.
"""

from __future__ import annotations

import re

from bot.core import payloads
from bot.core.messages import Choice, Inbound, Outbound
from bot.core.text import normalize

_NUMBER = re.compile(r"[0-9]{1,3}番?")


def answers(choices: list[Choice]) -> list[Choice]:
    """The buttons that answer the question, in the order they are numbered."""
    return [choice for choice in choices if not choice.payload.startswith(payloads.COMMAND)]


def numbered_after(outbox: list[Outbound], before: list[Choice], typed_text_wanted: bool) -> list[Choice]:
    """The numbered answers after a turn: those of its last message, which is marked ``numbered``.

    A turn that said nothing leaves them as they were. Where a typed text is wanted (a text question),
    buttons to items of the menu are no answers: there a number is text.
    """
    if not outbox:
        return before
    last = outbox[-1]
    numbered = answers(last.choices)
    if typed_text_wanted and all(choice.payload.startswith(payloads.MENU_ITEM) for choice in numbered):
        numbered = []
    last.numbered = bool(numbered)
    return numbered


def typed_number(text: str | None) -> int | None:
    """「2」「２」「2番」「2.」 -> 2; anything else None."""
    wanted = normalize(text or "")
    return int(wanted.rstrip("番")) if _NUMBER.fullmatch(wanted) else None


def picked(inbound: Inbound, numbered: list[Choice]) -> Inbound | int | None:
    """The press of the numbered answer the user typed; the count of answers when the number is none of them;
    None when the input is not a typed number or no answers are numbered."""
    number = typed_number(inbound.text) if inbound.payload is None and not inbound.not_text and not inbound.unsent else None
    if number is None or not numbered:
        return None
    if not 1 <= number <= len(numbered):
        return len(numbered)
    return inbound.model_copy(update={"text": None, "payload": numbered[number - 1].payload})
