"""Cross-checks that need all content files at once: references, reachability, fields, limits."""

from __future__ import annotations

import typing
from collections.abc import Iterator

from bot.content.after_handoff_checks import after_handoff_checks
from bot.content.choices import choice_options, menu_options
from bot.content.documents import PLACEHOLDERS as DOCUMENT_PLACEHOLDERS
from bot.content.documents import document_dialogs
from bot.content.facts import fact_checks
from bot.content.faq_overlays import FACTS_FILE
from bot.content.loader import (
    AFTER_HANDOFF_FILE,
    CONSULTATION_FILE,
    PRIVACY_FILE,
    REPLIES_FILE,
    SUBMISSION_FILE,
    Content,
    Source,
)
from bot.content.models import (
    ChoiceStep,
    ConsentStep,
    EditMenuStep,
    ReportStep,
    SayStep,
    Step,
    SubmitStep,
    SummaryStep,
    TextStep,
)
from bot.content.problems import Problem
from bot.content.yamlsrc import strings
from bot.core import payloads
from bot.core.draft import DraftProposal
from bot.core.required import required
from bot.core.text import normalize, placeholders

# Placeholders the engine fills at run time, besides the facts.
DYNAMIC_PLACEHOLDERS = {
    "reference", "references", "max", "length", "value", "answer_time", "consultation", "business_hours", "typical_delay",
    "number", "total", "answers", "year", "next_steps", "time_frame", "last", "text",
    "topic", "answer", "form_url", "minutes", "code", "days", "channel",
}
# consultation.yaml: the texts that must name the value they exist for.
REQUIRED_IN_ANSWER_TIME = {"with_hours": "business_hours", "delay": "typical_delay"}
CALLBACK_DATA_LIMIT = 64  # Telegram's callback_data limit in bytes; LINE's postback limit (300) is looser.


def cross_check(content: Content) -> list[Problem]:
    problems: list[Problem] = []
    problems += _references(content)
    if not problems:
        problems += _reachability(content)
    problems += _fields(content)
    problems += _buttons(content)
    problems += _faq_references(content)
    problems += _placeholders(content)
    problems += _required_placeholders(content)
    problems += _duplicate_command_buttons(content)
    problems += fact_checks(content)
    problems += _intents(content)
    problems += _out_of_scope(content)
    problems += _form_fields(content)
    problems += document_dialogs(content)
    problems += after_handoff_checks(content)
    return problems


def _form_fields(content: Content) -> list[Problem]:
    """「フォームでまとめて入力」 asks text questions of the draft, each once."""
    form, common = content.common.form, content.common_source
    if form is None or common is None:
        return []
    problems = []
    for index, field in enumerate(form.fields):
        if form.step_ref(content.steps, field) is None:
            reason = f"'{field}' is not the field of a text question in dialogs/{form.dialog}.yaml"
            problems.append(common.at("form", "fields", index).problem(reason))
        elif field in form.fields[:index]:
            problems.append(common.at("form", "fields", index).problem(f"'{field}' is named twice"))
    return problems


