"""The user's language (dialogs/languages.yaml): asked for in words or with a button at any point, kept in the state.

A switch in the middle of a form keeps every answer and asks the same question again, in the new language.
A new user's first greeting is in the language the platform names (LINE profile, Telegram language_code).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, runtime_checkable

from bot.content.language_set import BASE_LANGUAGE, Language, LanguageSet
from bot.content.loader import Content
from bot.core import payloads
from bot.core.conversation import Conversation
from bot.core.messages import Choice, Inbound, TextMessage
from bot.core.numbers import numbered_after, picked
from bot.core.ports import FaqLookup
from bot.core.state import ConversationState
from bot.core.text import normalize

LIST = ""  # what :func:`asked_for` returns for "show me the languages"


def asked_for(content: Content, state: ConversationState, inbound: Inbound) -> str | None:
    """The language the user asks for, :data:`LIST` to list them, or None when the input is about something else."""
    languages = content.languages
    if languages is None:
        return None
    if isinstance(chosen := picked(inbound, state.numbered), Inbound):  # 「3」 typed under the numbered buttons
        inbound = chosen
    prefix, value = payloads.split(inbound.payload or "")
    if prefix == payloads.LANGUAGE:
        return value if value == LIST or languages.get(value) else None
    at_menu = state.step == content.common.commands["menu"].goto
    if value == languages.menu_item and (prefix == payloads.MENU_ITEM or (prefix == payloads.OPTION and at_menu)):
        return LIST
    if inbound.payload is not None or not inbound.text:
        return None
    typed = normalize(inbound.text)
    if typed in {normalize(word) for word in languages.menu_words}:
        return LIST
    return next(
        (language.id for language in languages.languages
         if typed in {normalize(word) for word in (language.name, *language.words)}),
        None,
    )


def first_language(content: Content, state: ConversationState, hint: str | None) -> None:
    """Before the first greeting: the platform's language, when the user has not chosen one."""
    if content.languages is not None and state.language is None and state.step is None:
        state.language = content.languages.for_hint(hint)


async def switch(asked: str, state: ConversationState, conversation_in: Callable[[], Conversation]) -> Conversation:
    """List the languages, or switch to ``asked`` and ask the pending question again in it (a new user: the greeting)."""
    conversation = conversation_in()
    languages = conversation.content.languages
    if languages is None:  # asked_for found a language set, so this is a content reload in between
        return conversation
    if asked == LIST:
        current = languages.get(conversation.content.language) or languages.languages[0]
        buttons = [Choice(label=language.name, payload=payloads.LANGUAGE + language.id) for language in languages.languages]
        conversation.outbox.append(TextMessage(text=current.choose, choices=buttons, numbered=True))
        state.numbered = numbered_after(conversation.outbox, state.numbered, typed_text_wanted=False)
        return conversation
    state.language = asked
    conversation = conversation_in()  # the same state, in the new language
    switched = _language(languages, asked).switched
    if state.step is None:
        conversation.context.say(switched)
        await conversation.respond(Inbound(user=conversation.context.user, payload=payloads.COMMAND + "menu"))
    else:
        conversation.tell(switched)
    return conversation


def _language(languages: LanguageSet, language_id: str) -> Language:
    return languages.get(language_id) or languages.languages[0]


def in_language_of(content: Content, state: ConversationState) -> Content:
    return content.in_language(state.language or BASE_LANGUAGE)


@runtime_checkable
class FaqInLanguages(Protocol):
    def in_language(self, language: str) -> FaqLookup:
        """The FAQ lookup whose answers, questions and labels are in ``language`` (bot/faq/languages.py)."""
        ...


def translated(faq: FaqLookup, content: Content) -> FaqLookup:
    """The FAQ in the content's language; a lookup that knows only 日本語 answers in 日本語."""
    if content.language == BASE_LANGUAGE or not isinstance(faq, FaqInLanguages):
        return faq
    return faq.in_language(content.language)
