"""dialogs/languages.yaml: the languages the bot speaks, how a user asks for one, and what it says on switching."""

from __future__ import annotations

from pydantic import Field, model_validator

from bot.content.models import NonEmpty, Strict

LANGUAGES_FILE = "languages.yaml"  # in dialogs/
BASE_LANGUAGE = "ja"  # the content files themselves; every other language is a folder of translations beside them


class Language(Strict):
    id: NonEmpty = Field(pattern=r"^[a-z][a-z-]*$", description="also the name of the translations' folders")
    name: NonEmpty = Field(max_length=20, description="the button, in the language itself")
    words: list[NonEmpty] = Field(default_factory=list, description="what a user may type to ask for it (besides the name)")
    hints: list[NonEmpty] = Field(
        default_factory=list, description="platform language codes (LINE profile, Telegram language_code) that mean it"
    )
    switched: NonEmpty = Field(description="said on switching to it, in it")
    choose: NonEmpty = Field(description="above the languages' buttons, in this language")


class LanguageSet(Strict):
    menu_item: NonEmpty = Field(description="the value of the menu's item that lists the languages (dialogs/main.yaml)")
    menu_words: list[NonEmpty] = Field(default_factory=list, description="typed words that list the languages")
    other_hint: NonEmpty = Field(description="the language for a platform language that no language's hints name")
    languages: list[Language] = Field(min_length=1)

    @model_validator(mode="after")
    def _known(self) -> LanguageSet:
        ids = [language.id for language in self.languages]
        if BASE_LANGUAGE not in ids:
            raise ValueError(f"the languages must include '{BASE_LANGUAGE}' (the content files themselves)")
        if len(set(ids)) != len(ids):
            raise ValueError("a language id is named twice")
        if self.other_hint not in ids:
            raise ValueError(f"other_hint: '{self.other_hint}' is not one of the languages")
        return self

    def get(self, language_id: str) -> Language | None:
        return next((language for language in self.languages if language.id == language_id), None)

    def for_hint(self, hint: str | None) -> str:
        """The language for a platform's language code ('en-US' -> 'en'); none given: Japanese."""
        if not hint:
            return BASE_LANGUAGE
        code = hint.lower().replace("_", "-")
        for language in self.languages:
            if any(code == known.lower() or code.startswith(known.lower() + "-") for known in language.hints):
                return language.id
        return self.other_hint
