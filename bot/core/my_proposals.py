"""わたしの提案: the drafts a user submitted from this chat, listed (reference, title, status, date) and one in full.

The drafts are read from storage in the user's turn (``Turn.my_drafts``): staff change their status
outside it. Only the user's own drafts are shown; a button naming another reference shows nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from bot.content.choices import menu_options
from bot.content.loader import Content
from bot.content.models import EditMenuStep, Option, SummaryStep
from bot.core import payloads
from bot.core.draft import SubmittedDraft
from bot.core.intents import find_intent
from bot.core.messages import CardMessage, Choice
from bot.core.prompts import command_buttons
from bot.core.text import normalize, render
from bot.core.understanding import decide
from bot.core.views import summary_card
from bot.core.workflow import RETURNED

if TYPE_CHECKING:
    from bot.core.parsed import Parsed
    from bot.core.turn_context import TurnContext

MAX_LISTED = 12  # newest first, with the メニュー button within LINE's 13 quick replies
OPTION = "my_proposals"  # the menu item's show: value


def summary_ref(content: Content) -> str | None:
    """The draft's summary step: the one whose rows 修正 offers (commands.edit leads to its edit menu)."""
    edit = content.steps.get(content.common.commands["edit"].goto or "")
    if isinstance(edit, EditMenuStep) and isinstance(content.steps.get(edit.summary), SummaryStep):
        return edit.summary
    return None


def summary_of(content: Content, values: dict[str, str]) -> CardMessage | None:
    """The draft as its summary card shows it (labels for codes), or None without a summary step."""
    ref = summary_ref(content)
    step = content.steps.get(ref or "")
    return summary_card(ref or "", step, content, values) if isinstance(step, SummaryStep) else None


def japan_date(moment: datetime, now: datetime) -> str:
    """The day in the city's time zone (``now`` carries it), as 2026年11月25日."""
    local = moment.astimezone(now.tzinfo)
    return f"{local.year}年{local.month}月{local.day}日"


class MyProposals:
    def __init__(self, context: TurnContext) -> None:
        self._context = context
        self._texts = context.content.after_handoff.my_proposals

    async def list(self) -> None:
        context = self._context
        drafts = (await context.turn.my_drafts())[:MAX_LISTED]
        menu = command_buttons(context.common, ["menu"])
        if not drafts:
            context.say(self._texts.none, menu)
        else:
            lines = [self._texts.intro, *(render(self._texts.line, self._values(draft)) for draft in drafts)]
            buttons = [Choice(label=draft.reference, payload=payloads.PROPOSAL + draft.reference) for draft in drafts]
            context.say("\n".join(lines), buttons + menu)
        context.prompt_due = False

    async def answer_if_asked(self, parsed: Parsed) -> bool:
        """わたしの提案 asked for (its button, a draft's reference, or in words): shown, and True.

        Nothing else of the conversation changes: a paused draft stays paused, for the user only looks at
        what they sent.
        """
        inbound, prefix, value = parsed.inbound, parsed.prefix, parsed.value
        if prefix == payloads.PROPOSAL:
            await self.show(value)
            return True
        option = menu_options(self._context.content).get(value) if prefix == payloads.MENU_ITEM else None
        typed = inbound.payload is None and inbound.document is None and not inbound.not_text
        if (option is not None and option.show == OPTION) or (typed and self._named(parsed.text)):
            await self.list()
            return True
        return False

    def _named(self, text: str) -> bool:
        """The line asks for the list as the menu would take it: its item's label or words, or its request, when sure."""
        content = self._context.content
        menu = content.steps.get(content.common.commands["menu"].goto or "")
        if menu is None or normalize(text).isdigit():  # a number picks from the answers shown last, not from the menu
            return False
        decision = decide(content, menu, {}, text, self._context.read)  # the turn's one lookup of the line
        if decision.option is not None:
            option: Option | None = decision.option.option
        else:
            intent = find_intent(content, decision.intent) if decision.kind == "intent" else None
            option = menu_options(content).get(intent.option or "") if intent is not None else None
        return option is not None and option.show == OPTION

    async def show(self, reference: str) -> None:
        context = self._context
        draft = next((draft for draft in await context.turn.my_drafts() if draft.reference == reference), None)
        menu = command_buttons(context.common, ["menu"])
        card = summary_of(context.content, draft.data) if draft is not None else None
        if draft is None or card is None:
            context.say(self._texts.gone, menu)
            context.prompt_due = False
            return
        values = self._values(draft)
        card.title = render(self._texts.title, values)
        card.footer = render(self._texts.footer, values)
        listing = [
            Choice(label=option.label, payload=payloads.MENU_ITEM + option.value)
            for option in menu_options(context.content).values() if option.show == OPTION
        ]
        revise = context.content.after_handoff.returned.start
        extra = [Choice(label=revise, payload=payloads.REVISE + reference)] if draft.status == RETURNED else []
        card.choices = [*extra, *listing, *menu]
        context.outbox.append(card)
        context.prompt_due = False

    def _values(self, draft: SubmittedDraft) -> dict[str, object]:
        context = self._context
        return {
            **context.content.facts.facts, "reference": draft.reference, "title": draft.title, "status": draft.status,
            "date": japan_date(draft.submitted_at, context.now), "version": draft.version,
        }
