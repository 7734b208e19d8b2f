"""What a typed line is, in one decision: a request (intent), a question for the FAQ, an answer to
the current question, or not understood.

The matcher scores the line once against the FAQ, the intents and the outside topics
(``Reading``); this module adds what only the conversation knows — the kind of question
the user is at — and the rule that inside a form an answer wins unless the line is
clearly a command:

- at a question that takes free text, a line that is a valid answer is the answer, unless
  the intent ranks first with the form's higher confidence (``*_in_form`` bands): the
  request is done when it is sure and its examples cover most of the line (「株式会社やり直し
  工房」 is mostly not 最初から); otherwise the bot shows what it understood and asks
  (「中断しますか？」, with a note that いいえ keeps the line as the answer);
- elsewhere (the menu, a choice the line does not name) the best of intent and FAQ entry
  decides: a sure intent is done (unless the line is a question the FAQ has something
  for); a likely one is asked about (「提案の下書きをつくりますか？」) unless the FAQ answers the line,
  or the line is a question with a "did you mean" — then
  that is given with the intent's action as one more button (「担当者について知りたい」 is a
  question about 担当者 more often than a request for one: the answer, and 担当者に相談 one
  tap away); otherwise the FAQ answers, offers "did you mean", says the topic belongs to
  another window, or says it does not know.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal, TypeVar

from bot.content.loader import Content
from bot.content.models import Command, Common, Step, TextStep
from bot.core.options import Offered, contained, match, offered
from bot.core.ports import Reading
from bot.core.text import fold, normalize
from bot.core.validation import Refusal, validate

Kind = Literal["answer", "intent", "ask_intent", "faq", "unknown"]
# A line longer than this is never a command: 「中断します」 is short, an answer to 課題 is not, and long
# answers are not embedded just to find that out.
LONGEST_REQUEST = 40


@dataclass(frozen=True)
class Understood:
    kind: Kind
    intent: str | None = None  # "intent" / "ask_intent": the request; "faq": an action to offer with the answer


def understand(reading: Reading, answers_free_text: bool, valid_answer: bool, looks_like_question: bool) -> Understood:
    """Decide what the line is (see the module's docstring).

    ``answers_free_text``: the user is at a question that takes typed text; ``valid_answer``: the line
    passes that question's checks; ``looks_like_question``: it has a question marker (？, ですか …).
    """
    bands = reading.bands
    first = reading.intent is not None and reading.intent_first
    if answers_free_text and valid_answer:
        covered = reading.intent_cover >= bands.cover_in_form
        if first and covered and reading.intent_confidence >= bands.sure_in_form:
            return Understood("intent", reading.intent)
        if first and reading.intent_confidence >= bands.ask_in_form:
            return Understood("ask_intent", reading.intent)
        if looks_like_question and reading.faq.answer is not None:
            return Understood("faq")
        return Understood("answer")
    faq_has_it = reading.faq.answer is not None or bool(reading.faq.suggestions)
    # A question (「担当の方と話せますか」) is answered when the FAQ can, even for a sure intent: a
    # question is never taken for a request that starts a flow, it gets the request as a button.
    if first and reading.intent_confidence >= bands.sure and not (looks_like_question and faq_has_it):
        return Understood("intent", reading.intent)
    likely = first and reading.intent_confidence >= bands.ask
    # A likely request is asked about (「担当者に相談しますか？」) unless the FAQ answers the line, or the line
    # is a question the FAQ has a "did you mean" for: then that, with the request as a button.
    if reading.faq.answer is not None or (faq_has_it and (looks_like_question or not likely)):
        return Understood("faq", reading.intent if likely else None)
    if likely:
        return Understood("ask_intent", reading.intent)
    if reading.outside is not None:
        return Understood("faq")
    return Understood("unknown")


def worth_reading(text: str, answers_free_text: bool, looks_like_question: bool) -> bool:
    """Whether to match the line at all: a long answer to a free-text question is just the answer."""
    return bool(text.strip()) and (not answers_free_text or looks_like_question or len(text.strip()) <= LONGEST_REQUEST)


# "confirm_answer": a free-text question answered with only a yes/no word (「はい」 as the organisation's name): the
# user may think the bot asked a yes/no question, so the bot shows what it understood and asks before storing it.
DecisionKind = Literal["option", "answer", "invalid", "confirm_answer", "intent", "ask_intent", "question", "nothing"]


@dataclass(frozen=True)
class Decision:
    """What to do with a typed line at the current step."""

    kind: DecisionKind
    option: Offered | None = None  # "option": the answer it names
    value: str | Refusal | None = None  # a free-text question's checked answer (None when it is no valid answer)
    intent: str | None = None  # "intent" / "ask_intent"
    reading: Reading = field(default_factory=Reading)  # "question": what the FAQ found
    offer: str | None = None  # "question": an intent the line may also mean, offered as a button with the answer


def looks_like_question(common: Common, text: str) -> bool:
    folded = fold(text)
    return any(fold(marker) in folded for marker in common.question_markers)


def decide(content: Content, step: Step, values: dict[str, str], text: str, read: Callable[[str], Reading]) -> Decision:
    """The one decision for a typed line: an answer to ``step``, a request, a question, or nothing.

    ``read`` is the matcher (called at most once, and not at all for a line that names an answer).
    """
    question = looks_like_question(content.common, text)
    if isinstance(step, TextStep):
        result = validate(step, text)
        valid = not isinstance(result, Refusal)
        reading = read(text) if worth_reading(text, True, question) else Reading()
        understood = _without_unsure_reply(content, understand(reading, answers_free_text=True, valid_answer=valid, looks_like_question=question))
        if understood.kind in ("intent", "ask_intent"):
            return Decision(understood.kind, intent=understood.intent, value=result if valid else None)
        if question and (reading.faq.answer or reading.outside or not valid):
            return Decision("question", reading=reading, offer=understood.intent)  # a question, not a wrong answer
        if valid and named(text, content.common.confirm) is not None:
            return Decision("confirm_answer", value=result)
        return Decision("answer" if valid else "invalid", value=result)
    choices = offered(step, content, values)
    chosen = match(text, choices)
    if chosen is None and getattr(step, "field", None) and not question:
        chosen = contained(text, choices)  # 「NPOです」 names the option NPO法人
    if chosen is not None:
        return Decision("option", option=chosen)
    if not text.strip():
        return Decision("nothing")
    reading = read(text)
    understood = _without_unsure_reply(content, understand(reading, answers_free_text=False, valid_answer=False, looks_like_question=question))
    if understood.kind == "faq":
        return Decision("question", reading=reading, offer=understood.intent)
    if understood.intent is not None:
        return Decision(understood.kind, intent=understood.intent)  # type: ignore[arg-type]
    return Decision("question", reading=reading)


def _without_unsure_reply(content: Content, understood: Understood) -> Understood:
    """Small talk (an intent with a ``reply``) is never asked about: when unsure, the line is read as anything else."""
    intents = content.intents.intents if content.intents else []
    replies = {intent.id for intent in intents if intent.reply is not None}
    if understood.intent not in replies:
        return understood
    if understood.kind == "ask_intent":
        return Understood("unknown")
    return understood if understood.kind == "intent" else Understood(understood.kind)


Name = TypeVar("Name", bound=str)  # a command's name, or a confirmation's (yes/no)


def named(text: str, commands: Mapping[Name, Command]) -> Name | None:
    """The command whose label or other words the text is (exactly, after normalising)."""
    wanted = normalize(text)
    if not wanted:
        return None
    for name, command in commands.items():
        if any(normalize(word) == wanted for word in [command.label, *command.words]):
            return name
    return None
