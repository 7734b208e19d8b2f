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


def text_event(where: dict[str, str], reply_token: str, text: str, message_id: str) -> dict[str, Any]:
    event = base_event("message", where, reply_token)
    event["message"] = {"type": "text", "id": message_id, "quoteToken": os.urandom(16).hex(), "text": text}
    return event


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
