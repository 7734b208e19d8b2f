"""The database: `kyoso db upgrade` (apply the migrations) and `kyoso purge` (forget what the retention period
no longer allows)."""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.settings import Settings


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    database = commands.add_parser("db", help="database schema")
    database_commands = database.add_subparsers(title="db commands", required=True)
    database_commands.add_parser("upgrade", help="apply all migrations").set_defaults(run=_db_upgrade)

    purge = commands.add_parser("purge", help="forget conversations and platform events older than the retention period")
    purge.add_argument("--days", type=int, help="retention in days (default: KYOSO_RETENTION_DAYS or 90)")
    purge.add_argument("--dry-run", action="store_true", help="only count what would be forgotten")
    purge.set_defaults(run=_purge)


def _db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    from storage.migrate import upgrade

    asyncio.run(upgrade(settings.database_url))
    print("database schema is up to date")
    return 0


def _purge(args: argparse.Namespace, settings: Settings) -> int:
    from datetime import UTC, datetime, timedelta

    from storage import retention
    from storage.migrate import upgrade
    from storage.sql_store import create_engine_for

    days = args.days if args.days is not None else settings.retention_days
    if days < 1:
        print("--days must be at least 1", file=sys.stderr)
        return 2

    async def run() -> None:
        await upgrade(settings.database_url)
        engine = create_engine_for(settings.database_url)
        cutoff = datetime.now(UTC) - timedelta(days=days)
        try:
            if args.dry_run:
                foreseen = await retention.preview(engine, cutoff)
                print(f"would purge {foreseen.conversations} conversation(s) idle for more than {days} days "
                      f"and {foreseen.events} finished platform event(s); nothing was deleted")
                return
            purged = await retention.purge(engine, cutoff)
        finally:
            await engine.dispose()
        print(f"purged {purged.conversations} conversation(s) idle for more than {days} days "
              f"and {purged.events} finished platform event(s); submitted drafts are kept")

    asyncio.run(run())
    return 0
