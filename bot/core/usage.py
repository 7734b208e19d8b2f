"""What a turn did, counted for staff (the console's insights page): anonymous usage events.

They are read off the conversation state before and after the turn, so the dialog itself needs no
bookkeeping but a list of the steps counted (``ConversationState.reached``). An event names no user
and holds nothing the user typed: a kind, a step or FAQ entry id, an outcome, the channel and the
time. A step counts once per conversation (until it starts again: a restart, a submission and a
deletion start a new state), so going back, editing or coming back later to the draft does not
count it twice: the counts per step show where people stop.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.content.loader import Content
from bot.content.models import ReportStep, SubmitStep
from bot.core.state import ConversationState

STARTED = "started"  # a conversation began (a first message, or the first after a deletion)
STEP = "step"  # a question of the dialog asked for the first time in the conversation (subject: its step ref)
DRAFT_STARTED = "draft_started"  # the first question of the form that submits a draft
CRITERIA = "criteria"  # the criteria walk's report was given (outcome: met / not_met / unclear)
FAQ = "faq"  # a typed question (outcome: answered / suggested / unanswered; subject: the entry answered)
NONE_FITS = "none_fits"  # どれでもない after the "did you mean" suggestions
FEEDBACK = "feedback"  # 役に立ちましたか？ answered (subject: the entry; outcome: yes / no), recorded by the conversation


@dataclass(frozen=True)
class UsageEvent:
    kind: str
    at: datetime
    subject: str | None = None
    outcome: str | None = None


@dataclass(frozen=True)
class Snapshot:
    """The little of a state that the events are read from (taken before the turn changes it in place)."""

    step: str | None
    history: tuple[str, ...]
    faq: dict[tuple[str, datetime], str]  # (question, asked_at) -> outcome


def snapshot(state: ConversationState) -> Snapshot:
    return Snapshot(
        step=state.step, history=tuple(state.history),
        faq={(asked.question, asked.asked_at): asked.outcome for asked in state.faq_log},
    )


def criteria_outcome(step: ReportStep, values: dict[str, str]) -> str:
    """met: every criterion met; not_met: at least one is not; unclear: none is not met but some are unclear."""
    answers = [values.get(item.field, "") for item in step.items]
    if all(answer == step.met_value for answer in answers):
        return "met"
    return "not_met" if step.not_met_value in answers else "unclear"


def usage_events(content: Content, before: Snapshot, after: ConversationState, now: datetime) -> list[UsageEvent]:
    """What the turn did; the steps it counts are marked in ``after`` (so a step counts once a conversation)."""
    events: list[UsageEvent] = []
    if before.step is None and after.step is not None:
        events.append(UsageEvent(STARTED, now))
    events += _steps(content, after, now)
    for asked in after.faq_log:
        earlier = before.faq.get((asked.question, asked.asked_at))
        if earlier is None:
            events.append(UsageEvent(FAQ, now, subject=asked.faq_id, outcome=asked.outcome))
        elif earlier == "suggested" and asked.outcome == "unanswered":
            events.append(UsageEvent(NONE_FITS, now))
    return events


def _steps(content: Content, after: ConversationState, now: datetime) -> list[UsageEvent]:
    """The asked steps not counted yet in this conversation (``after.reached``, which this marks)."""
    counted = set(after.reached)
    new = [ref for ref in dict.fromkeys(after.history) if ref not in counted]
    if not new:
        return []
    forms = {ref.split(".")[0] for ref, step in content.steps.items() if isinstance(step, SubmitStep)}
    reports = {step.next: step for step in content.steps.values() if isinstance(step, ReportStep)}
    in_form_before = any(ref.split(".")[0] in forms for ref in counted)
    events = []
    for ref in new:
        if ref.split(".")[0] in forms and not in_form_before:
            events.append(UsageEvent(DRAFT_STARTED, now))
            in_form_before = True
        events.append(UsageEvent(STEP, now, subject=ref))
        if ref in reports:
            events.append(UsageEvent(CRITERIA, now, outcome=criteria_outcome(reports[ref], after.values)))
    after.reached += new
    return events
