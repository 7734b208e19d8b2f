"""Checks of dialogs/after_handoff.yaml: statuses and moves that exist, and the placeholders each text may use."""

from __future__ import annotations

from bot.content.loader import AFTER_HANDOFF_FILE, Content, Source
from bot.content.models import MOVE
from bot.content.problems import Problem
from bot.core.text import placeholders
from bot.core.workflow import STATUSES, can_move

# Per text: the placeholders filled in when it is said (besides the facts), and those it must say.
_ALLOWED: dict[tuple[str, ...], tuple[set[str], set[str]]] = {
    ("status", "frame"): ({"reference", "title", "text"}, {"text"}),
    ("status", "personal"): ({"note"}, {"note"}),
    ("returned", "notice"): ({"reference", "title", "message", "fields"}, {"message", "fields"}),
    ("returned", "start"): (set(), set()),
    ("returned", "intro"): ({"reference", "title", "message", "fields"}, {"fields"}),
    ("returned", "field"): ({"label", "value"}, {"label"}),
    ("returned", "not_returned"): ({"fields"}, set()),
    ("returned", "closed"): ({"reference"}, set()),
    ("returned", "resubmitted"): ({"reference", "version"}, set()),
    ("receipt", "subject"): ({"reference"}, {"reference"}),
    ("receipt", "body"): ({"reference", "contact_name", "summary", "next_steps"}, {"reference", "summary"}),
    ("my_proposals", "intro"): (set(), set()),
    ("my_proposals", "line"): ({"reference", "title", "status", "date"}, {"reference"}),
    ("my_proposals", "none"): (set(), set()),
    ("my_proposals", "title"): ({"reference", "version"}, set()),
    ("my_proposals", "footer"): ({"status", "date"}, set()),
    ("my_proposals", "gone"): (set(), set()),
}
_STATUS_TEXT = {"reference", "title"}  # a status message may name these


def after_handoff_checks(content: Content) -> list[Problem]:
    source = next((source for _, source in content.raw_sources if source.file.name == AFTER_HANDOFF_FILE), None)
    if source is None:
        return []
    known = set(content.facts.facts) | set(content.common.channel_words["default"])
    texts = content.after_handoff
    problems: list[Problem] = []
    for path, (allowed, needed) in _ALLOWED.items():
        section = getattr(texts, path[0])
        problems += _placeholders(source.at(*path), getattr(section, path[1]), known | allowed, needed)
    status = texts.status
    for name, text in status.messages.items():
        place = source.at("status", "messages", name)
        if name not in STATUSES:
            problems.append(place.problem(f"unknown status '{name}' (the statuses are {'、'.join(STATUSES)})"))
        problems += _placeholders(place, text or "", known | _STATUS_TEXT, set())
    for move, text in status.transitions.items():
        place = source.at("status", "transitions", move)
        old, _, new = move.partition(MOVE)
        if not can_move(old, new):
            problems.append(place.problem(f"'{move}' is not a move staff can make (write it as 確認中{MOVE}担当課調整中)"))
        problems += _placeholders(place, text or "", known | _STATUS_TEXT, set())
    limit = content.common.max_label_length
    if len(texts.returned.start) > limit:
        problems.append(source.at("returned", "start").problem(f"the button is longer than {limit} characters"))
    return problems


def _placeholders(place: Source, text: str, known: set[str], needed: set[str]) -> list[Problem]:
    used = placeholders(text)
    problems = [
        place.problem_in_text(text, text.index("{" + name + "}"), f"unknown placeholder {{{name}}} here")
        for name in used if name not in known
    ]
    problems += [place.problem(f"must say {{{name}}}") for name in sorted(needed - set(used))]
    return problems
