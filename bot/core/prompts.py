"""The message that asks the current question: its text, the current answer, and its buttons."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from bot.content.loader import Content
from bot.content.models import ChoiceStep, CommandName, Common, ConsentStep, EditMenuStep, Step, SummaryStep, TextStep
from bot.core import payloads
from bot.core.dated import dated_note
from bot.core.messages import Choice, Outbound, TextMessage
from bot.core.options import display_value, offered
from bot.core.progress import progress_line
from bot.core.state import ConversationState
from bot.core.text import render
from bot.core.views import summary_card


def prompt_messages(content: Content, state: ConversationState, now: datetime) -> list[Outbound]:
    """The summary card or privacy notice where the step has one, then the question with its buttons.

    Above the question: where the form is (質問 3/12) and the current answer; a fact of a past fiscal
    year gets the note that the latest is on the city's page, just before the question's last line.
    """
    ref = state.step or content.common.start
    step = content.step(ref)
    facts = content.facts.facts
    messages: list[Outbound] = []
    if isinstance(step, SummaryStep):
        messages.append(summary_card(ref, step, content, state.values, state.documents))
    if isinstance(step, ConsentStep):
        notice = content.privacy
        messages.append(TextMessage(text=f"【{notice.title}】\n{render(notice.text, facts)}"))
    lines = [line for line in [progress_line(content, ref, state.values)] if line]
    field = getattr(step, "field", None)
    if field and state.values.get(field):
        shown = display_value(content, ref, field, state.values[field])
        lines.append(render(content.common.messages.current_value, {"value": shown}))
    text = question_text(step, state.values)
    question = render(text, facts).split("\n")
    note = dated_note([text], content.facts.years, now, content.common.messages.dated_fact, facts)
    lines += question[:-1] + ([note] if note else []) + question[-1:]
    messages.append(TextMessage(text="\n".join(lines), choices=_buttons(content, state, step)))
    return messages


def question_text(step: Step, values: dict[str, str]) -> str:
    """The step's text; for a text step required only because another field is empty, its ``required_text``."""
    if isinstance(step, TextStep) and step.required_text and not is_optional(step, values):
        return step.required_text
    return step.text  # type: ignore[union-attr]  # every asking step has text


def command_buttons(common: Common, names: Iterable[CommandName]) -> list[Choice]:
    return [Choice(label=common.commands[name].label, payload=payloads.COMMAND + name) for name in names]


def is_optional(step: Step, values: dict[str, str]) -> bool:
    if not isinstance(step, (TextStep, ChoiceStep)):
        return False
    other = getattr(step, "required_unless", None)
    return step.optional or bool(other and values.get(other))


def _buttons(content: Content, state: ConversationState, step: Step) -> list[Choice]:
    """The step's answers, then the common command buttons; answers page when they do not all fit."""
    common = content.common
    choices = offered(step, content, state.values)
    if isinstance(step, EditMenuStep) and state.revising is not None:  # 差し戻し: only the fields staff returned
        choices = [choice for choice in choices if choice.option.value in state.revising.fields]
    options = [Choice(label=o.option.label, payload=o.payload) for o in choices]
    names = common.text_step_buttons if isinstance(step, TextStep) else common.choice_step_buttons
    extras = command_buttons(common, [name for name in names if button_applies(common, state, name, step)])
    room = common.max_choices - len(extras)
    if len(options) > room:
        size = room - 1
        pages = (len(options) + size - 1) // size
        page = state.choice_page % pages
        more = Choice(label=common.messages.more_choices, payload=payloads.PAGE + str((page + 1) % pages))
        options = options[page * size:(page + 1) * size] + [more]
    return options + extras


def button_applies(common: Common, state: ConversationState, name: CommandName, step: Step) -> bool:
    """Whether a command's button makes sense here (スキップ only at optional questions, 戻る with somewhere to go back to)."""
    if name == "skip":
        return is_optional(step, state.values)
    if name == "keep":
        field = getattr(step, "field", None)
        return bool(field and state.values.get(field))
    if name == "back":
        return len(state.history) >= 2
    return common.commands[name].goto != state.step  # no メニュー button on the menu itself
