"""What a stored LINE event asks of the bot: the core's inputs, or (in a group) an answer without the core."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from bot.channels.line import CHANNEL
from bot.channels.line.content import file_inbound
from bot.core import payloads
from bot.core.messages import Inbound, TextMessage, UserKey
from bot.core.ports import Clock
from bot.ingest.events import StoredEvent
from bot.ingest.turns import Said

SEQUENCE = "\n"
"""Separates payloads that one postback plays one after the other (rich-menu buttons: open the menu, then choose)."""


class Followers(Protocol):
    async def set_active(self, channel: str, user_id: str, active: bool, now: datetime) -> None: ...


class UserEvents(Followers, Protocol):
    """The follow flags, and the stored message events' texts (for 送信取消)."""

    async def message_text(self, channel: str, user_id: str, message_id: str) -> str | None: ...

    async def forget_message_text(self, channel: str, user_id: str, message_id: str) -> None: ...


def conversation_id(source: dict[str, Any]) -> str:
    """Whose conversation an event belongs to: the user, or the group or room it came from."""
    return str(source.get("groupId") or source.get("roomId") or source.get("userId") or "")


class LineEvents:
    """Reads stored LINE events; ``one_to_one`` gives the current wording of the group answer (content follows edits)."""

    def __init__(self, events: UserEvents, clock: Clock, one_to_one: Callable[[], str]) -> None:
        self._events = events
        self._clock = clock
        self._one_to_one = one_to_one

    async def read(self, event: StoredEvent) -> Said:
        body: dict[str, Any] = json.loads(event.body)
        if body["type"] == "unsend":
            return await self._unsent(event, body)
        one_to_one = body["source"]["type"] == "user"
        if one_to_one and body["type"] in ("follow", "unfollow"):
            await self._events.set_active(CHANNEL, event.user_id, body["type"] == "follow", self._clock.now())
        if body.get("mode") == "standby":  # another module owns the chat: kept, never answered
            return Said()
        if not one_to_one:
            return Said(replies=[TextMessage(text=self._one_to_one())], reply_to=body.get("replyToken"))
        user = UserKey(channel=CHANNEL, user_id=event.user_id)
        return Said(inbounds=inbounds(body, user), reply_to=body.get("replyToken"))

    async def forget_if_unsent(self, event: StoredEvent) -> None:
        """After the turn of an unsend: the withdrawn message's text leaves its stored event too."""
        message_id = _unsent_id(json.loads(event.body))
        if message_id is not None:
            await self._events.forget_message_text(CHANNEL, event.user_id, message_id)

    async def _unsent(self, event: StoredEvent, body: dict[str, Any]) -> Said:
        """The core forgets the text (in a one-to-one chat); never an answer, in standby or not."""
        message_id = _unsent_id(body)
        if message_id is None or body["source"]["type"] != "user":
            return Said()
        text = await self._events.message_text(CHANNEL, event.user_id, message_id)
        if not text:
            return Said()
        return Said(inbounds=[Inbound(user=UserKey(channel=CHANNEL, user_id=event.user_id), text=text, unsent=True)])


def _unsent_id(body: dict[str, Any]) -> str | None:
    unsend = body.get("unsend") if body.get("type") == "unsend" else None
    message_id = unsend.get("messageId") if isinstance(unsend, dict) else None
    return message_id if isinstance(message_id, str) else None


def inbounds(body: dict[str, Any], user: UserKey) -> list[Inbound]:
    """What the user did, for the core: typed text, a tapped button, a sticker or file, or (re)adding the bot as a friend."""
    kind = body["type"]
    if kind == "follow":
        return [Inbound(user=user, payload=payloads.COMMAND + "resume")]
    if kind == "postback":
        return [Inbound(user=user, payload=data) for data in body["postback"]["data"].split(SEQUENCE)]
    if kind == "message":
        message = body["message"]
        if message.get("type") != "text":
            return [file_inbound(user, message)]
        text = message.get("text")
        return [Inbound(user=user, text=text if isinstance(text, str) else "")]
    return []
