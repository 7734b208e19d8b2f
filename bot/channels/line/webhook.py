"""``POST /webhooks/line``: verify, store durably, answer 200; the ingest worker does the rest."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from aiohttp import web
from linebot.v3 import WebhookParser
from linebot.v3.exceptions import InvalidSignatureError
from linebot.v3.models.events import UnknownEvent

from bot.channels.line import CHANNEL
from bot.channels.line.processor import conversation_id
from bot.core.ports import Clock
from bot.ingest.batching import AddMany
from bot.ingest.events import NewEvent

log = logging.getLogger(__name__)

HANDLED_TYPES = frozenset({"message", "postback", "follow", "unfollow", "join"})


class LineWebhook:
    def __init__(self, parser: WebhookParser, store: AddMany, kick: Callable[[str, str], None], clock: Clock) -> None:
        self._parser = parser
        self._store = store
        self._kick = kick
        self._clock = clock

    async def handle(self, request: web.Request) -> web.Response:
        raw = await request.read()
        signature = request.headers.get("X-Line-Signature", "")
        try:
            body = raw.decode("utf-8")
            parsed = self._parser.parse(body, signature)
            events = json.loads(body)["events"]
        except InvalidSignatureError:
            return web.json_response({"message": "invalid signature"}, status=401)
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            log.info("malformed LINE webhook: %s", type(error).__name__)  # the message may quote user text
            return web.json_response({"message": "malformed webhook body"}, status=400)
        wanted = [
            _new_event(event) for event, model in zip(events, parsed, strict=True)
            if not isinstance(model, UnknownEvent) and event.get("type") in HANDLED_TYPES and conversation_id(event["source"])
        ]
        if wanted:
            await self._store(wanted, self._clock.now())
        for user_id in dict.fromkeys(event.user_id for event in wanted):
            self._kick(CHANNEL, user_id)
        return web.json_response({})


def _new_event(event: dict[str, Any]) -> NewEvent:
    return NewEvent(
        channel=CHANNEL,
        event_id=event["webhookEventId"],
        user_id=conversation_id(event["source"]),
        occurred_at=int(event["timestamp"]),
        body=json.dumps(event),  # ASCII escapes: a lone surrogate in the text must not make the row unstorable
    )
