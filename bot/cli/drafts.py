"""`kyoso drafts list` and `kyoso drafts show`: the submitted drafts, read from the database."""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.core.draft import DraftProposal, StoredDraft
from bot.settings import Settings


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    drafts = commands.add_parser("drafts", help="submitted drafts")
    drafts_commands = drafts.add_subparsers(title="drafts commands", required=True)
    drafts_commands.add_parser("list", help="list submitted drafts, newest first").set_defaults(run=_drafts_list)
    show = drafts_commands.add_parser("show", help="print one submitted draft")
    show.add_argument("reference", help="KY-YYYY-NNNN")
    show.add_argument("--json", action="store_true", help="print JSON instead of text")
    show.set_defaults(run=_drafts_show)


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