def _targets(step: Step) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Every step a step can lead to, with the key path that names it."""
    if isinstance(step, (SayStep, TextStep, ReportStep, SubmitStep)):
        yield ("next",), step.next
    if isinstance(step, SubmitStep):
        yield ("on_invalid",), step.on_invalid
    if isinstance(step, ChoiceStep):
        if step.next:
            yield ("next",), step.next
        for value, target in step.branches.items():
            yield ("branches", value), target
    if isinstance(step, EditMenuStep):
        yield ("summary",), step.summary
    if isinstance(step, (ChoiceStep, SummaryStep, ConsentStep)):
        for index, option in enumerate(step.options):
            if option.next:
                yield ("options", index, "next"), option.next


def _references(content: Content) -> list[Problem]:
    problems = []
    common = required(content.common_source, "common.yaml's source")
    for key in ("start", "home"):
        if getattr(content.common, key) not in content.steps:
            problems.append(common.at(key).problem(f"{key}: no step '{getattr(content.common, key)}' (write dialog.step)"))
    for name, command in content.common.commands.items():
        if command.goto and command.goto not in content.steps:
            problems.append(common.at("commands", name, "goto").problem(f"goto: no step '{command.goto}'"))
    for ref, step in content.steps.items():
        source = content.step_sources[ref]
        for path, target in _targets(step):
            if target not in content.steps:
                problems.append(source.at(*path).problem(f"step '{step.id}' leads to unknown step '{target}'"))
        if isinstance(step, EditMenuStep) and not isinstance(content.steps.get(step.summary), SummaryStep):
            problems.append(source.at("summary").problem(f"'{step.summary}' is not a summary step"))
        if isinstance(step, ChoiceStep):
            problems += _choice_step(content, step, source)
    return problems


def _choice_step(content: Content, step: ChoiceStep, source: Source) -> list[Problem]:
    problems = []
    name = step.options_from
    if name and name not in content.common.option_sets and name not in content.facts.lists:
        problems.append(source.at("options_from").problem(f"no option set or facts list named '{name}'"))
    values = {option.value for option in choice_options(step, content)}
    for value in step.branches:
        if value not in values:
            problems.append(source.at("branches", value).problem(f"branch for '{value}', which is not an option value"))
    dead_ends = [
        o.value for o in choice_options(step, content) if not (o.next or o.faq or o.command or o.show or o.value in step.branches)
    ]
    if dead_ends and not step.next:
        problems.append(source.problem(f"step '{step.id}': options {dead_ends} lead nowhere (add 'next')"))
    if step.when is not None and not step.next:
        problems.append(source.at("when").problem(f"step '{step.id}' has 'when' but no 'next' to go to when it is skipped"))
    return problems


def _reachability(content: Content) -> list[Problem]:
    roots = [content.common.start, content.common.home]
    roots += [command.goto for command in content.common.commands.values() if command.goto]
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        ref = todo.pop()
        if ref in seen:
            continue
        seen.add(ref)
        step = content.steps[ref]
        todo += [target for _, target in _targets(step)]
        if isinstance(step, ChoiceStep) and not step.options_from:
            todo += [target for target in [step.next] if target]
    return [
        content.step_sources[ref].problem(f"step '{content.steps[ref].id}' can never be reached")
        for ref in content.steps
        if ref not in seen
    ]


def _fields(content: Content) -> list[Problem]:
    problems = []
    draft_fields = set(DraftProposal.model_fields) - {"schema_version"}
    asked: dict[str, str] = {}
    for ref, step in content.steps.items():
        name = getattr(step, "field", None)
        if name:
            asked.setdefault(name, ref)
    used: list[tuple[str, Source]] = []
    for ref, step in content.steps.items():
        source = content.step_sources[ref]
        if step.when is not None:
            used += [(name, source.at("when")) for name in step.when.fields()]
        if isinstance(step, ReportStep):
            used += [(item.field, source.at("items", i, "field")) for i, item in enumerate(step.items)]
            used += [(name, source.at("advice", i)) for i, advice in enumerate(step.advice) for name in advice.when.fields()]
        if isinstance(step, SummaryStep):
            for index, row in enumerate(step.rows):
                if row.field not in draft_fields:
                    problems.append(source.at("rows", index, "field").problem(f"'{row.field}' is not a field of the draft proposal"))
        if isinstance(step, TextStep):
            if step.field not in draft_fields:
                problems.append(source.at("field").problem(f"'{step.field}' is not a field of the draft proposal (see kyoso schema)"))
            if step.required_unless:
                used.append((step.required_unless, source.at("required_unless")))
            elif step.required_text:
                problems.append(source.at("required_text").problem("'required_text' is only used with 'required_unless'"))
        for index, option in enumerate(getattr(step, "options", [])):
            if option.when is not None:
                used += [(name, source.at("options", index, "when")) for name in option.when.fields()]
        if isinstance(step, ChoiceStep) and step.field in draft_fields:
            problems += _allowed_values(content, step, source)
    for name, source in used:
        if name not in asked:
            problems.append(source.problem(f"field '{name}' is never asked by any step"))
    for name in sorted(draft_fields - set(asked)):
        if DraftProposal.model_fields[name].is_required():
            summary_source = next((content.step_sources[r] for r, s in content.steps.items() if isinstance(s, SummaryStep)), None)
            where = required(summary_source or content.common_source, "common.yaml's source")
            problems.append(where.problem(f"required draft field '{name}' is never asked by any step"))
    return problems


def _allowed_values(content: Content, step: ChoiceStep, source: Source) -> list[Problem]:
    annotation = DraftProposal.model_fields[step.field or ""].annotation
    allowed = set(typing.get_args(annotation)) if typing.get_origin(annotation) is typing.Literal else None
    if allowed is None:
        return []
    return [
        source.at("options", index, "value").problem(f"'{option.value}' is not allowed for {step.field}: use one of {sorted(allowed)}")
        for index, option in enumerate(choice_options(step, content))
        if option.value not in allowed
    ]


def _buttons(content: Content) -> list[Problem]:
    common = content.common
    problems = []
    labelled: list[tuple[str, str, Source]] = []
    for ref, step in content.steps.items():
        source = content.step_sources[ref]
        if isinstance(step, ChoiceStep) and step.options_from:
            origin = common.option_sets.get(step.options_from)
            options = choice_options(step, content)
            place = source.at("options_from")
            labelled += [(o.label, payloads.OPTION + o.value, place) for o in options]
            if origin is None and len(options) + len(common.choice_step_buttons) > common.max_choices:
                problems.append(place.problem(f"{len(options)} choices is more than fit in {common.max_choices} buttons"))
        elif isinstance(step, (ChoiceStep, SummaryStep, ConsentStep)):
            labelled += [(o.label, payloads.OPTION + o.value, source.at("options", i, "label")) for i, o in enumerate(step.options)]
            if len(step.options) + len(common.choice_step_buttons) > common.max_choices:
                problems.append(source.at("options").problem(
                    f"{len(step.options)} options plus {len(common.choice_step_buttons)} common buttons is more than {common.max_choices}"
                ))
        if isinstance(step, ConsentStep) and {o.value for o in step.options} != {"agree", "decline"}:
            problems.append(source.at("options").problem("a consent step needs exactly the option values 'agree' and 'decline'"))
    common_source = required(content.common_source, "common.yaml's source")
    for name, command in common.commands.items():
        labelled.append((command.label, payloads.COMMAND + name, common_source.at("commands", name, "label")))
    for entry in content.faq:
        labelled.append((entry.label, payloads.FAQ + entry.id, content.faq_sources[entry.id].at("label")))
    for label, payload, source in labelled:
        if len(label) > common.max_label_length:
            problems.append(source.problem(f"button label '{label}' is {len(label)} characters; at most {common.max_label_length}"))
        if len(payload.encode()) > CALLBACK_DATA_LIMIT:
            size = len(payload.encode())
            problems.append(source.problem(
                f"the value of '{label}' is too long for a button ({size} bytes; at most {CALLBACK_DATA_LIMIT} with its prefix)"
            ))
    return problems


def _duplicate_command_buttons(content: Content) -> list[Problem]:
    """An option leading where a command button under the same question leads (メニューに戻る beside メニュー)."""
    common = content.common
    problems = []
    for ref, step in content.steps.items():
        if not isinstance(step, ChoiceStep):
            continue
        for index, option in enumerate(step.options):
            for name in common.choice_step_buttons:
                command = common.commands[name]
                if command.goto and option.next == command.goto:
                    reason = f"option '{option.label}' leads where the '{command.label}' button under it leads; remove one"
                    problems.append(content.step_sources[ref].at("options", index, "next").problem(reason))
    return problems


def _faq_references(content: Content) -> list[Problem]:
    known = {entry.id for entry in content.faq}
    problems = []
    for ref, step in content.steps.items():
        for index, option in enumerate(getattr(step, "options", [])):
            if option.faq and option.faq not in known:
                problems.append(content.step_sources[ref].at("options", index, "faq").problem(f"no FAQ entry '{option.faq}'"))
    for entry in content.faq:
        for index, related in enumerate(entry.related):
            if related not in known:
                problems.append(content.faq_sources[entry.id].at("related", index).problem(f"no FAQ entry '{related}'"))
    return problems


def _faq_texts(content: Content) -> dict[str, str]:
    """Normalised question, label and paraphrases of every FAQ entry -> its id."""
    return {
        normalize(text): entry.id
        for entry in content.faq
        for text in (entry.question, entry.label, *entry.paraphrases)
    }


def _intents(content: Content) -> list[Problem]:
    """Intents name a menu item or a command, once each; an example belongs to one intent (or FAQ entry) only."""
    if content.intents is None or content.intents_source is None:
        return []
    source = content.intents_source
    menu = menu_options(content)
    faq_texts = _faq_texts(content)
    problems: list[Problem] = []
    seen_ids: set[str] = set()
    seen_examples: dict[str, str] = {}
    for index, intent in enumerate(content.intents.intents):
        place = source.at("intents", index)
        if intent.id in seen_ids:
            problems.append(place.at("id").problem(f"intent id '{intent.id}' is used twice"))
        seen_ids.add(intent.id)
        if intent.option is not None and intent.option not in menu:
            problems.append(place.at("option").problem(f"'{intent.option}' is not an item of the menu: {sorted(menu)}"))
        for position, example in enumerate(intent.examples):
            wanted = normalize(example)
            other = seen_examples.setdefault(wanted, intent.id)
            if other != intent.id:
                problems.append(place.at("examples", position).problem(f"example '{example}' is also an example of intent '{other}'"))
            elif wanted in faq_texts:
                problems.append(place.at("examples", position).problem(
                    f"example '{example}' is also written for the FAQ entry '{faq_texts[wanted]}': keep it in one place"
                ))
    return problems


def _out_of_scope(content: Content) -> list[Problem]:
    if content.out_of_scope is None or content.out_of_scope_source is None:
        return []
    source = content.out_of_scope_source
    faq_texts = _faq_texts(content)
    problems: list[Problem] = []
    seen: set[str] = set()
    for index, topic in enumerate(content.out_of_scope.topics):
        if topic.id in seen:
            problems.append(source.at("topics", index, "id").problem(f"topic id '{topic.id}' is used twice"))
        seen.add(topic.id)
        for position, example in enumerate(topic.examples):
            if normalize(example) in faq_texts:
                problems.append(source.at("topics", index, "examples", position).problem(
                    f"example '{example}' is written for the FAQ entry '{faq_texts[normalize(example)]}' too: is it out of scope?"
                ))
    return problems


def _placeholders(content: Content) -> list[Problem]:
    known = set(content.facts.facts) | DYNAMIC_PLACEHOLDERS | DOCUMENT_PLACEHOLDERS | set(content.common.channel_words["default"])
    problems = []
    for data, source in content.raw_sources:
        if source.file.name == AFTER_HANDOFF_FILE:
            continue  # each text there has its own placeholders (bot/content/after_handoff_checks.py)
        for path, text in strings(data):
            for name in placeholders(text):
                if name not in known:
                    reason = f"unknown placeholder {{{name}}} (facts are in faq/facts.yaml)"
                    problems.append(source.at(*path).problem_in_text(text, text.index("{" + name + "}"), reason))
    return problems


def unfilled(content: Content) -> list[Problem]:
    """Not errors: values left for staff to fill in (the bot works, and says less, until they do)."""
    answer_time, submission = content.consultation.answer_time, content.submission
    left: list[tuple[str, tuple[str, ...], str]] = [
        (CONSULTATION_FILE, ("answer_time", key), f"answer_time.{key} is not filled in (要記入): {effect}")
        for key, effect in [("business_hours", "the bot names no business hours"),
                            ("typical_delay", "the bot names no typical delay")]
        if not getattr(answer_time, key)
    ]
    left += [
        (FACTS_FILE, ("facts", name), f"facts.{name} is not filled in (要記入): texts leave it out")
        for name, value in content.facts.facts.items() if value == ""
    ]
    if not submission.contact.time_frame:
        left.append((SUBMISSION_FILE, ("contact", "time_frame"),
                     "contact.time_frame is not filled in (要記入): after submitting, the bot names no time frame"))
    if not submission.official_form.text:
        left.append((SUBMISSION_FILE, ("official_form", "text"),
                     "official_form.text is not filled in (要記入): the bot tells proposers to ask whether the city's form is needed"))
    if not content.privacy.confirmed:
        left.append((PRIVACY_FILE, ("confirmed",),
                     "the privacy notice's wording is not confirmed by staff (要記入): check it, then set confirmed: true"))
    return [_source(content, name).at(*path).problem(reason) for name, path, reason in left]


def _source(content: Content, file_name: str) -> Source:
    return next(source for _, source in content.raw_sources if source.file.name == file_name)


def _required_placeholders(content: Content) -> list[Problem]:
    """The texts that exist to say a value must say it (the hours, the time frame, what staff wrote)."""
    answer_time, contact, replies = content.consultation.answer_time, content.submission.contact, content.replies
    required: list[tuple[str, tuple[str, ...], str, str]] = [(CONSULTATION_FILE, ("answer_time", key), getattr(answer_time, key), name)
                for key, name in REQUIRED_IN_ANSWER_TIME.items()]
    required += [
        (SUBMISSION_FILE, ("contact", "with_time_frame"), contact.with_time_frame, "time_frame"),
        (REPLIES_FILE, ("draft_reply",), replies.draft_reply, "text"),
        (REPLIES_FILE, ("draft_reply",), replies.draft_reply, "reference"),
        (REPLIES_FILE, ("consultation_reply",), replies.consultation_reply, "text"),
    ]
    return [
        _source(content, file_name).at(*path).problem(f"{'.'.join(path)} must say {{{name}}}")
        for file_name, path, text, name in required
        if name not in placeholders(text)
    ]

