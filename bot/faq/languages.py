"""An FAQ index per language of dialogs/languages.yaml, beside the Japanese one (#17).

A translation's index holds the translated entries (their questions, labels and answers in that language,
the Japanese paraphrases and keywords with the translation's added) and the Japanese question and label as
more ways to ask: a user who chose English may type English or Japanese, and is answered in English. The
Japanese index stays as it was, so Japanese matching and its calibration do not change.
"""

from __future__ import annotations

from bot.content.loader import Content
from bot.content.models import FaqEntry
from bot.faq.dense import E5Embedder
from bot.faq.matcher import FaqIndex


def language_index(content: Content, embedder: E5Embedder | None, language: str) -> FaqIndex | None:
    """The index of ``language``, or None for 日本語 and a language the content does not have."""
    translated = content.translations.get(language)
    if translated is None or translated is content:
        return None
    return _index(translated, content, embedder)


def _index(translated: Content, japanese: Content, embedder: E5Embedder | None) -> FaqIndex:
    entries = [_with_japanese_question(entry, japanese.faq_entry(entry.id)) for entry in translated.faq]
    intents = translated.intents.intents if translated.intents else ()
    topics = translated.out_of_scope.topics if translated.out_of_scope else ()
    return FaqIndex(entries, translated.facts.facts, translated.synonyms, embedder, intents=intents, topics=topics)


def _with_japanese_question(entry: FaqEntry, japanese: FaqEntry | None) -> FaqEntry:
    if japanese is None:
        return entry
    asked = [line for line in (japanese.question, japanese.label) if line not in (entry.question, entry.label, *entry.paraphrases)]
    return entry.model_copy(update={"paraphrases": [*entry.paraphrases, *asked]})
