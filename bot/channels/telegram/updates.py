"""What a Telegram update means for the core: typed text, a pressed button, a command, or a group to turn away."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from telegram import Message, Update
from telegram.constants import ChatType, MessageEntityType

from bot.channels.telegram import CHANNEL
from bot.channels.telegram.content import attachment_of
from bot.core import payloads
from bot.core.messages import Inbound, UserKey

ALLOWED_UPDATES = ["message", "callback_query"]
"""The update kinds the bot understands; Telegram is asked for these only (polling and webhook)."""


@dataclass(frozen=True)
class GroupNotice:
    """A message in a group chat: the bot answers there with the "please talk to me 1:1" text, never with the core."""

    chat_id: int


def update_to_inbound(update: Update, commands: Mapping[str, str]) -> Inbound | GroupNotice | None:
    """``commands`` maps ``/start``-style commands (without the slash) to core command names (settings)."""
    found = _update_to_inbound(update, commands)
    sender = update.effective_user
    if isinstance(found, Inbound) and sender is not None and sender.language_code:  # the first greeting's language
        return found.model_copy(update={"language_hint": sender.language_code})
    return found


def _update_to_inbound(update: Update, commands: Mapping[str, str]) -> Inbound | GroupNotice | None:
    chat = update.effective_chat
    if chat is None:
        return None
    if chat.type in (ChatType.GROUP, ChatType.SUPERGROUP):
        return GroupNotice(chat.id) if update.message is not None else None
    if chat.type != ChatType.PRIVATE:
        return None
    user = UserKey(channel=CHANNEL, user_id=str(chat.id))
    if update.callback_query is not None:
        data = update.callback_query.data
        return Inbound(user=user, payload=data) if data else None
    if update.message is None:
        return None
    command = _command(update.message)
    if command is not None and command in commands:
        return Inbound(user=user, payload=payloads.COMMAND + commands[command])
    if update.message.text is None:  # a sticker, photo, document …
        return Inbound(user=user, not_text=True, document=attachment_of(update.message))
    return Inbound(user=user, text=update.message.text)


def _command(message: Message) -> str | None:
    """``/menu`` or ``/menu@our_bot`` at the start of the text gives ``menu``; arguments (deep links) are ignored."""
    first = message.entities[0] if message.entities else None
    if first is None or first.type != MessageEntityType.BOT_COMMAND or first.offset != 0 or not message.text:
        return None
    return message.text[1:first.length].split("@", 1)[0].lower()
