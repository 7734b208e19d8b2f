"""Requests as content (dialogs/intents.yaml), and buttons for the actions the bot's own messages name.

An intent runs a command (中断, 担当者に相談, …) or an item of the menu (提案の下書きをつくる).
A message that names an action in 「」 — 「再開」と送ってください, メニューの「5つの条件チェック」で —
gets that action as a button, so a user never has to type what the bot just told them to.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.content.choices import menu_options
from bot.content.loader import Content
from bot.content.models import ConsentStep, EditMenuStep, Intent, Option, Step, SummaryStep, is_command
from bot.core import payloads
from bot.core.messages import Choice, Outbound, TextMessage
from bot.core.prompts import button_applies
from bot.core.state import ConversationState

_QUOTED = re.compile(r"「([^「」]+)」")


def find_intent(content: Content, intent_id: str | None) -> Intent | None:
    intents = content.intents.intents if content.intents else []
    return next((intent for intent in intents if intent.id == intent_id), None)


def menu_item_dialog(content: Content, option: Option) -> str | None:
    """The dialog a menu item leads into (``draft`` for 提案の下書きをつくる), None for answers and commands."""
    return option.next.split(".", 1)[0] if option.next else None


def in_form(step: Step, state: ConversationState) -> bool:
    """The user is part-way through a form: answers given, and at one of its questions."""
    at_form_step = bool(getattr(step, "field", None)) or isinstance(step, (SummaryStep, ConsentStep, EditMenuStep))
    return at_form_step and bool(state.values)


def leaves_form(content: Content, intent: Intent, step_ref: str, step: Step, state: ConversationState) -> bool:
    """Doing this would take the user away from a half-filled form (so the bot asks first)."""
    if not in_form(step, state):
        return False
    if intent.command is not None:
        return intent.command == "menu"
    option = menu_options(content).get(intent.option or "")
    return option is not None and menu_item_dialog(content, option) != step_ref.split(".", 1)[0]


def intent_choice(content: Content, intent: Intent) -> Choice | None:
    """The button that does what the intent asks for (its command, or its item of the menu)."""
    if intent.command is not None:
        command = content.common.commands.get(intent.command)
        return Choice(label=command.label, payload=payloads.COMMAND + intent.command) if command else None
    option = menu_options(content).get(intent.option or "")
    return Choice(label=option.label, payload=payloads.MENU_ITEM + option.value) if option else None


def offer_intent(content: Content, intent_id: str | None, message: TextMessage, before: int | None = None) -> None:
    """Add the button of an intent the user may have meant to a message (an FAQ answer, a "did you mean")."""
    intent = find_intent(content, intent_id)
    choice = intent_choice(content, intent) if intent else None
    if choice is None or len(message.choices) >= content.common.max_choices:
        return
    if {choice.payload, choice.label} & ({c.payload for c in message.choices} | {c.label for c in message.choices}):
        return
    message.choices.insert(len(message.choices) if before is None else max(0, before), choice)


def named_actions(content: Content, text: str) -> list[Choice]:
    """The buttons for every command or menu item the text names in 「」, in order."""
    common = content.common
    by_label: dict[str, Choice] = {}
    for value, option in menu_options(content).items():
        if option.next:  # items that answer an FAQ entry are not actions
            by_label.setdefault(option.label, Choice(label=option.label, payload=payloads.MENU_ITEM + value))
    for name, command in common.commands.items():
        by_label[command.label] = Choice(label=command.label, payload=payloads.COMMAND + name)
    found = [by_label[label] for label in _QUOTED.findall(text) if label in by_label]
    return list({choice.payload: choice for choice in found}.values())


def offer_named_actions(content: Content, state: ConversationState, step_ref: str, step: Step, outbox: Sequence[Outbound]) -> None:
    """Add to the turn's last message the buttons of the actions its messages name but do not offer."""
    last = next((message for message in reversed(outbox) if isinstance(message, TextMessage)), None)
    if last is None or last is not outbox[-1]:
        return
    dialog = step_ref.split(".", 1)[0]
    offered = {choice.payload for choice in last.choices} | {choice.label for choice in last.choices}
    for message in outbox:
        if not isinstance(message, TextMessage):
            continue
        for choice in named_actions(content, message.text):
            if len(last.choices) >= content.common.max_choices or {choice.payload, choice.label} & offered:
                continue
            if not _applies(content, state, step, dialog, choice):
                continue
            menu_item = choice.payload.startswith(payloads.MENU_ITEM)
            last.choices.insert(_before_commands(last.choices) if menu_item else len(last.choices), choice)
            offered |= {choice.payload, choice.label}


def _before_commands(choices: list[Choice]) -> int:
    """Where an item of the menu goes: after the message's own answers, before its command buttons (戻る, メニュー …)."""
    position = len(choices)
    while position and choices[position - 1].payload.startswith(payloads.COMMAND):
        position -= 1
    return position


def _applies(content: Content, state: ConversationState, step: Step, dialog: str, choice: Choice) -> bool:
    prefix, value = payloads.split(choice.payload)
    if prefix == payloads.COMMAND:
        if value == "resume":
            return state.paused
        return value not in ("back", "skip", "menu") or (is_command(value) and button_applies(content.common, state, value, step))
    option = menu_options(content).get(value)
    return option is not None and menu_item_dialog(content, option) != dialog  # not the flow the user is in
