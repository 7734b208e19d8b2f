"""Build the content in every language of dialogs/languages.yaml: the Japanese files with each language's overlays.

Each translation is loaded like the Japanese content (the same models and cross-checks), from the same files
read through :func:`bot.content.translations.overlay_reader`; what it leaves out stays Japanese and is listed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from bot.content.faq_overlays import NOT_ENTRY_FILES, EntryOverlays
from bot.content.language_set import BASE_LANGUAGE
from bot.content.problems import Problem
from bot.content.translations import Reader, Report, overlay_reader

if TYPE_CHECKING:  # the loader imports this module
    from bot.content.loader import Content

Load = Callable[[Reader, list[Problem]], "Content | None"]


def load_translations(root: Path, content: Content, load: Load) -> list[Problem]:
    """Fill ``content.translations``; the problems of every overlay (each reason names its language)."""
    from bot.content.checks import cross_check

    languages = content.languages
    content.translations = {BASE_LANGUAGE: content}
    if languages is None:
        return []
    problems: list[Problem] = []
    for language in languages.languages:
        if language.id == BASE_LANGUAGE:
            continue
        report = Report()
        found: list[Problem] = []
        entries = EntryOverlays(root / "faq" / language.id, report.problems)
        translated = load(overlay_reader(language.id, report, entries), found)
        found += report.problems + entries.unmatched()
        if translated is not None and not found:
            found += cross_check(translated)
        problems += [Problem(one.file, one.line, f"[{language.id}] {one.reason}") for one in found]
        if translated is None or found:
            continue
        translated.language = language.id
        translated.translations = content.translations
        translated.untranslated = report.missing
        content.translations[language.id] = translated
    return problems + _orphans(root, {language.id for language in languages.languages})


def _orphans(root: Path, known: set[str]) -> list[Problem]:
    """A translation file needs its Japanese file; FAQ entries' translations need their ids (faq_overlays.py)."""
    return [
        Problem(path, 1, f"no Japanese file {folder.name}/{path.name} to translate")
        for language in sorted(known - {BASE_LANGUAGE})
        for folder in (root / "dialogs", root / "faq")
        for path in sorted((folder / language).glob("*.yaml"))
        if not (folder / path.name).is_file() and (folder.name == "dialogs" or path.name in NOT_ENTRY_FILES)
    ]


def translation_notes(content: Content, root: Path, listed: str | None = None) -> list[Problem]:
    """Not errors: per translation file, how many texts are still said in 日本語; for ``listed``, each of them."""
    notes: list[Problem] = []
    languages = content.languages
    for language_id, translated in content.translations.items():
        language = languages.get(language_id) if languages else None
        if language is None or language_id == BASE_LANGUAGE:
            continue
        if listed == language_id:
            notes += [missing.problem(language.name, root) for missing in translated.untranslated]
            continue
        by_file: dict[Path, int] = {}
        for missing in translated.untranslated:
            by_file[missing.overlay] = by_file.get(missing.overlay, 0) + 1
        notes += [
            Problem(overlay, 0, f"{count} text(s) not translated into {language.name} yet (said in 日本語; "
                                f"`kyoso check --missing {language_id}` lists them)")
            for overlay, count in sorted(by_file.items())
        ]
    return notes
