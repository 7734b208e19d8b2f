"""The insights page's figures: what the bot was used for, per channel and per week or month, counted from what is stored.

The request names a span of Japan dates (both days included), weeks (from Monday) or months, and
optionally one channel; the figures are counts (and shares and a median), never a person.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bot.content.loader import Content
from bot.content.models import ASKING_STEPS, SubmitStep
from bot.core import usage
from bot.core.text import render
from bot.handoff.render import STAFF_TIMEZONE, channel_label
from bot.staff.dates import BadDate, day_start, typed_day
from storage.usage import Used

MAX_DAYS = 731  # two years: a longer span is refused (the page would be too long to read)
DEFAULT_WEEKS = 12
UNITS = {"week": "週", "month": "月"}
ALL = ""  # the column of every channel together

# (metric, label) in the order of the tables and the CSV.
USE = [
    ("started", "会話の開始"),
    ("criteria", "5つの条件チェックの完了"),
    ("criteria_not_met", "うち満たしていない条件あり"),
    ("criteria_unclear", "うちはっきりしない条件あり"),
    ("draft_started", "下書きの開始"),
    ("submitted", "下書きの送信"),
]
FAQ = [
    ("faq", "文章での質問"),
    ("faq_answered", "そのまま回答"),
    ("faq_suggested", "候補を示した（もしかして）"),
    ("faq_unanswered", "答えが見つからなかった"),
    ("none_fits", "候補に「どれでもない」"),
]
RATES = [("faq_answered", "そのまま回答の割合"), ("faq_suggested", "候補を示した割合"), ("faq_unanswered", "答えなしの割合")]
CONSULT = [
    ("consultations", "担当者への相談"),
    ("taken", "うち職員が対応した"),
    ("minutes_to_take", "対応までの時間（中央値・分）"),
]
LABELS = dict(USE + FAQ + CONSULT)


class BadQuery(ValueError):
    """The query names no readable span: the message says what to change."""


@dataclass(frozen=True)
class Query:
    since: date
    until: date  # included
    unit: str  # week / month
    channel: str  # ALL: every channel

    def params(self) -> dict[str, str]:
        return {"from": self.since.isoformat(), "to": self.until.isoformat(), "by": self.unit, "channel": self.channel}

    def start(self) -> datetime:
        return day_start(self.since)

    def end(self) -> datetime:
        return day_start(self.until + timedelta(days=1))


def read_query(query: Mapping[str, str], today: date, channels: Iterable[str]) -> Query:
    """The span asked for (by default the last 12 weeks, by week); :class:`BadQuery` says what is wrong."""

    try:
        until = typed_day(query, "to", "終了日") or today
        since = typed_day(query, "from", "開始日") or until - timedelta(weeks=DEFAULT_WEEKS) + timedelta(days=1)
    except BadDate as error:
        raise BadQuery(str(error)) from None
    if since > until:
        raise BadQuery("開始日が終了日より後になっています。開始日は終了日と同じか、それより前にしてください。")
    if (until - since).days + 1 > MAX_DAYS:
        raise BadQuery(f"期間は{MAX_DAYS}日（2年）以内にしてください。")
    unit = query.get("by", "week") or "week"
    if unit not in UNITS:
        raise BadQuery("集計の単位は「週」か「月」を選んでください。")
    channel = query.get("channel", ALL)
    if channel != ALL and channel not in channels:
        raise BadQuery(f"経路「{channel}」はありません。")
    return Query(since, until, unit, channel)


@dataclass(frozen=True)
class Period:
    start: date
    label: str


@dataclass(frozen=True)
class DraftStep:
    ref: str
    label: str


@dataclass
class Figures:
    query: Query
    periods: list[Period]
    channels: list[str]  # the channels shown as columns (one when the query names one)
    steps: list[DraftStep]  # the draft form's questions, in order
    # (metric, period start or None for the whole span, channel or ALL) -> value
    values: dict[tuple[str, date | None, str], float] = field(default_factory=dict)
    # (step ref, channel or ALL) -> conversations that reached the question, over the whole span
    reached: dict[tuple[str, str], int] = field(default_factory=dict)
    # FAQ entry -> {"answered": typed questions it answered, "yes"/"no": 役に立ちましたか？}, over the whole span
    entries: dict[str, Counter[str]] = field(default_factory=dict)
    entry_labels: dict[str, str] = field(default_factory=dict)

    def get(self, metric: str, period: date | None = None, channel: str = ALL) -> float:
        return self.values.get((metric, period, channel), 0)

    def rate(self, metric: str, period: date | None = None, channel: str = ALL) -> float | None:
        """The share (%) of typed questions with this outcome; None when none was asked."""
        asked = self.get("faq", period, channel)
        return None if not asked else round(100 * self.get(metric, period, channel) / asked, 1)

    def has_median(self, period: date | None = None, channel: str = ALL) -> bool:
        return ("minutes_to_take", period, channel) in self.values


def period_start(day: date, unit: str) -> date:
    return day - timedelta(days=day.weekday()) if unit == "week" else day.replace(day=1)


def _periods(query: Query) -> list[Period]:
    periods, start = [], period_start(query.since, query.unit)
    while start <= query.until:
        if query.unit == "week":
            periods.append(Period(start, f"{start:%Y/%m/%d}〜"))
            start += timedelta(weeks=1)
        else:
            periods.append(Period(start, f"{start.year}年{start.month}月"))
            start = (start + timedelta(days=32)).replace(day=1)
    return periods


def draft_steps(content: Content) -> list[DraftStep]:
    """The questions of the dialog that submits a draft, in the file's order, each labelled by its first line."""
    forms = {ref.split(".")[0] for ref, step in content.steps.items() if isinstance(step, SubmitStep)}
    steps = []
    for form in forms:
        for step in content.dialogs[form].steps:
            if isinstance(step, ASKING_STEPS):
                text = getattr(step, "text", None) or getattr(step, "title", None) or step.id
                first = render(text, content.facts.facts).strip().splitlines()[0]
                steps.append(DraftStep(f"{form}.{step.id}", first if len(first) <= 40 else first[:39] + "…"))
    return steps


