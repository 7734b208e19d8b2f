"""Webhook events exactly as LINE sends them (every field the SDK requires), and their signature."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import time
from typing import Any

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def ulid() -> str:
    """A ULID (LINE's webhookEventId format): 48 bits of milliseconds, 80 random bits."""
    value = (int(time.time() * 1000) << 80) | int.from_bytes(os.urandom(10), "big")
    return "".join(_CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


def sign(secret: str, body: bytes) -> str:
    """``X-Line-Signature``: base64(HMAC-SHA256(channel secret, exact body bytes))."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def source(user_id: str, group_id: str | None = None, room_id: str | None = None) -> dict[str, str]:
    if group_id:
        return {"type": "group", "groupId": group_id, "userId": user_id}
    if room_id:
        return {"type": "room", "roomId": room_id, "userId": user_id}
    return {"type": "user", "userId": user_id}


def base_event(kind: str, where: dict[str, str], reply_token: str | None) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": kind,
        "mode": "active",
        "timestamp": int(time.time() * 1000),
        "source": where,
        "webhookEventId": ulid(),
        "deliveryContext": {"isRedelivery": False},
    }
    if reply_token is not None:
        event["replyToken"] = reply_token
    return event


def message_event(where: dict[str, str], reply_token: str, message_id: str, kind: str, **fields: Any) -> dict[str, Any]:
    """A message of any type (``text``, ``sticker``, ``image`` …) with what every message carries."""
    event = base_event("message", where, reply_token)
    event["message"] = {
        "type": kind, "id": message_id, "quoteToken": os.urandom(16).hex(), "markAsReadToken": os.urandom(16).hex(), **fields,
    }
    return event


def text_event(where: dict[str, str], reply_token: str, text: str, message_id: str) -> dict[str, Any]:
    return message_event(where, reply_token, message_id, "text", text=text)


STICKER = {"packageId": "446", "stickerId": "1988", "stickerResourceType": "STATIC"}
IMAGE = {"contentProvider": {"type": "line"}}
FILE = {"fileName": "企画書.pdf", "fileSize": 2048}


def postback_event(where: dict[str, str], reply_token: str, data: str) -> dict[str, Any]:
    event = base_event("postback", where, reply_token)
    event["postback"] = {"data": data}
    return event


def follow_event(where: dict[str, str], reply_token: str, unblocked: bool) -> dict[str, Any]:
    event = base_event("follow", where, reply_token)
    event["follow"] = {"isUnblocked": unblocked}
    return event


def unfollow_event(where: dict[str, str]) -> dict[str, Any]:
    return base_event("unfollow", where, None)


def unsend_event(where: dict[str, str], message_id: str) -> dict[str, Any]:
    event = base_event("unsend", where, None)
    event["unsend"] = {"messageId": message_id}
    return event


def other_event(kind: str, where: dict[str, str], reply_token: str | None = None, **fields: Any) -> dict[str, Any]:
    """Any other webhook event (``memberJoined``, ``botSuspended``, ``activated``, ``videoPlayComplete`` …)."""
    return {**base_event(kind, where, reply_token), **fields}
