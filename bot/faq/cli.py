"""`kyoso ask` and `kyoso faq import|export|unanswered`: the FAQ from the command line."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from bot.content.loader import Content, load_content
from bot.content.problems import ContentInvalid
from bot.faq.explain import explain
from bot.faq.live import build_index, load_embedder
from bot.faq.matcher import FaqIndex
from bot.faq.sheets import SheetInvalid, export_entries, import_entries
from bot.settings import Settings


def register(commands: Any) -> None:
    """Add the FAQ commands to the `kyoso` parser (``commands`` is its subparsers object)."""
    ask = commands.add_parser("ask", help="match a question against the FAQ; print the decision and the top 5")
    ask.add_argument("question")
    ask.add_argument("--json", action="store_true", help='print {"matched", "entry_id", "answer", "score", "suggestions"}')
    ask.add_argument("--no-embeddings", action="store_true", help="BM25 only, as when KYOSO_FAQ_EMBEDDINGS=false")
    ask.set_defaults(run=_ask)

    faq = commands.add_parser("faq", help="FAQ entries: import and export as CSV/Excel, unanswered questions")
    faq_commands = faq.add_subparsers(title="faq commands", required=True)
    importing = faq_commands.add_parser("import", help="check a .csv or .xlsx of entries and write it as a YAML file in faq/")
    importing.add_argument("file", type=Path)
    importing.add_argument("--to", default="imported.yaml", help="file in faq/ to write (replaced whole; default imported.yaml)")
    importing.set_defaults(run=_import)
    exporting = faq_commands.add_parser("export", help="write every FAQ entry to a .csv or .xlsx file")
    exporting.add_argument("file", type=Path)
    exporting.set_defaults(run=_export)
    unanswered = faq_commands.add_parser("unanswered", help="questions the bot could not answer, most asked first")
    unanswered.add_argument("--suggested", action="store_true", help="also list questions answered with did-you-mean")
    unanswered.set_defaults(run=_unanswered)


def _index(settings: Settings, embeddings: bool) -> tuple[FaqIndex, Content]:
    content = load_content(settings.content_dir)
    embedder = load_embedder(settings.cache_dir) if embeddings and settings.faq_embeddings else None
    return build_index(content, embedder), content


def _ask(args: argparse.Namespace, settings: Settings) -> int:
    try:
        index, content = _index(settings, embeddings=not args.no_embeddings)
    except ContentInvalid as invalid:
        return _problems(invalid, settings.content_dir)
    told = explain(index, content, args.question)
    read, match = told.reading, told.reading.faq
    if args.json:
        shown = match.answer
        print(json.dumps({
            "matched": shown is not None,
            "entry_id": shown.entry_id if shown else None,
            "answer": shown.answer if shown else None,
            "score": shown.score if shown else told.faq_score,
            "confidence": told.faq_confidence,
            "suggestions": [{"entry_id": hit.entry_id, "label": hit.label, "score": hit.score} for hit in match.suggestions],
            "intent": read.intent, "intent_confidence": read.intent_confidence, "intent_first": read.intent_first,
            "outside": read.outside,
        }, ensure_ascii=False, indent=2))
        return 0
    calibration = told.calibration
    bands = calibration.intents
    if told.decision == "intent":
        level = "done" if read.intent_confidence >= bands.sure else "asked first (はい/いいえ)"
        print(f"decision: intent {read.intent} (confidence {read.intent_confidence:.2f}: {level}; at a free-text question "
              f"of a form it needs {bands.ask_in_form} to be asked, {bands.sure_in_form} to be done)")
    elif told.decision == "outside":
        print(f"decision: outside the window 「{read.outside}」: the bot says it does not handle it")
    elif match.answer:
        print(f"decision: answer {match.answer.entry_id} 「{match.answer.label}」 (confidence {told.faq_confidence:.2f} ≥ {calibration.answer})")
    elif match.suggestions:
        labels = " / ".join(f"「{hit.label}」" for hit in match.suggestions)
        band = f"between {calibration.suggest} and {calibration.answer}, or not first"
        print(f"decision: did-you-mean {labels} (confidence {told.faq_confidence:.2f}: {band})")
    else:
        print(f"decision: unknown (FAQ confidence {told.faq_confidence:.2f} < {calibration.suggest}): the bot says it does not know")
    print(f"methods: {', '.join(f'{method} ×{weight}' for method, weight in told.weights.items())}")
    for number, found in enumerate(told.candidates, start=1):
        parts = "  ".join(f"{method} {score:.3f}" for method, score in found.scores.items())
        sure = f"  confidence {found.confidence:.2f}" if found.confidence is not None else ""
        words = f"  words: {' '.join(found.matched)}" if found.matched else ""
        print(f"{number}. {found.score:6.3f}  {found.kind:<7} {found.id:<16} {found.label}   ({parts}){sure}{words}")
    if match.answer:
        print()
        print(match.answer.answer)
    return 0


def _import(args: argparse.Namespace, settings: Settings) -> int:
    root = settings.content_dir.resolve()
    try:
        written, count = import_entries(args.file, root, args.to)
    except SheetInvalid as invalid:
        for problem in invalid.problems:
            print(problem, file=sys.stderr)
        print(f"{len(invalid.problems)} problem(s) in {args.file}: nothing was written", file=sys.stderr)
        return 1
    print(f"wrote {count} entries to {written.relative_to(root)}; check it with `kyoso ask`")
    return 0


def _export(args: argparse.Namespace, settings: Settings) -> int:
    try:
        content = load_content(settings.content_dir)
    except ContentInvalid as invalid:
        return _problems(invalid, settings.content_dir)
    export_entries(content.faq, args.file)
    print(f"wrote {len(content.faq)} entries to {args.file}")
    return 0


def _unanswered(args: argparse.Namespace, settings: Settings) -> int:
    from storage.migrate import upgrade
    from storage.sql_store import SqlStore, create_engine_for

    async def counts() -> list[Any]:
        await upgrade(settings.database_url)
        store = SqlStore(create_engine_for(settings.database_url))
        try:
            return await store.question_counts(["unanswered", "suggested"] if args.suggested else ["unanswered"])
        finally:
            await store.close()

    rows = asyncio.run(counts())
    if not rows:
        print("no unanswered questions")
    for row in rows:
        print(f"{row.count:>4}  {row.last_asked.astimezone().strftime('%Y-%m-%d %H:%M')}  {row.question}")
    return 0


def _problems(invalid: ContentInvalid, root: Path) -> int:
    for problem in invalid.problems:
        print(problem.render(root), file=sys.stderr)
    print("the content files have problems: fix them (kyoso check) and try again", file=sys.stderr)
    return 1
