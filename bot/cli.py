"""`kyoso` command line: chat, check, schema, db upgrade, drafts."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.content.loader import load_content
from bot.content.problems import ContentInvalid
from bot.core.draft import DraftProposal, StoredDraft
from bot.core.messages import UserKey
from bot.settings import Settings


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    settings = Settings()
    return args.run(args, settings)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kyoso", description="協働・共創の窓口 intake assistant")
    commands = parser.add_subparsers(title="commands")

    chat = commands.add_parser("chat", help="talk to the bot in this terminal")
    chat.add_argument("--user", default=getpass.getuser(), help="who you are (each user has their own conversation)")
    chat.set_defaults(run=_chat)

    check = commands.add_parser("check", help="validate dialogs/ and faq/; print file:line: reason for each problem")
    check.add_argument("--content-dir", type=Path, help="folder holding dialogs/ and faq/ (default: KYOSO_CONTENT_DIR)")
    check.set_defaults(run=_check)

    schema = commands.add_parser("schema", help="print the JSON schema of the draft proposal")
    schema.set_defaults(run=_schema)

    database = commands.add_parser("db", help="database schema")
    database_commands = database.add_subparsers(title="db commands", required=True)
    database_commands.add_parser("upgrade", help="apply all migrations").set_defaults(run=_db_upgrade)

    drafts = commands.add_parser("drafts", help="submitted drafts")
    drafts_commands = drafts.add_subparsers(title="drafts commands", required=True)
    drafts_commands.add_parser("list", help="list submitted drafts, newest first").set_defaults(run=_drafts_list)
    show = drafts_commands.add_parser("show", help="print one submitted draft")
    show.add_argument("reference", help="KY-YYYY-NNNN")
    show.add_argument("--json", action="store_true", help="print JSON instead of text")
    show.set_defaults(run=_drafts_show)
    return parser


def _check(args: argparse.Namespace, settings: Settings) -> int:
    root = (args.content_dir or settings.content_dir).resolve()
    try:
        content = load_content(root)
    except ContentInvalid as invalid:
        for problem in invalid.problems:
            print(problem.render(root))
        print(f"{len(invalid.problems)} problem(s) found", file=sys.stderr)
        return 1
    print(f"OK: {len(content.dialogs)} dialogs, {len(content.steps)} steps, {len(content.faq)} FAQ entries in {root}")
    return 0


def _schema(args: argparse.Namespace, settings: Settings) -> int:
    print(json.dumps(DraftProposal.model_json_schema(), ensure_ascii=False, indent=2))
    return 0


def _db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    from storage.migrate import upgrade

    asyncio.run(upgrade(settings.database_url))
    print("database schema is up to date")
    return 0


def _chat(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import build_app
    from bot.channels.terminal import CHANNEL, chat

    async def run() -> None:
        app = await build_app(settings)
        try:
            await chat(app.engine.handle, UserKey(channel=CHANNEL, user_id=args.user), lambda: input("> "), sys.stdout)
        finally:
            await app.close()

    return _with_content_errors(run, settings)


def _with_content_errors(run, settings: Settings) -> int:  # type: ignore[no-untyped-def]
    try:
        asyncio.run(run())
    except ContentInvalid as invalid:
        for problem in invalid.problems:
            print(problem.render(settings.content_dir), file=sys.stderr)
        print("the content files have problems: fix them (kyoso check) and start again", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


def _drafts_list(args: argparse.Namespace, settings: Settings) -> int:
    drafts: list[StoredDraft] = asyncio.run(_read_drafts(settings, None))
    if not drafts:
        print("no submitted drafts")
    for draft in drafts:
        submitted = draft.submitted_at.astimezone().strftime("%Y-%m-%d %H:%M")
        print(f"{draft.reference}  {submitted}  {draft.status}  {draft.draft.org_name}  {draft.draft.title}")
    return 0


def _drafts_show(args: argparse.Namespace, settings: Settings) -> int:
    found = asyncio.run(_read_drafts(settings, args.reference))
    if not found:
        print(f"no draft {args.reference}", file=sys.stderr)
        return 1
    draft = found[0]
    if args.json:
        print(draft.model_dump_json(indent=2))
        return 0
    print(f"{draft.reference}  ({draft.status}, {draft.user}, {draft.submitted_at.isoformat()})")
    for name, info in DraftProposal.model_fields.items():
        value = getattr(draft.draft, name)
        if name != "schema_version" and value:
            print(f"{info.description}: {value}")
    print(f"consent: version {draft.consent.notice_version} at {draft.consent.agreed_at.isoformat()}")
    return 0


async def _read_drafts(settings: Settings, reference: str | None) -> list[StoredDraft]:
    from storage.migrate import upgrade
    from storage.sql_store import SqlStore, create_engine_for

    await upgrade(settings.database_url)
    store = SqlStore(create_engine_for(settings.database_url))
    try:
        if reference is None:
            return await store.list_drafts()
        draft = await store.get_draft(reference)
        return [draft] if draft else []
    finally:
        await store.close()
