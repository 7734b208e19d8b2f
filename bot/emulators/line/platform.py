"""The emulated LINE platform: Messaging API endpoints with LINE's limits and errors, and a webhook sender.

What the bot sent is recorded per user (``seen``), so a test asserts what the
user saw. Faults (429, 500, a slow answer, a dropped connection) are queued
per endpoint with :meth:`LineEmulator.fail_next`; ``unavailable`` is an outage of
the whole API.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from bot.core.required import required
from bot.core.text import utf16_length
from bot.emulators.line import events
from bot.emulators.line.liff import PATHS as LIFF_PATHS
from bot.emulators.line.liff import LiffStandIn

REPLY_TOKEN_SECONDS = 60.0
WEBHOOK_TIMEOUT_SECONDS = 2.0


@dataclass
class Fault:
    """What to do to the next call of an endpoint instead of (or besides) answering normally.

    ``delivered`` makes the platform take the messages before failing (a timeout
    or reset after sending), as the real platform can.
    """

    status: int | None = None
    delay: float = 0.0
    drop: bool = False
    delivered: bool = False
    body: dict[str, Any] | None = None


@dataclass
class Call:
    endpoint: str
    body: Any
    headers: dict[str, str]
    status: int


@dataclass
class _Token:
    user_id: str
    issued: float
    used_at: float | None = None

    @property
    def used(self) -> bool:
        return self.used_at is not None


@dataclass
class LineEmulator:
    channel_secret: str
    access_token: str
    webhook_url: str = ""
    reply_token_seconds: float = REPLY_TOKEN_SECONDS
    push_quota: int | None = None
    unavailable: bool = False  # an outage: every API call answers 503 and delivers nothing
    mode: str = "active"  # "standby": another module owns the chats; the events say so
    seen: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    calls: list[Call] = field(default_factory=list)
    webhook_log: list[tuple[dict[str, Any], int]] = field(default_factory=list)
    liff: LiffStandIn = field(default_factory=LiffStandIn)  # LINE's servers for the LIFF app (the form on LINE)

    def __post_init__(self) -> None:
        self._tokens: dict[str, _Token] = {}
        self._faults: dict[str, list[Fault]] = defaultdict(list)
        self._retry_keys: dict[str, str] = {}
        self._pushed = 0
        self._profiles: dict[str, str] = {}
        self._read_tokens: dict[str, tuple[str, str]] = {}  # markAsReadToken -> (chat, message id)
        self.read_up_to: dict[str, str] = {}  # chat -> the newest message marked read (it and every earlier one)
        self.loading_shown: list[str] = []  # the chats the loading animation was started in
        self._rich_menus: dict[str, dict[str, Any]] = {}
        self.contents: dict[str, bytes] = {}  # message id -> the file or image the user sent (the content API serves it)
        self.default_rich_menu: str | None = None
        self._runner: web.AppRunner | None = None
        self._client: aiohttp.ClientSession | None = None
        self.url = ""

    # --- running ---------------------------------------------------------------

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._common])
        app.router.add_post("/v2/bot/message/reply", self._reply, name="reply")
        app.router.add_post("/v2/bot/message/push", self._push, name="push")
        app.router.add_get("/v2/bot/profile/{user_id}", self._profile, name="profile")
        app.router.add_post("/v2/bot/chat/loading/start", self._loading, name="loading")
        app.router.add_post("/v2/bot/chat/markAsRead", self._mark_as_read, name="mark_as_read")
        app.router.add_get("/v2/bot/message/{message_id}/content", self._content, name="content")
        app.router.add_post("/v2/bot/richmenu", self._create_rich_menu, name="richmenu")
        app.router.add_post("/v2/bot/richmenu/{rich_menu_id}/content", self._rich_menu_image, name="richmenu_image")
        app.router.add_post("/v2/bot/user/all/richmenu/{rich_menu_id}", self._default_rich_menu, name="richmenu_default")
        self.liff.install(app)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve the API; returns its base URL (for ``LINE_API_BASE_URL``)."""
        self._runner = web.AppRunner(self.app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound = self._runner.addresses[0]
        self.url = f"http://{bound[0]}:{bound[1]}"
        self._client = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=WEBHOOK_TIMEOUT_SECONDS))
        return self.url

    async def __aenter__(self) -> LineEmulator:
        await self.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()
        if self._runner is not None:
            await self._runner.cleanup()

    def fail_next(self, endpoint: str, fault: Fault, times: int = 1) -> None:
        """``endpoint`` is ``reply``, ``push``, ``profile``, ``loading``, ``mark_as_read``, ``content``."""
        self._faults[endpoint] += [fault] * times

    def expire_reply_tokens(self) -> None:
        """As if a minute had passed since every event sent so far."""
        for token in self._tokens.values():
            token.issued -= self.reply_token_seconds + 1

    # --- the user's side ----------------------------------------------------------

    async def follow(self, user_id: str, display_name: str = "テスト ユーザー", unblocked: bool = False) -> int:
        return await self.send([self.follow_event(user_id, display_name, unblocked)])

    def follow_event(self, user_id: str, display_name: str = "テスト ユーザー", unblocked: bool = False) -> dict[str, Any]:
        """The user adds the bot as a friend (posted with :meth:`send`)."""
        self._profiles[user_id] = display_name
        return self._moded(events.follow_event(events.source(user_id), self._token(user_id), unblocked))

    async def unfollow(self, user_id: str) -> int:
        self._profiles.pop(user_id, None)
        return await self.send([events.unfollow_event(events.source(user_id))])

    async def type(self, user_id: str, text: str, group_id: str | None = None) -> int:
        return await self.send([self.text_event(user_id, text, group_id)])

    def text_event(self, user_id: str, text: str, group_id: str | None = None) -> dict[str, Any]:
        """A text the user sends (shown in their chat now, posted with :meth:`send`)."""
        return self.message_event(user_id, "text", {"text": text}, group_id)

    async def send_message(self, user_id: str, kind: str, fields: dict[str, Any]) -> int:
        """Send a message of any type: ``send_message(user, "sticker", events.STICKER)``."""
        return await self.send([self.message_event(user_id, kind, fields)])

    def message_event(self, user_id: str, kind: str, fields: dict[str, Any], group_id: str | None = None) -> dict[str, Any]:
        where = events.source(user_id, group_id=group_id)
        message_id = str(int(time.time() * 1000)) + str(int.from_bytes(os.urandom(2), "big"))
        self.seen[group_id or user_id].append({"from": "user", "type": kind, "id": message_id, **fields})
        event = events.message_event(where, self._token(group_id or user_id), message_id, kind, **fields)
        self._read_tokens[event["message"]["markAsReadToken"]] = (group_id or user_id, message_id)
        return self._moded(event)

    async def send_file(self, user_id: str, name: str, data: bytes, kept: bool = True) -> str:
        """The user sends a file (LINE says its name and size in the event); returns the message id.

        ``kept=False``: by the time the bot asks, LINE no longer keeps the content (404).
        """
        return await self._send_content(user_id, "file", data, {"fileName": name, "fileSize": len(data)}, kept)

    async def send_image(self, user_id: str, data: bytes) -> str:
        """The user sends a photo from the camera roll (no name, no size in the event); returns the message id."""
        return await self._send_content(user_id, "image", data, dict(events.IMAGE))

    async def _send_content(self, user_id: str, kind: str, data: bytes, fields: dict[str, Any], kept: bool = True) -> str:
        event = self.message_event(user_id, kind, fields)
        message_id = event["message"]["id"]
        if kept:
            self.contents[message_id] = data
        await self.send([event])
        return str(message_id)

    def read_messages(self, user_id: str) -> list[str]:
        """The ids of the user's messages the bot marked as read (既読), oldest first."""
        marked = self.read_up_to.get(user_id)
        ids = self.sent_ids(user_id)
        return ids[: ids.index(marked) + 1] if marked in ids else []

    async def unsend(self, user_id: str, message_id: str) -> int:
        """The user withdraws a message they sent (送信取消): it leaves their chat, and the bot is told."""
        self.seen[user_id] = [m for m in self.seen[user_id] if not (m["from"] == "user" and m.get("id") == message_id)]
        return await self.send([self._moded(events.unsend_event(events.source(user_id), message_id))])

    def sent_ids(self, user_id: str) -> list[str]:
        """The ids of the messages the user sent, oldest first (what :meth:`unsend` takes)."""
        return [message["id"] for message in self.seen[user_id] if message["from"] == "user" and "id" in message]

    def _moded(self, event: dict[str, Any]) -> dict[str, Any]:
        event["mode"] = self.mode
        return event

    def postback_event(self, user_id: str, data: str) -> dict[str, Any]:
        """A button press carrying ``data`` (for batches; :meth:`tap` presses what the bot offered)."""
        return self._moded(events.postback_event(events.source(user_id), self._token(user_id), data))

    async def tap(self, user_id: str, label: str) -> int:
        """Tap a quick-reply button the bot offered under its last message."""
        offered = self.quick_replies(user_id)
        action = next((item["action"] for item in offered if item["action"].get("label") == label), None)
        if action is None:
            raise AssertionError(f"no quick reply {label!r}; offered: {[i['action'].get('label') for i in offered]}")
        if action["type"] == "message":
            return await self.type(user_id, action["text"])
        if action.get("displayText"):
            self.seen[user_id].append({"from": "user", "type": "text", "text": action["displayText"]})
        return await self.send([self.postback_event(user_id, action["data"])])

    async def tap_rich_menu(self, user_id: str, label: str) -> int:
        """Tap a button of the default rich menu (the fixed menu under the chat)."""
        areas = self._rich_menus[required(self.default_rich_menu, "the default rich menu")]["areas"]
        action = next((area["action"] for area in areas if area["action"].get("label") == label), None)
        if action is None:
            raise AssertionError(f"no rich menu button {label!r}")
        if action.get("displayText"):
            self.seen[user_id].append({"from": "user", "type": "text", "text": action["displayText"]})
        return await self.send([self.postback_event(user_id, action["data"])])

    async def send(self, batch: list[dict[str, Any]], signature: str | None = None, body: bytes | None = None) -> int:
        """POST one webhook request; returns the bot's HTTP status (0 when it did not answer within 2 s)."""
        if self._client is None or not self.webhook_url:
            raise RuntimeError("start() the emulator and set webhook_url first")
        raw = body if body is not None else json.dumps(
            {"destination": "U" + "0" * 32, "events": batch}, ensure_ascii=False
        ).encode()
        headers = {"Content-Type": "application/json; charset=utf-8"}
        headers["X-Line-Signature"] = signature if signature is not None else events.sign(self.channel_secret, raw)
        try:
            async with self._client.post(self.webhook_url, data=raw, headers=headers) as response:
                status = response.status
        except (TimeoutError, aiohttp.ClientError):
            status = 0
        for event in batch:
            self.webhook_log.append((event, status))
        return status

    async def redeliver(self, reverse: bool = False) -> int:
        """Send every event posted so far again, marked as redelivered (LINE's retry), optionally in reverse."""
        again = [dict(event, deliveryContext={"isRedelivery": True}) for event, _ in self.webhook_log]
        return await self.send(list(reversed(again)) if reverse else again)

    async def redeliver_unacknowledged(self) -> int:
        """LINE's automatic redelivery: the events not yet answered with 200, again (200 when there are none)."""
        acknowledged = {event["webhookEventId"] for event, status in self.webhook_log if status == 200}
        waiting: dict[str, dict[str, Any]] = {}
        for event, _ in self.webhook_log:
            waiting.setdefault(event["webhookEventId"], dict(event, deliveryContext={"isRedelivery": True}))
        again = [event for event_id, event in waiting.items() if event_id not in acknowledged]
        return await self.send(again) if again else 200

    def quick_replies(self, user_id: str) -> list[dict[str, Any]]:
        """The buttons under the bot's last message (LINE shows only those)."""
        from_bot = [message for message in self.seen[user_id] if message.get("from") == "bot"]
        return (from_bot[-1].get("quickReply") or {}).get("items", []) if from_bot else []

    def texts(self, user_id: str) -> list[str]:
        """What the bot said to the user, as plain text (a Flex message by its alt text)."""
        return [
            message.get("text") or message.get("altText", "")
            for message in self.seen[user_id]
            if message.get("from") == "bot"
        ]

    def reply_seconds(self, reply_token: str) -> float | None:
        """Seconds from the event carrying ``reply_token`` to the bot's reply with it; None while not replied."""
        token = self._tokens.get(reply_token)
        return None if token is None or token.used_at is None else token.used_at - token.issued

    def reply_delays(self) -> list[float]:
        """Seconds from each event the user sent to the bot's reply to it (events answered by reply only)."""
        return [token.used_at - token.issued for token in self._tokens.values() if token.used_at is not None]

    def _token(self, user_id: str) -> str:
        token = uuid.uuid4().hex
        self._tokens[token] = _Token(user_id, time.monotonic())
        return token

    # --- the API ---------------------------------------------------------------------

    @web.middleware
    async def _common(self, request: web.Request, handler: Any) -> web.StreamResponse:
        """Record every call as it arrives (status 0 until answered: a client that gave up saw none)."""
        raw = await request.read()
        body = json.loads(raw) if request.content_type == "application/json" and raw else {"bytes": len(raw)}
        call = Call(request.match_info.route.name or request.path, body, dict(request.headers), 0)
        self.calls.append(call)
        if self.unavailable:
            response: web.StreamResponse = _error(503, _STATUS_MESSAGES[503])
        elif not request.path.startswith(LIFF_PATHS) and request.headers.get("Authorization") != f"Bearer {self.access_token}":
            response = _error(401, "Authentication failed. Confirm that the access token in the authorization header is valid.")
        else:
            response = await handler(request)
        response.headers["x-line-request-id"] = str(uuid.uuid4())
        call.status = response.status
        return response

    async def _faulted(self, endpoint: str, request: web.Request, deliver: Any) -> web.Response | None:
        """Apply the endpoint's next fault; ``deliver`` records the messages when the fault says they got through."""
        if not self._faults[endpoint]:
            return None
        fault = self._faults[endpoint].pop(0)
        if fault.delivered:
            deliver()
        if fault.delay:
            await asyncio.sleep(fault.delay)
        if fault.drop:
            if request.transport is not None:  # None: the client is gone already
                request.transport.abort()
            return web.Response(status=500)
        if fault.status is not None:
            return web.json_response(fault.body or {"message": _STATUS_MESSAGES.get(fault.status, "error")}, status=fault.status)
        return None

    async def _reply(self, request: web.Request) -> web.Response:
        body = await request.json()
        if "X-Line-Retry-Key" in request.headers:
            return _error(400, "The retry key cannot be used for this endpoint.")
        problem = _check_messages(body.get("messages"))
        token = self._tokens.get(body.get("replyToken", ""))
        if problem is None and (token is None or token.used or time.monotonic() - token.issued > self.reply_token_seconds):
            problem = _error(400, "Invalid reply token")
        if problem is not None:
            return problem
        token = required(token, "the reply token")  # checked just above

        def deliver() -> None:
            token.used_at = time.monotonic()
            self._show(token.user_id, body["messages"])

        faulted = await self._faulted("reply", request, deliver)
        if faulted is not None:
            return faulted
        deliver()
        return web.json_response({"sentMessages": _sent(body["messages"])})

    async def _push(self, request: web.Request) -> web.Response:
        body = await request.json()
        key = request.headers.get("X-Line-Retry-Key")
        if key is not None and key in self._retry_keys:
            response = _error(409, "The retry key is already accepted")
            response.headers["x-line-accepted-request-id"] = self._retry_keys[key]
            return response
        problem = _check_messages(body.get("messages"))
        if problem is None and not str(body.get("to", "")).startswith(("U", "C", "R")):
            problem = _error(400, "The property, 'to', in the request body is invalid (line: -, column: -)")
        if problem is None and self.push_quota is not None and self._pushed >= self.push_quota:
            problem = _error(429, "You have reached your monthly limit.")
        if problem is not None:
            return problem

        def deliver() -> None:
            self._pushed += 1
            if key is not None:
                self._retry_keys[key] = str(uuid.uuid4())
            self._show(body["to"], body["messages"])

        faulted = await self._faulted("push", request, deliver)
        if faulted is not None:
            return faulted
        deliver()
        return web.json_response({"sentMessages": _sent(body["messages"])})

    async def _profile(self, request: web.Request) -> web.Response:
        user_id = request.match_info["user_id"]
        faulted = await self._faulted("profile", request, lambda: None)
        if faulted is not None:
            return faulted
        if user_id not in self._profiles:
            return _error(404, "Not found")
        return web.json_response({"userId": user_id, "displayName": self._profiles[user_id], "language": "ja"})

    async def _loading(self, request: web.Request) -> web.Response:
        body = await request.json()
        if "chatId" not in body:
            return _error(400, "The request body has 1 error(s)", [{"message": "Must not be null", "property": "chatId"}])
        seconds = body.get("loadingSeconds", 20)
        if not isinstance(seconds, int) or not 5 <= seconds <= 60 or seconds % 5:
            return _error(400, "The request body has 1 error(s)", [{"message": "Invalid value", "property": "loadingSeconds"}])
        faulted = await self._faulted("loading", request, lambda: None)
        if faulted is not None:
            return faulted
        if not str(body["chatId"]).startswith("U"):  # one-to-one chats only
            return _error(400, "The request body has 1 error(s)", [{"message": "Invalid chat id", "property": "chatId"}])
        self.loading_shown.append(body["chatId"])
        return web.json_response({}, status=202)

    async def _mark_as_read(self, request: web.Request) -> web.Response:
        faulted = await self._faulted("mark_as_read", request, lambda: None)
        if faulted is not None:
            return faulted
        read = self._read_tokens.get(str((await request.json()).get("markAsReadToken")))
        if read is None:
            return _error(400, "The request body has 1 error(s)", [{"message": "Invalid token", "property": "markAsReadToken"}])
        chat, message_id = read
        ids = self.sent_ids(chat)
        earlier = self.read_up_to.get(chat)
        if earlier not in ids or message_id not in ids or ids.index(message_id) > ids.index(earlier):
            self.read_up_to[chat] = message_id
        return web.json_response({})

    async def _content(self, request: web.Request) -> web.StreamResponse:
        """The bytes of a file or image a user sent; 404 once LINE no longer keeps it (``contents.pop(id)``)."""
        faulted = await self._faulted("content", request, lambda: None)
        if faulted is not None:
            return faulted
        data = self.contents.get(request.match_info["message_id"])
        if data is None:
            return _error(404, "Not found")
        return web.Response(body=data, content_type="application/octet-stream")

    async def _create_rich_menu(self, request: web.Request) -> web.Response:
        body = await request.json()
        for index, area in enumerate(body.get("areas", [])):
            if len(area.get("action", {}).get("label", "")) > 20:  # the label is also what screen readers say
                return _error(400, "The request body has 1 error(s)",
                              [{"message": "Length must be between 0 and 20", "property": f"areas[{index}].action.label"}])
        rich_menu_id = "richmenu-" + uuid.uuid4().hex
        self._rich_menus[rich_menu_id] = body
        return web.json_response({"richMenuId": rich_menu_id})

    async def _rich_menu_image(self, request: web.Request) -> web.Response:
        return web.json_response({})

    async def _default_rich_menu(self, request: web.Request) -> web.Response:
        rich_menu_id = request.match_info["rich_menu_id"]
        if rich_menu_id not in self._rich_menus:
            return _error(404, "Not found")
        self.default_rich_menu = rich_menu_id
        return web.json_response({})

    def _show(self, user_id: str, messages: list[dict[str, Any]]) -> None:
        self.seen[user_id] += [{"from": "bot", **message} for message in messages]


