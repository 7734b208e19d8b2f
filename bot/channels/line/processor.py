"""One stored LINE event, handled completely: the core's turn, then delivery.

The core's replies are stored with the event before anything is sent, so an
event whose delivery failed (or whose process died) is delivered again
without asking the core a second time. The turns are keyed by the event too:
a process that dies between a turn and storing its replies leaves them with
the turn, and the retry gets them instead of a second turn.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Protocol

from bot.channels.line import CHANNEL
from bot.channels.line.delivery import Delivery, LineSender
from bot.channels.line.messages import to_batches
from bot.core import payloads
from bot.core.messages import REPLIES, Handler, Inbound, Outbound, TextMessage, UserKey
from bot.core.ports import Clock
from bot.ingest.events import StoredEvent

SEQUENCE = "\n"
"""Separates payloads that one postback plays one after the other (rich-menu buttons: open the menu, then choose)."""


class HandledLog(Protocol):
    async def mark_handled(self, event_id: int, replies: str) -> None: ...


class Followers(Protocol):
    async def set_active(self, channel: str, user_id: str, active: bool, now: datetime) -> None: ...


def conversation_id(source: dict[str, Any]) -> str:
    """Whose conversation an event belongs to: the user, or the group or room it came from."""
    return str(source.get("groupId") or source.get("roomId") or source.get("userId") or "")


class LineProcessor:
    def __init__(
        self, handle: Handler, sender: LineSender, log: HandledLog, followers: Followers, clock: Clock, one_to_one: str
    ) -> None:
        self._handle = handle
        self._sender = sender
        self._log = log
        self._followers = followers
        self._clock = clock
        self._one_to_one = one_to_one

    async def __call__(self, event: StoredEvent) -> None:
        body: dict[str, Any] = json.loads(event.body)
        if event.replies is None:
            replies = await self._respond(body, event)
            await self._log.mark_handled(event.id, REPLIES.dump_json(replies).decode())
        else:
            replies = REPLIES.validate_json(event.replies)
        if not replies:
            return
        delivery = Delivery(
            to=event.user_id, reply_token=body.get("replyToken"), occurred_at_ms=event.occurred_at, key=event.event_id,
            # Stored replies with no failure counted: the process delivering them died, maybe after replying.
            resumed=event.replies is not None and event.attempts == 0,
        )
        await self._sender.send(delivery, to_batches(replies), self._clock.now())

    async def _respond(self, body: dict[str, Any], event: StoredEvent) -> list[Outbound]:
        if body["source"]["type"] != "user":
            return [TextMessage(text=self._one_to_one)]
        if body["type"] in ("follow", "unfollow"):
            await self._followers.set_active(CHANNEL, event.user_id, body["type"] == "follow", self._clock.now())
        replies: list[Outbound] = []
        for index, inbound in enumerate(_inbounds(body, UserKey(channel=CHANNEL, user_id=event.user_id))):
            # Keyed by the event: after a crash the same event gets the same answers, not a second turn.
            keyed = inbound.model_copy(update={"key": f"{event.event_id}/{index}"})
            replies = await self._handle(keyed)  # a rich-menu sequence shows only where it ends
        return replies


def _inbounds(body: dict[str, Any], user: UserKey) -> list[Inbound]:
    """What the user did, for the core: typed text, a tapped button, or (re)adding the bot as a friend."""
    kind = body["type"]
    if kind == "follow":
        return [Inbound(user=user, payload=payloads.COMMAND + "resume")]
    if kind == "postback":
        return [Inbound(user=user, payload=data) for data in body["postback"]["data"].split(SEQUENCE)]
    if kind == "message":
        message = body["message"]
        return [Inbound(user=user, text=message.get("text", "") if message.get("type") == "text" else "")]
    return []
