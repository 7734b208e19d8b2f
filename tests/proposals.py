"""Submitted drafts for the staff-side tests: built by hand, or submitted through the core engine."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import yaml

from bot.content.loader import Content
from bot.core import payloads
from bot.core.draft import ConsentRecord, DraftProposal, FaqAsked, Submission
from bot.core.engine import Engine
from bot.core.messages import Inbound, Outbound, UserKey
from bot.faq.live import build_index
from storage.sql_store import SqlStore
from tests.helpers import SCRIPTED, FakeClock

JST = timezone(timedelta(hours=9))
HAPPY_PATH = Path(__file__).parent / "transcripts" / "happy_path.yaml"
ALICE = UserKey(channel="line", user_id="U-alice")


def make_submission(
    user: UserKey = ALICE,
    submitted_at: datetime = datetime(2026, 11, 25, 10, 30, tzinfo=JST),
    **draft: str,
) -> Submission:
    fields = {
        "org_name": "まちづくりNPO", "org_type": "npo", "contact_name": "山田花子",
        "email": "hanako@example.org", "proposal_type": "theme", "theme": "通常の行政課題",
        "title": "公園で子ども食堂", "problem": "放課後の居場所が足りない", "solution": "週1回の食堂を開く",
        "roles_org": "運営", "roles_city": "場所の提供", "expected_results": "参加者月100人",
        "cost": "年50万円", "funding_wish": "yes",
    }
    return Submission(
        user=user,
        draft=DraftProposal.model_validate({**fields, **draft}),
        criteria={"c1": "yes", "c2": "unknown"},
        consent=ConsentRecord(notice_version="2026-11-1", agreed_at=submitted_at - timedelta(minutes=2)),
        faq_log=[
            FaqAsked(question="締め切りはいつですか", faq_id=None, outcome="unanswered",
                     asked_at=submitted_at - timedelta(minutes=5)),
        ],
        submitted_at=submitted_at,
    )


async def submit(store: SqlStore, submission: Submission) -> str:
    async with store.turn(submission.user) as turn:
        return await turn.submit(submission)


async def submit_through_engine(
    content: Content, store: SqlStore, user: UserKey, clock: FakeClock, replace: dict[str, str] | None = None
) -> list[Outbound]:
    """Play the happy-path transcript as ``user`` (its typed texts optionally replaced); return the last replies."""
    engine = Engine(content, store, build_index(content, None), clock, limit=SCRIPTED)
    _, replies = await play_happy_path(engine, user, replace)
    return replies


async def play_happy_path(
    engine: Engine, user: UserKey, replace: dict[str, str] | None = None
) -> tuple[list[Inbound], list[Outbound]]:
    """Play the happy-path transcript as ``user``: what the user sent (the first is the start), and the last replies."""
    sent: list[Inbound] = []
    replies: list[Outbound] = []
    for turn in yaml.safe_load(HAPPY_PATH.read_text(encoding="utf-8"))["turns"]:
        if turn.get("start"):
            inbound = Inbound(user=user, payload=payloads.COMMAND + "resume")
        elif "send" in turn:
            text = str(turn["send"])
            inbound = Inbound(user=user, text=(replace or {}).get(text, text))
        else:
            label = str(turn["press"])
            payload = next(choice.payload for choice in replies[-1].choices if choice.label == label)
            inbound = Inbound(user=user, payload=payload)
        sent.append(inbound)
        replies = await engine.handle(inbound)
    return sent, replies
