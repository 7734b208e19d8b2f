"""What the emulated Telegram knows: users, chats, the messages in them, and updates built the way Telegram builds them."""

from __future__ import annotations

import itertools
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from bot.emulators.telegram.errors import bad_request

MAX_CALLBACK_DATA = 64  # bytes


@dataclass(frozen=True)
class Button:
    text: str
    callback_data: str | None = None
    url: str | None = None

    def to_api(self) -> dict[str, str]:
        shown = {"text": self.text, "callback_data": self.callback_data, "url": self.url}
        return {key: value for key, value in shown.items() if value is not None}


@dataclass
class Message:
    """A message in a chat, as the real server returns it (``to_api``)."""

    chat: dict[str, Any]
    message_id: int
    sender: dict[str, Any]
    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)
    keyboard: list[list[Button]] = field(default_factory=list)
    date: int = field(default_factory=lambda: int(time.time()))
    edit_date: int | None = None

    @property
    def chat_id(self) -> int:
        return int(self.chat["id"])

    @property
    def buttons(self) -> list[Button]:
        return [button for row in self.keyboard for button in row]

    def to_api(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "message_id": self.message_id, "from": self.sender, "chat": self.chat, "date": self.date, "text": self.text,
        }
        if self.entities:
            body["entities"] = self.entities
        if self.keyboard:
            body["reply_markup"] = {"inline_keyboard": [[button.to_api() for button in row] for row in self.keyboard]}
        if self.edit_date is not None:
            body["edit_date"] = self.edit_date
        return body


@dataclass(frozen=True)
class CallbackAnswer:
    """What the bot said when it acknowledged a button press (``answerCallbackQuery``)."""

    callback_query_id: str
    text: str | None
    show_alert: bool


def user(user_id: int, first_name: str) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "ja"}


def private_chat(person: dict[str, Any]) -> dict[str, Any]:
    return {"id": person["id"], "first_name": person["first_name"], "type": "private"}


def group_chat(chat_id: int, title: str, kind: str) -> dict[str, Any]:
    return {"id": chat_id, "title": title, "type": kind}


def text_entities(text: str) -> list[dict[str, Any]]:
    """A leading ``/command`` carries a ``bot_command`` entity, as Telegram apps send it."""
    if not text.startswith("/") or len(text) < 2:
        return []
    return [{"type": "bot_command", "offset": 0, "length": len(text.split()[0].encode("utf-16-le")) // 2}]


def callback_query(person: dict[str, Any], message: Message, data: str) -> dict[str, Any]:
    return {
        "id": str(secrets.randbits(63)),
        "from": person,
        "message": message.to_api(),
        "chat_instance": str(abs(message.chat_id) * 1_000_003),
        "data": data,
    }


def parse_keyboard(markup: Any) -> list[list[Button]]:
    """An ``InlineKeyboardMarkup`` checked as the real server does (callback data 1–64 bytes)."""
    if markup is None:
        return []
    if not isinstance(markup, dict) or "inline_keyboard" not in markup:
        raise bad_request("the emulator supports inline keyboards only")
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request("field \"inline_keyboard\" of the InlineKeyboardMarkup must be an Array of Arrays")
    return [[_button(raw) for raw in row] for row in rows]


def _button(raw: Any) -> Button:
    if not isinstance(raw, dict) or not str(raw.get("text", "")).strip():
        raise bad_request("text buttons are unallowed in the inline keyboard")
    data, url = raw.get("callback_data"), raw.get("url")
    if data is None and url is None:
        raise bad_request("text buttons are unallowed in the inline keyboard")
    if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA:
        raise bad_request("BUTTON_DATA_INVALID")
    return Button(text=str(raw["text"]), callback_data=None if data is None else str(data), url=url)


class Ids:
    """Message ids count per chat (user and bot messages share one sequence); update ids globally."""

    def __init__(self) -> None:
        self._messages: dict[int, itertools.count[int]] = {}
        self._updates = itertools.count(700_000_001)

    def next_message(self, chat_id: int) -> int:
        return next(self._messages.setdefault(chat_id, itertools.count(1)))

    def next_update(self) -> int:
        return next(self._updates)