def figures(query: Query, used: Used, content: Content) -> Figures:
    channels = sorted({channel for channel, _ in used.events} | {c for c, _ in used.submitted} | {c for c, *_ in used.consulted})
    if query.channel != ALL:
        channels = [query.channel]
    result = Figures(query, _periods(query), channels, draft_steps(content))
    counts: Counter[tuple[str, date | None, str]] = Counter()
    waits: defaultdict[tuple[date | None, str], list[float]] = defaultdict(list)
    reached: Counter[tuple[str, str]] = Counter()
    entries: defaultdict[str, Counter[str]] = defaultdict(Counter)

    def count(metric: str, at: datetime, channel: str) -> None:
        start = period_start(at.astimezone(STAFF_TIMEZONE).date(), query.unit)
        for period in (start, None):
            for column in (channel, ALL):
                counts[metric, period, column] += 1

    for channel, event in used.events:
        if channel not in channels:
            continue
        for metric in _metrics(event):
            count(metric, event.at, channel)
        if event.kind == usage.STEP and event.subject:
            reached[event.subject, channel] += 1
            reached[event.subject, ALL] += 1
        if event.subject and (event.kind == usage.FEEDBACK or (event.kind == usage.FAQ and event.outcome == "answered")):
            entries[event.subject]["answered" if event.kind == usage.FAQ else str(event.outcome)] += 1
    for channel, submitted_at in used.submitted:
        if channel in channels:
            count("submitted", submitted_at, channel)
            reached["submitted", channel] += 1
            reached["submitted", ALL] += 1
    for channel, opened_at, taken_at in used.consulted:
        if channel not in channels:
            continue
        count("consultations", opened_at, channel)
        if taken_at is not None:
            count("taken", opened_at, channel)
            start = period_start(opened_at.astimezone(STAFF_TIMEZONE).date(), query.unit)
            for key in ((start, channel), (start, ALL), (None, channel), (None, ALL)):
                waits[key].append((taken_at - opened_at).total_seconds() / 60)
    result.values.update(counts)
    for (period, channel), minutes in waits.items():
        result.values["minutes_to_take", period, channel] = round(statistics.median(minutes), 1)
    result.reached = dict(reached)
    result.entries = dict(sorted(entries.items(), key=lambda item: (-item[1]["no"], -sum(item[1].values()), item[0])))
    result.entry_labels = {entry.id: entry.label for entry in content.faq}
    return result


def _metrics(event: usage.UsageEvent) -> list[str]:
    if event.kind == usage.CRITERIA:
        return ["criteria", *(["criteria_not_met"] if event.outcome == "not_met" else []),
                *(["criteria_unclear"] if event.outcome == "unclear" else [])]
    if event.kind == usage.FAQ:
        return ["faq", f"faq_{event.outcome}"]
    if event.kind in (usage.STARTED, usage.DRAFT_STARTED, usage.NONE_FITS):
        return [event.kind]
    return []


def channel_name(channel: str) -> str:
    return "すべての経路" if channel == ALL else channel_label(channel)
