"""What the parts of one turn share: the content, the user's state, the storage port, and the replies so far.

``Conversation`` (bot/core/conversation.py) builds one per inbound message, with the parts that
handle it (navigation, FAQ answers, commands, requests, answers, handover …); the parts reach
each other through it, so none depends on ``Conversation``. Whatever a turn depends on
besides the content (a language, say) belongs in ``state``, where every part reads it.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from bot.content.loader import Content
from bot.content.models import Step
from bot.core import payloads
from bot.core.messages import Choice, Outbound, TextMessage, UserKey
from bot.core.ports import FaqLookup, Reading, Turn
from bot.core.state import ConversationState
from bot.core.text import render

if TYPE_CHECKING:
    from bot.core.answers import Answers
    from bot.core.commands import Commands
    from bot.core.confirmations import Confirmations
    from bot.core.faq_answers import FaqAnswers
    from bot.core.handover import Handover
    from bot.core.my_proposals import MyProposals
    from bot.core.navigation import Navigation
    from bot.core.requests import Requests
    from bot.core.revision import Revision
    from bot.core.submitting import Submitting

MAX_QUESTION_KEPT = 500  # a pasted document is not a question: lookups match on its beginning only


class TurnContext:
    # The parts of the turn, set by Conversation right after the context is made.
    navigation: Navigation
    answers: Answers
    faq_answers: FaqAnswers
    commands: Commands
    confirmations: Confirmations
    requests: Requests
    submitting: Submitting
    handover: Handover
    my_proposals: MyProposals
    revision: Revision

    def __init__(self, content: Content, faq: FaqLookup, state: ConversationState, now: datetime, turn: Turn, user: UserKey) -> None:
        self.content = content
        self.common = content.common
        self.faq = faq
        self.state = state  # replaced whole by 最初から, データ削除 and a submission
        self.now = now
        self.turn = turn
        self.user = user
        self.outbox: list[Outbound] = []
        self.prompt_due = False  # the pending question is asked again at the end of the turn
        self.facts = {**content.facts.facts, **content.common.words_for(user.channel)}
        self.transfer_code: str | None = None  # 「別の端末で続ける」 gave this code: kept after the turn (bot/core/transfer.py)
        self._readings: dict[str, Reading] = {}  # a line asked about twice in a turn (at the menu, then here) is read once

    def say(self, text: str, choices: list[Choice] | None = None) -> None:
        self.outbox.append(TextMessage(text=self.render(text), choices=choices or []))

    def render(self, text: str) -> str:
        return render(text, self.facts)

    def not_understood(self) -> None:
        self.say(self.common.messages.not_understood)
        self.prompt_due = True

    def ask_confirmation(self, question: str) -> None:
        """A yes/no question (はい / いいえ buttons); ``state.pending`` says what it is about."""
        choices = [
            Choice(label=command.label, payload=payloads.CONFIRM + answer)
            for answer, command in self.common.confirm.items()
        ]
        self.outbox.append(TextMessage(text=self.render(question), choices=choices))

    def current(self) -> Step:
        return self.content.step(self.state.step or self.common.start)

    def at_form_question(self) -> bool:
        """At a question that fills a draft field: an answer there asks the pending question again."""
        return bool(getattr(self.current(), "field", None))

    def read(self, text: str) -> Reading:
        """The one lookup of a typed line: FAQ, intents and outside topics from one embedding (once per turn)."""
        line = text[:MAX_QUESTION_KEPT]
        if line not in self._readings:
            self._readings[line] = self.faq.read(line) if line.strip() else Reading()
        return self._readings[line]
