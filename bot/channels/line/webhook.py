"""``POST /webhooks/line``: verify, store durably, answer 200; the ingest worker does the rest.

The body is parsed once (``json.loads``): the signature is checked on the
exact bytes first, and each event is checked for what storing and ordering
it needs. An event of a kind the bot does not handle is ignored; a malformed
one is dropped (and logged), the others in the same call go through; a call
with nothing but malformed events gets 400. An event older than the replay
window (``KYOSO_EVENT_MAX_AGE_HOURS``) is acknowledged but not stored: a
captured body sent again after ``kyoso purge`` forgot it is not answered twice.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from aiohttp import web

from bot.channels.json_body import BadJson, parse, too_deep
from bot.channels.line import CHANNEL
from bot.channels.line.inbound import conversation_id
from bot.core.ports import Clock
from bot.ingest.events import NewEvent

log = logging.getLogger(__name__)

HANDLED_TYPES = frozenset({"message", "postback", "follow", "unfollow", "join", "unsend"})
MAX_EVENT_ID, MAX_CONVERSATION_ID = 64, 128  # the columns' sizes; LINE's ids are far shorter
FUTURE_SLACK_MS = 10 * 60 * 1000  # LINE's clock may run a little ahead of ours
Store = Callable[[list[NewEvent]], Awaitable[None]]


class Malformed(ValueError):
    """Not a webhook body or event as LINE sends them."""


class LineWebhook:
    def __init__(
        self, secret: str, store: Store, kick: Callable[[], None], clock: Clock, max_age: timedelta = timedelta(hours=24)
    ) -> None:
        self._secret = secret.encode()
        self._store = store
        self._kick = kick
        self._clock = clock
        self._max_age_ms = int(max_age.total_seconds() * 1000)

    async def handle(self, request: web.Request) -> web.Response:
        raw = await request.read()
        if not self._signed(raw, request.headers.get("X-Line-Signature", "")):
            return web.json_response({"message": "invalid signature"}, status=401)
        try:
            events = _events(raw)
        except Malformed as error:
            log.info("malformed LINE webhook body: %s", error)  # never the body: it may quote user text
            return web.json_response({"message": "malformed webhook body"}, status=400)
        wanted, malformed, stale = [], 0, 0
        now_ms = int(self._clock.now().timestamp() * 1000)
        for event in events:
            try:
                new = _new_event(event)
            except Malformed:
                malformed += 1
                continue
            if new is not None and not now_ms - self._max_age_ms <= new.occurred_at <= now_ms + FUTURE_SLACK_MS:
                stale += 1  # a replay of a captured body (its dedupe key may be purged): acknowledged, not answered
            elif new is not None:
                wanted.append(new)
        if stale:
            log.info("LINE webhook: %d event(s) outside the accepted age ignored", stale)
        if malformed:
            log.info("LINE webhook: %d malformed event(s) dropped, %d kept", malformed, len(wanted))
            if not wanted:
                return web.json_response({"message": "malformed webhook events"}, status=400)
        if wanted:
            await self._store(wanted)
            self._kick()
        return web.json_response({})

    def _signed(self, raw: bytes, signature: str) -> bool:
        expected = base64.b64encode(hmac.new(self._secret, raw, hashlib.sha256).digest())
        return hmac.compare_digest(signature.encode("utf-8", "replace"), expected)


def _events(raw: bytes) -> list[Any]:
    try:
        body = parse(raw)
    except BadJson as error:
        raise Malformed(str(error)) from None
    events = body.get("events") if isinstance(body, dict) else None
    if not isinstance(events, list):
        raise Malformed("no events list")
    return events


def _new_event(event: Any) -> NewEvent | None:
    """The event as stored, or None for a kind the bot does not handle; ``Malformed`` when it cannot be stored."""
    if not isinstance(event, dict):
        raise Malformed("an event that is not an object")
    if too_deep(event):
        raise Malformed("nested too deeply")
    kind = event.get("type")
    if not isinstance(kind, str) or kind not in HANDLED_TYPES:
        return None
    event_id, source, timestamp = event.get("webhookEventId"), event.get("source"), event.get("timestamp")
    if not isinstance(event_id, str) or not 0 < len(event_id) <= MAX_EVENT_ID:
        raise Malformed("webhookEventId")
    if not isinstance(source, dict) or not isinstance(source.get("type"), str):
        raise Malformed("source")
    if not isinstance(timestamp, int) or not 0 <= timestamp < 2**53:
        raise Malformed("timestamp")
    user_id = conversation_id(source)
    if not 0 < len(user_id) <= MAX_CONVERSATION_ID:
        raise Malformed("source id")
    if kind == "postback" and not (isinstance(event.get("postback"), dict) and isinstance(event["postback"].get("data"), str)):
        raise Malformed("postback")
    if kind == "message" and not isinstance(event.get("message"), dict):
        raise Malformed("message")
    return NewEvent(
        channel=CHANNEL,
        event_id=event_id,
        user_id=user_id,
        occurred_at=timestamp,
        body=json.dumps(event),  # ASCII escapes: a lone surrogate in the text must not make the row unstorable
    )