_STATUS_MESSAGES = {429: "Too Many Requests", 500: "Internal Server Error", 503: "Service Unavailable"}


def _error(status: int, message: str, details: list[dict[str, str]] | None = None) -> web.Response:
    body: dict[str, Any] = {"message": message}
    if details:
        body["details"] = details
    return web.json_response(body, status=status)


def _sent(messages: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [{"id": str(int(time.time() * 1000)), "quoteToken": uuid.uuid4().hex} for _ in messages]


def _check_messages(messages: Any) -> web.Response | None:
    """LINE's own validation: the same 400 answers for the limits the SDK does not check."""
    if not isinstance(messages, list) or not 1 <= len(messages) <= 5:
        return _error(400, "The request body has 1 error(s)", [{"message": "Size must be between 1 and 5", "property": "messages"}])
    details = []
    for index, message in enumerate(messages):
        where = f"messages[{index}]"
        if message.get("type") == "text" and not 1 <= utf16_length(message.get("text", "")) <= 5000:
            details.append({"message": "Length must be between 0 and 5000", "property": f"{where}.text"})
        items = (message.get("quickReply") or {}).get("items", [])
        if len(items) > 13:
            details.append({"message": "Size must be between 0 and 13", "property": f"{where}.quickReply.items"})
        for number, item in enumerate(items):
            action = item.get("action", {})
            if not 1 <= len(action.get("label", "")) <= 20:
                details.append({"message": "Length must be between 0 and 20", "property": f"{where}.quickReply.items[{number}].action.label"})
            if len(action.get("data", "")) > 300:
                details.append({"message": "Length must be between 0 and 300", "property": f"{where}.quickReply.items[{number}].action.data"})
    if details:
        return _error(400, f"The request body has {len(details)} error(s)", details)
    return None
