"""The content staff edit: `kyoso check` (dialogs/, faq/ and the LINE rich menu, as file:line: reason) and
`kyoso schema` (the draft proposal's JSON schema)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bot.cli.common import print_problems
from bot.content.checks import unfilled
from bot.content.languages import translation_notes
from bot.content.loader import Content, load_content
from bot.content.problems import ContentInvalid
from bot.core.draft import DraftProposal
from bot.settings import Settings


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    check = commands.add_parser("check", help="validate dialogs/ and faq/; print file:line: reason for each problem")
    check.add_argument("--content-dir", type=Path, help="folder holding dialogs/ and faq/ (default: KYOSO_CONTENT_DIR)")
    check.add_argument("--missing", metavar="LANGUAGE", help="list every text not yet translated into LANGUAGE (en, easy)")
    check.set_defaults(run=_check)

    schema = commands.add_parser("schema", help="print the JSON schema of the draft proposal")
    schema.set_defaults(run=_schema)


def _check(args: argparse.Namespace, settings: Settings) -> int:
    root = (args.content_dir or settings.content_dir).resolve()
    try:
        content = load_content(root)
    except ContentInvalid as invalid:
        print_problems(invalid.problems, root)
        return 1
    if _rich_menu_problems(root, content) or _example_problems(root, content, settings):
        return 1
    print(f"OK: {len(content.dialogs)} dialogs, {len(content.steps)} steps, {len(content.faq)} FAQ entries in {root}")
    for note in [*unfilled(content), *translation_notes(content, root, args.missing)]:
        print(f"note: {note.render(root)}")
    return 0


def _example_problems(root: Path, content: Content, settings: Settings) -> bool:
    """Intent examples that the matcher (as the bot runs it) takes for another intent or an FAQ entry."""
    from bot.faq.examples import example_problems
    from bot.faq.live import build_index, load_embedder

    embedder = load_embedder(settings.cache_dir) if settings.faq_embeddings else None
    return print_problems(example_problems(content, build_index(content, embedder)), root)


def _rich_menu_problems(root: Path, content: Content) -> bool:
    """Check the LINE rich menu file too, when the content folder has one."""
    from bot.channels.line.richmenu import RICH_MENU_FILE, load_rich_menu

    if not (root / RICH_MENU_FILE).exists():
        return False
    _, problems = load_rich_menu(root, content)
    return print_problems(problems, root)


def _schema(args: argparse.Namespace, settings: Settings) -> int:
    print(json.dumps(DraftProposal.model_json_schema(), ensure_ascii=False, indent=2))
    return 0
