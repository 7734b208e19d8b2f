"""An inbound message read once per turn: which button it is, or which command or yes/no its words name.

What a typed line means beyond that (an answer, a request in words, a question for the FAQ) depends
on the step it answers: ``bot/core/understanding.decide`` tells, reading the FAQ at most once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from bot.content.choices import menu_options
from bot.content.models import Command, CommandName, is_command
from bot.core import payloads
from bot.core.messages import Inbound
from bot.core.options import offered
from bot.core.turn_context import TurnContext
from bot.core.understanding import named


@dataclass(frozen=True)
class Parsed:
    inbound: Inbound
    text: str  # the typed text ('' for a button, a file or a sticker)
    prefix: str  # the payload's kind (bot/core/payloads.py); '' for typed text or an unknown payload
    value: str  # the payload after its prefix
    command: CommandName | None  # a command's button, or its words typed
    confirmation: Literal["yes", "no"] | None  # はい / いいえ pressed or typed
    said: str  # what the user did, in words (for staff, and the recent lines)

    @property
    def typed(self) -> bool:
        return self.inbound.payload is None


def parse(context: TurnContext, inbound: Inbound) -> Parsed:
    common = context.common
    text = inbound.text or ""
    prefix, value = payloads.split(inbound.payload or "")
    typed = inbound.payload is None
    if prefix == payloads.COMMAND:
        command: CommandName | None = value if is_command(value) else None
    else:
        command = named(text, common.commands) if typed else None
    confirmation: Literal["yes", "no"] | None = None
    if prefix == payloads.CONFIRM:
        confirmation = next((answer for answer in common.confirm if answer == value), None)
    elif typed:
        confirmation = named(text, common.confirm)
    return Parsed(inbound, text, prefix, value, command, confirmation, said(context, inbound, prefix, value))


def said(context: TurnContext, inbound: Inbound, prefix: str, value: str) -> str:
    """What the user did, in words: the typed text, or the label of the button pressed."""
    common = context.common
    if inbound.payload is None:
        return common.messages.not_text if inbound.not_text else inbound.text or ""
    buttons: dict[str, Iterable[tuple[str, Command]]] = {
        payloads.COMMAND: common.commands.items(), payloads.CONFIRM: common.confirm.items(),
    }
    label = next((command.label for name, command in buttons.get(prefix, ()) if name == value), None)
    if label is not None:
        return label
    if prefix == payloads.NONE_FITS:
        return common.messages.none_of_these
    if prefix in (payloads.PROPOSAL, payloads.REVISE):
        return value
    if prefix == payloads.HELPFUL and common.feedback is not None:
        return common.feedback.yes if value.startswith("yes:") else common.feedback.no
    if prefix == payloads.MENU_ITEM and value in menu_options(context.content):
        return menu_options(context.content)[value].label
    hit = context.faq.get(value) if prefix == payloads.FAQ else None
    if hit is not None:
        return hit.label
    if context.state.step in context.content.steps:
        for choice in offered(context.current(), context.content, context.state.values):
            if choice.payload == inbound.payload:
                return choice.option.label
    return inbound.payload
