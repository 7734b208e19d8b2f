"""What happened to a burst, from the database and the emulator: each turn once and in order, each message delivered once."""

from __future__ import annotations

import asyncio
import time
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.burst import Burst
from bot.channels.line.messages import to_batches
from bot.core.messages import REPLIES
from bot.core.state import ConversationState
from bot.emulators.line import LineEmulator
from storage.tables import answered_turns, conversations, inbound_events


@dataclass(frozen=True)
class Tally:
    accepted: int  # events the bot acknowledged with 200
    processed: int  # events whose turn ran (acknowledged or not: a process may die before answering)
    lost: int  # acknowledged, but no turn ran
    duplicates: int  # extra turns for one event
    out_of_order: int  # users whose turns ran in another order than they were sent
    not_done: int  # stored events not marked done (still pending, or given up)
    missing_messages: int  # messages the bot meant to send that the user never got
    extra_messages: int  # messages the user got beyond what the bot meant to send

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


async def not_done(engine: AsyncEngine) -> int:
    query = select(func.count()).select_from(inbound_events).where(inbound_events.c.status != "done")
    async with engine.connect() as connection:
        return int((await connection.execute(query)).scalar_one())


async def settle(engine: AsyncEngine, timeout: float) -> None:
    """Wait (at most ``timeout`` seconds) until every stored event is done."""
    deadline = time.monotonic() + timeout
    while await not_done(engine) and time.monotonic() < deadline:
        await asyncio.sleep(0.25)


def _in_order(ran: list[str], sent: list[str]) -> bool:
    """The user's turns that ran came in the order their events were sent."""
    ran = [text for text in ran if text in sent]
    return ran == [text for text in sent if text in ran]


async def tally(engine: AsyncEngine, burst: Burst, emulator: LineEmulator) -> Tally:
    users = sorted({user for user, _ in burst.questions})
    async with engine.connect() as connection:
        states = (await connection.execute(
            select(conversations.c.user_id, conversations.c.state)
            .where(conversations.c.channel == "line", conversations.c.user_id.in_(users))
        )).all()
        answered = select(answered_turns.c.user_id, answered_turns.c.replies).where(answered_turns.c.channel == "line")
        events = (await connection.execute(answered)).all()
    sent: dict[str, list[str]] = defaultdict(list)
    for (user, _), text in sorted(burst.questions.items()):
        sent[user].append(text)
    # Each user's turns, in the order they ran: the questions its conversation kept (a user's texts differ).
    asked = {user_id: [asked.question for asked in ConversationState.model_validate_json(state).faq_log] for user_id, state in states}
    turns = Counter((user, text) for user, texts in asked.items() for text in texts if text in sent[user])
    meant: Counter[str] = Counter()
    for user_id, replies in events:
        meant[user_id] += sum(len(batch) for batch in to_batches(REPLIES.validate_json(replies)))
    got = Counter({user: sum(message["from"] == "bot" for message in emulator.seen[user]) for user in meant})
    return Tally(
        accepted=len(burst.accepted),
        processed=len(turns),
        lost=sum(1 for user, number in burst.accepted if turns[(user, burst.questions[(user, number)])] == 0),
        duplicates=sum(count - 1 for count in turns.values()),
        out_of_order=sum(1 for user, texts in sent.items() if not _in_order(asked.get(user, []), texts)),
        not_done=await not_done(engine),
        missing_messages=sum((meant - got).values()),
        extra_messages=sum((got - meant).values()),
    )
