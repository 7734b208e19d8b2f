"""What users would see for the project's own question sets, with a given calibration.

Shared by bench/faq_calibrate.py (which fits on the tuning parts) and bench/faq_report.py
(which reports both parts with the calibration the bot uses). A line goes through the
same decision as in the bot (``bot.core.understanding.decide``) at the step it is typed
at, with the matcher's reading of it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.content.loader import Content
from bot.core import payloads
from bot.core.intents import find_intent, named_actions
from bot.core.ports import Reading
from bot.core.understanding import Decision, decide, named
from bot.faq.hybrid import Analysis
from bot.faq.matcher import Calibration, FaqIndex, Judged, reading

REPOSITORY = Path(__file__).resolve().parent.parent
QUESTIONS = REPOSITORY / "tests" / "faq" / "questions.yaml"
PHRASINGS = REPOSITORY / "tests" / "intents" / "phrasings.yaml"
# More tuning lines, from blind sets whose authors never saw the project's files (each file says it is for tuning).
MORE_TUNING = {QUESTIONS: [REPOSITORY / "tests" / "faq" / "tune3.yaml"], PHRASINGS: [REPOSITORY / "tests" / "intents" / "tune3.yaml"]}
# Answers already given when a phrasing is typed mid-form (the decision only asks whether there are any).
FILLED = {"org_name": "テスト団体"}


@dataclass(frozen=True)
class Question:
    text: str
    wanted: tuple[str, ...]  # the FAQ entries that answer it (any of them is right), or none: outside the window


@dataclass(frozen=True)
class Phrasing:
    at: str
    text: str
    wanted: tuple[str, ...]  # intent ids, "answer", "faq:ENTRY"


def questions(part: str, path: Path = QUESTIONS) -> list[Question]:
    return [Question(item["q"], _listed(item["id"])) for item in _items(part, path)]


def phrasings(part: str, path: Path = PHRASINGS) -> list[Phrasing]:
    return [Phrasing(item["at"], item["say"], _listed(item["want"])) for item in _items(part, path)]


def _items(part: str, path: Path) -> list[dict[str, Any]]:
    """The part's items in ``path`` and, for the tune part, in the files of more tuning lines beside it."""
    paths = [path, *(MORE_TUNING.get(path, []) if part == "tune" else [])]
    return [item for one in paths for item in yaml.safe_load(one.read_text(encoding="utf-8"))[part]]


def _listed(value: str | list[str] | None) -> tuple[str, ...]:
    return () if value is None else tuple(value) if isinstance(value, list) else (value,)


def faq_outcome(found: Reading, wanted: tuple[str, ...]) -> str:
    """right / wrong / suggested / unknown / outside, for an in-scope question (any entry it names is right);
    out_* for the others."""
    match = found.faq
    if not wanted:
        if match.answer:
            return "out_answered"
        return "out_suggested" if match.suggestions else "out_outside" if found.outside else "out_unknown"
    if match.answer:
        return "right" if match.answer.entry_id in wanted else "wrong"
    if match.suggestions:
        return "suggested" if set(wanted) & {hit.entry_id for hit in match.suggestions} else "suggested_wrong"
    return "outside" if found.outside else "unknown"


def faq_counts(judged: Sequence[Judged], items: Sequence[Question], calibration: Calibration) -> Counter[str]:
    return Counter(faq_outcome(reading(one, calibration), item.wanted) for one, item in zip(judged, items, strict=True))


def action(content: Content, decision: Decision) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """What the bot does with the line: ("do" or "ask", the action(s) it does or asks about, the intents it
    offers as buttons beside an FAQ answer or "did you mean" — the one it thinks the line may mean, and
    those the answer names in 「」, which the bot turns into buttons)."""
    if decision.kind == "option" and decision.option is not None:
        option = decision.option.option
        if option.faq:
            return "do", (f"faq:{option.faq}",), ()
        intents = content.intents.intents if content.intents else []
        named = [intent.id for intent in intents if intent.option == option.value or (option.command and intent.command == option.command)]
        return "do", (named[0] if named else "answer",), ()
    if decision.kind in ("answer", "invalid"):
        return "do", (decision.kind,), ()
    if decision.kind == "confirm_answer":
        return "ask", ("answer",), ()  # 「「はい」とお答えいただきました。この内容で受け付けますか？」
    if decision.kind in ("intent", "ask_intent") and decision.intent:
        return "do" if decision.kind == "intent" else "ask", (decision.intent,), ()
    found = decision.reading
    offered = (decision.offer,) if decision.offer else ()
    if found.faq.answer:
        return "do", (f"faq:{found.faq.answer.entry_id}",), offered + _named_intents(content, found.faq.answer.answer)
    if found.faq.suggestions:
        return "ask", tuple(f"faq:{hit.entry_id}" for hit in found.faq.suggestions), offered
    return "do", ("outside",) if found.outside else ("unknown",), ()


def _named_intents(content: Content, text: str) -> tuple[str, ...]:
    """The intents whose action the text names in 「」 (bot.core.intents.named_actions: they become buttons)."""
    intents = content.intents.intents if content.intents else []
    found = []
    for choice in named_actions(content, text):
        prefix, value = payloads.split(choice.payload)
        found += [intent.id for intent in intents
                  if (prefix == payloads.COMMAND and intent.command == value) or (prefix == payloads.MENU_ITEM and intent.option == value)]
    return tuple(found)


def phrasing_outcome(content: Content, item: Phrasing, judged: Judged, calibration: Calibration) -> str:
    """right / asked_right (one はい or button away) / wrong_asked / wrong; flow_* when a negative starts a request
    (or is asked 「…しますか？」), answer_* when an answer to the current question is taken for a request (or asked about).
    A button offered beside an FAQ answer starts nothing: a negative answered right with one is right."""
    step = content.step(item.at)
    values = dict(FILLED) if item.at.split(".")[0] != "main" else {}
    command = named(item.text, content.common.commands)  # a command's exact words come first, as in the bot
    offered: tuple[str, ...] = ()
    if command is not None:
        intents = content.intents.intents if content.intents else []
        kind, done = "do", (next((intent.id for intent in intents if intent.command == command), command),)
    else:
        kind, done, offered = action(content, decide(content, step, values, item.text, lambda _: reading(judged, calibration)))
    negative = all(want.startswith("faq:") for want in item.wanted)
    if kind == "do" and done[0] in item.wanted:
        return "right"
    if (kind == "ask" and set(done) & set(item.wanted)) or set(offered) & set(item.wanted):
        return "asked_right"
    if negative and find_intent(content, done[0]) is not None:
        return "flow_started" if kind == "do" else "flow_asked"
    if item.wanted == ("answer",) and find_intent(content, done[0]) is not None:
        return "answer_taken" if kind == "do" else "answer_asked"  # an answer taken for a request
    return "wrong" if kind == "do" else "wrong_asked"


def phrasing_counts(content: Content, judged: Sequence[Judged], items: Sequence[Phrasing], calibration: Calibration) -> Counter[str]:
    return Counter(phrasing_outcome(content, item, one, calibration) for one, item in zip(judged, items, strict=True))


def judge_all(index: FaqIndex, analyses: Sequence[Analysis], calibration: Calibration) -> list[Judged]:
    return [index.judge(analysis, calibration) for analysis in analyses]


def summary(counts: Counter[str], total: int) -> dict[str, Any]:
    return {name: counts[name] for name in sorted(counts)} | {"of": total}
