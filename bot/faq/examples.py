"""`kyoso check` for intents: every example must be recognised as its own intent by the real matcher.

Each example is matched as a user's line against everything else — with that example
left out of its own intent, as a new line nobody wrote down would be — and reported
(file and line) when another intent, an FAQ entry or an outside topic then ranks above
its own and would be acted on (its confidence reaches the band where the bot answers,
or does what was asked): two intents, or an intent and an FAQ entry, claim the same line.
"""

from __future__ import annotations

from bot.content.loader import Content
from bot.content.problems import Problem
from bot.faq.matcher import FaqIndex


def _acting_band(index: FaqIndex, kind: str) -> float:
    calibration = index.calibration
    return {"faq": calibration.answer, "intent": calibration.intents.sure, "outside": calibration.outside}[kind]


def example_problems(content: Content, index: FaqIndex) -> list[Problem]:
    if content.intents is None or content.intents_source is None:
        return []
    source = content.intents_source
    first_intent = len(content.faq)  # the index holds the FAQ entries first, then the intents
    problems = []
    for number, intent in enumerate(content.intents.intents):
        for position, example in enumerate(intent.examples):
            variant = index.index.leave_out(first_intent + number, position)
            ranked = index.judge(variant.analyse(example)).ranked
            if not ranked or (ranked[0].target.kind, ranked[0].target.id) == ("intent", intent.id):
                continue
            best = ranked[0].target
            if ranked[0].confidence < _acting_band(index, best.kind):
                continue
            what = {"faq": "the FAQ entry", "intent": "intent", "outside": "the outside topic"}[best.kind]
            name = f"'{best.id}'" + (f" ({best.label})" if best.kind != "intent" else "")
            problems.append(source.at("intents", number, "examples", position).problem(
                f"example '{example}' of intent '{intent.id}' is matched better by {what} {name}: "
                "write it the way people ask for this, or move it"
            ))
    return problems
