"""One harness for every channel: build the bot and play the transcripts of tests/transcripts/ through it.

A transcript is data: what the user sends or presses, what the bot must say
(``expect`` / ``expect_not`` are substrings of everything the bot answered,
``choices`` the exact buttons under its last message, ``silent`` that it said
nothing at all, ``max_lines`` how long it may be) and, at the end, what must be
stored. ``now`` sets the clock the conversation starts at (the city's time).

A *player* is a user on one channel: it does what a turn says and returns what
the user saw (:class:`Answer`). :func:`play` checks every turn the same way on
every channel; the players are the core engine itself (:class:`CoreSession`),
LINE (:class:`LinePlayer`, the emulator in front of :class:`LineStack`),
Telegram (:class:`TelegramPlayer`) and the web chat's JSON API (:class:`WebPlayer`).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import aiohttp
import yaml
from aiohttp import web

from bot.app import App, AppOptions, build_app
from bot.channels.line.delivery import DeliveryPolicy
from bot.content.loader import Content
from bot.core import payloads
from bot.core.engine import Engine
from bot.core.messages import REPLIES, Inbound, Outbound, UserKey
from bot.emulators.line import LineEmulator
from bot.emulators.telegram import RateLimits, TelegramEmulator, WebhookPolicy
from bot.faq.matcher import FaqIndex
from bot.ingest.worker import INGEST_RETRY, IngestPolicy
from bot.retry import RetryPolicy
from bot.server.app import INGEST, create_server_app
from bot.settings import REPOSITORY_ROOT, Settings
from bot.staff.passwords import hash_password
from storage.migrate import upgrade
from storage.sql_store import SqlStore, create_engine_for
from tests.helpers import SCRIPTED, FakeClock, serve_locally, visible_text

TRANSCRIPTS = sorted((Path(__file__).parent / "transcripts").glob("*.yaml"))
START = datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
"""When a transcript without ``now`` happens (the city's time)."""

SECRET = "0123456789abcdef0123456789abcdef"
"""The LINE channel secret the emulator signs webhooks with."""
TOKEN = "emulator-access-token"
"""The LINE channel access token the emulator accepts."""
FAST = AppOptions(
    ingest=IngestPolicy(retry=replace(INGEST_RETRY, first_delay=timedelta(milliseconds=50)), sweep_every=0.2),
    # The loading animation only for answers 30 s late (a backlog): a test's calls do not depend on the machine's load.
    line_delivery=DeliveryPolicy(
        retry=RetryPolicy(max_attempts=4, first_delay=timedelta(milliseconds=50)), request_timeout=2.0, loading_after=30.0,
    ),
)
"""Retries and sweeps at test speed."""

FAST_WEBHOOK = WebhookPolicy(retry_delays=(0.05, 0.1, 0.2), request_timeout=2.0)
PATIENT_WEBHOOK = WebhookPolicy(retry_delays=(0.05, 0.1, 0.2), request_timeout=60.0)  # a whole turn runs inside the request
NO_FLOOD = RateLimits(per_chat=1000, per_chat_burst=1000, overall=1000, overall_burst=1000)
"""Telegram without flood control: whole conversations run at test speed."""

PASSWORD = "correct horse battery"
"""The password of the staff accounts tests make."""
PASSWORD_HASH = hash_password(PASSWORD)  # argon2 is slow on purpose: hash once per run


# -- transcripts ---------------------------------------------------------------------------------------------------

ACTIONS = {"start", "send", "press"}
CHECKS = {"expect", "expect_not", "choices"}
PLAYABLE_ON_PLATFORMS = ACTIONS | CHECKS
"""The turns a platform's user can play: ``silent`` and ``max_lines`` are the core's (a platform splits long
messages), restarts and the clock are the core's too."""


def load(path: Path) -> dict[str, Any]:
    script: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return script


def playable_on_platforms(path: Path) -> bool:
    return all(set(turn) <= PLAYABLE_ON_PLATFORMS for turn in load(path)["turns"])


def start_of(script: dict[str, Any]) -> datetime:
    """When the transcript's conversation starts."""
    return datetime.fromisoformat(script["now"]).replace(tzinfo=START.tzinfo) if "now" in script else START


@dataclass
class Answer:
    """What the user saw in answer to one turn."""

    text: str
    """Everything the bot said, as the user reads it."""
    choices: list[str]
    """The labels of the buttons under its last message."""


class Player(Protocol):
    async def act(self, turn: dict[str, Any]) -> Answer | None:
        """Do what the turn says as the user; what they saw (None: the turn sends nothing)."""
        ...


def check(turn: dict[str, Any], answer: Answer, where: str) -> None:
    """Assert what the turn expects the user to see."""
    said = answer.text
    if turn.get("silent"):
        assert said == "", f"{where}: expected no answer, got:\n{said}"
    for expected in turn.get("expect", []):
        assert str(expected) in said, f"{where}: expected {expected!r} in:\n{said}"
    for unexpected in turn.get("expect_not", []):
        assert str(unexpected) not in said, f"{where}: did not expect {unexpected!r} in:\n{said}"
    if "max_lines" in turn:
        assert len(said.splitlines()) <= turn["max_lines"], f"{where}: longer than {turn['max_lines']} lines:\n{said}"
    if "choices" in turn:
        assert answer.choices == [str(label) for label in turn["choices"]], f"{where}: buttons were {answer.choices}"


async def play(player: Player, turns: list[dict[str, Any]], where: str = "turn") -> Answer | None:
    """Play the turns and check each; what the user saw last."""
    answer: Answer | None = None
    for number, turn in enumerate(turns, start=1):
        answer = await player.act(turn)
        if answer is not None:
            check(turn, answer, f"{where} {number}")
    return answer


async def play_transcript(player: Player, path: Path) -> dict[str, Any]:
    """Play a whole transcript; returns the script (for its ``stored`` part)."""
    script = load(path)
    await play(player, script["turns"], f"{path.name} turn")
    return script


async def check_stored(store: SqlStore, expected: dict[str, Any], channel: str, user_id: str | None = None) -> None:
    """The transcript's ``stored`` part: the one draft kept, whose it is, what it holds."""
    stored = await store.get_draft(expected["reference"])
    assert stored is not None, f"no draft {expected['reference']} was stored"
    assert stored.user.channel == channel and user_id in (None, stored.user.user_id), stored.user
    draft = stored.draft.model_dump()
    for name, value in expected.get("draft", {}).items():
        assert draft[name] == value, f"stored {name} is {draft[name]!r}, expected {value!r}"
    if "faq_log" in expected:
        assert [asked.question for asked in stored.faq_log] == expected["faq_log"]
    if "consent_version" in expected:
        assert stored.consent.notice_version == expected["consent_version"]
    assert [d.reference for d in await store.list_drafts()] == [expected["reference"]]


# -- the core ------------------------------------------------------------------------------------------------------

CORE_USER = UserKey(channel="test", user_id="proposer-1")


class CoreSession:
    """The engine on a test database, played directly; it can be 'restarted' (a new process) mid-transcript."""

    def __init__(self, content: Content, faq: FaqIndex, database_url: str, clock: FakeClock) -> None:
        self.content, self.faq, self.database_url, self.clock = content, faq, database_url, clock
        self.store: SqlStore | None = None
        self.engine: Engine | None = None
        self.replies: list[Outbound] = []

    async def start(self) -> None:
        await upgrade(self.database_url)
        self.store = SqlStore(create_engine_for(self.database_url))
        self.engine = Engine(
            self.content, self.store, self.faq, self.clock, reply_channels={CORE_USER.channel}, limit=SCRIPTED
        )

    async def restart(self) -> None:
        await self.close()
        await self.start()

    async def close(self) -> None:
        if self.store is not None:
            await self.store.close()

    async def act(self, turn: dict[str, Any]) -> Answer | None:
        if turn.get("restart_engine"):
            await self.restart()
        if "advance_hours" in turn:
            self.clock.advance(turn["advance_hours"])
        inbound = self._inbound(turn)
        if inbound is None:
            return None
        assert self.engine is not None
        self.replies = await self.engine.handle(inbound)
        return Answer(visible_text(self.replies), [choice.label for choice in self.replies[-1].choices] if self.replies else [])

    def _inbound(self, turn: dict[str, Any]) -> Inbound | None:
        if turn.get("start"):
            return Inbound(user=CORE_USER, payload=payloads.COMMAND + "resume")
        if "send" in turn:
            return Inbound(user=CORE_USER, text=str(turn["send"]))
        if "send_repeated" in turn:
            return Inbound(user=CORE_USER, text=turn["send_repeated"]["text"] * turn["send_repeated"]["times"])
        if "press" in turn:
            return Inbound(user=CORE_USER, payload=self._payload_of(str(turn["press"])))
        return None

    def _payload_of(self, label: str) -> str:
        offered = self.replies[-1].choices if self.replies else []
        for choice in offered:
            if choice.label == label:
                return choice.payload
        raise AssertionError(f"no button '{label}' was offered; offered: {[c.label for c in offered]}")


async def play_on_core(path: Path, content: Content, faq: FaqIndex, database_url: str, session_type: type[CoreSession] | None = None) -> None:
    """Play the transcript at ``path`` against the core (``session_type``: a CoreSession that reads more of a turn)."""
    script = load(path)
    session = (session_type or CoreSession)(content, faq, database_url, FakeClock(start_of(script)))
    await session.start()
    try:
        await play(session, script["turns"], f"{path.name} turn")
        if "stored" in script:
            assert session.store is not None
            await check_stored(session.store, script["stored"], CORE_USER.channel, CORE_USER.user_id)
    finally:
        await session.close()


# -- LINE ----------------------------------------------------------------------------------------------------------


@dataclass
class LineStack:
    """The LINE emulator plus a (re)startable bot server (`kyoso serve`'s app, the real SDK client) on one database."""

    database_url: str
    emulator: LineEmulator
    runner: web.AppRunner | None = None
    app: App | None = None
    started: list[web.Application] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)  # more Settings for the next start()

    async def start(self, options: AppOptions = FAST) -> None:
        settings = Settings(
            database_url=self.database_url,
            content_dir=REPOSITORY_ROOT,
            LINE_CHANNEL_SECRET=SECRET,
            LINE_CHANNEL_ACCESS_TOKEN=TOKEN,
            LINE_API_BASE_URL=self.emulator.url,
            **self.settings,
        )
        self.app = await build_app(settings, options)
        server = create_server_app(self.app)
        self.runner, url = await serve_locally(server)
        self.emulator.webhook_url = f"{url}/webhooks/line"
        self.started.append(server)

    async def stop(self) -> None:
        """Stop the server as a dying process would: unfinished work stays in the database only."""
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None
        if self.app is not None:
            await self.app.close()
            self.app = None

    @property
    def base_url(self) -> str:
        return self.emulator.webhook_url.removesuffix("/webhooks/line")

    async def staff_page(self, path: str, name: str = "sato") -> str:
        """A staff member (made if new) logs in to the console and opens ``path``; the page's HTML."""
        assert self.app is not None
        await add_staff(self.app, name)
        async with aiohttp.ClientSession(base_url=self.base_url, cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:
            await post_form(browser, "/staff/login", {"name": name, "password": PASSWORD})
            shown = await browser.get(path)
            assert shown.status == 200, (path, shown.status)
            return await shown.text()

    async def settled(self) -> None:
        """Wait until the server has handled and delivered everything it was sent."""
        await self.started[-1][INGEST].idle()

    def player(self, user_id: str) -> LinePlayer:
        assert self.app is not None
        return LinePlayer(self.emulator, user_id, self.settled, self.app.content.common.messages.numbered_hint)


def line_settings(database_url: str, emulator: LineEmulator, **more: Any) -> Settings:
    """`kyoso serve`'s settings for LINE through the emulator, with the staff console's session secret."""
    return Settings(
        database_url=database_url, content_dir=REPOSITORY_ROOT, session_secret="s" * 40, faq_embeddings=False,
        LINE_CHANNEL_SECRET=SECRET, LINE_CHANNEL_ACCESS_TOKEN=TOKEN, LINE_API_BASE_URL=emulator.url, **more,
    )


def line_emulator() -> LineEmulator:
    """The emulator of LINE's platform, knowing our channel (``async with`` starts and closes it)."""
    return LineEmulator(channel_secret=SECRET, access_token=TOKEN)


class LinePlayer:
    """A LINE user in the emulator: follows (``start``), types, and taps the quick replies the bot offered.

    ``settle`` waits until the bot has answered; ``replace`` swaps texts the transcript sends for others. On LINE
    the last message also lists its answers as numbered lines under ``numbered_hint`` (for LINE on a PC, which
    shows no quick replies): that list is the buttons written out, so the answer's text stops before it and
    the buttons are checked as ``choices``, as on every channel."""

    def __init__(self, emulator: LineEmulator, user_id: str, settle: Callable[[], Awaitable[None]],
                 numbered_hint: str | None = None, replace: dict[str, str] | None = None) -> None:
        self.emulator, self.user_id, self.settle = emulator, user_id, settle
        self.numbered_hint, self.replace = numbered_hint, replace or {}

    async def act(self, turn: dict[str, Any]) -> Answer:
        before = len(self.emulator.texts(self.user_id))
        if turn.get("start"):
            status = await self.emulator.follow(self.user_id)
        elif "send" in turn:
            text = str(turn["send"])
            status = await self.emulator.type(self.user_id, self.replace.get(text, text))
        else:
            status = await self.emulator.tap(self.user_id, str(turn["press"]))
        assert status == 200, f"the webhook answered {status}"
        await self.settle()
        said = "\n".join(self.emulator.texts(self.user_id)[before:])
        if self.numbered_hint is not None:
            said = said.rsplit(f"\n\n{self.numbered_hint}\n", 1)[0]
        return Answer(said, [item["action"]["label"] for item in self.emulator.quick_replies(self.user_id)])


# -- Telegram ------------------------------------------------------------------------------------------------------

TelegramSettle = Callable[[dict[str, Any]], Awaitable[None]]
"""Waits until the bot has answered the given update."""


class TelegramPlayer:
    """A Telegram user of the emulator: ``/start``, typing, and pressing the inline buttons offered.

    Every press is answered (``answerCallbackQuery``), or the button would keep spinning."""

    def __init__(self, platform: TelegramEmulator, settle: TelegramSettle, chat_id: int = 1001) -> None:
        self.platform, self.settle, self.chat_id = platform, settle, chat_id

    async def act(self, turn: dict[str, Any]) -> Answer:
        before, answered = len(self.platform.sent_to(self.chat_id)), len(self.platform.answers)
        if turn.get("start"):
            update = await self.platform.user_sends("/start", user_id=self.chat_id)
        elif "send" in turn:
            update = await self.platform.user_sends(str(turn["send"]), user_id=self.chat_id)
        else:
            update = await self.platform.user_presses(str(turn["press"]), user_id=self.chat_id)
        await self.settle(update)
        if "press" in turn:
            assert len(self.platform.answers) == answered + 1, f"the press of {turn['press']!r} was not answered"
        messages = self.platform.sent_to(self.chat_id)[before:]
        return Answer("\n".join(message.text for message in messages), [button.text for button in messages[-1].buttons] if messages else [])


# -- the web chat --------------------------------------------------------------------------------------------------


@dataclass
class WebChat:
    """A running server (its composition root and URL) for visitors of the web chat."""

    app: App
    url: str


class WebPlayer:
    """A visitor of the web chat over its JSON API (``POST /api/chat``); their cookie stays in ``http``.

    ``messages`` holds the last answer as the page receives it."""

    def __init__(self, http: aiohttp.ClientSession, url: str) -> None:
        self.http, self.url = http, url
        self.messages: list[dict[str, Any]] = []

    async def act(self, turn: dict[str, Any]) -> Answer:
        if turn.get("start"):
            body: dict[str, Any] = {"start": True}
        elif "send" in turn:
            body = {"text": str(turn["send"])}
        else:
            offered = {choice["label"]: choice["payload"] for choice in self.messages[-1]["choices"]} if self.messages else {}
            assert str(turn["press"]) in offered, f"no button {turn['press']!r}; offered: {list(offered)}"
            body = {"payload": offered[str(turn["press"])]}
        async with self.http.post(f"{self.url}/api/chat", json=body) as response:
            assert response.status == 200, await response.text()
            self.messages = (await response.json())["messages"]
        said = visible_text(REPLIES.validate_python(self.messages))
        return Answer(said, [choice["label"] for choice in self.messages[-1]["choices"]] if self.messages else [])


async def play_over_web(http: aiohttp.ClientSession, url: str, turns: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A visitor plays transcript turns over the web chat (cookie in ``http``); the last turn's messages."""
    player = WebPlayer(http, url)
    await play(player, turns, "web turn")
    return player.messages


# -- staff ---------------------------------------------------------------------------------------------------------


async def add_staff(app: App, name: str = "sato") -> None:
    """A staff account ``name`` with the password ``PASSWORD``, ready to log in."""
    accounts, now = app.staff.services.accounts, app.clock.now()
    await accounts.add_user(name, PASSWORD_HASH, now)
    await accounts.set_password(name, PASSWORD_HASH, temporary=False, now=now)


async def post_form(browser: aiohttp.ClientSession, path: str, data: dict[str, str], form_page: str | None = None) -> None:
    """Submit a console form as a browser does: the CSRF token from the page showing it (``form_page``, else
    ``path``), then the POST, which must redirect (303)."""
    form = await (await browser.get(form_page or path)).text()
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token, f"no CSRF token on {form_page or path}"
    response = await browser.post(path, data={**data, "csrf_token": token.group(1)}, allow_redirects=False)
    assert response.status == 303, await response.text()
