"""`kyoso staff add` and `kyoso staff reset`: staff console accounts, each given a one-time password."""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.settings import Settings


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    staff = commands.add_parser("staff", help="staff console accounts")
    staff_commands = staff.add_subparsers(title="staff commands", required=True)
    for name, help_text in [("add", "create a staff account and print its one-time password"),
                            ("reset", "give an existing account a new one-time password (its sessions end)")]:
        account = staff_commands.add_parser(name, help=help_text)
        account.add_argument("name", help="the log-in name")
        account.set_defaults(run=_staff_account, new=name == "add")


def _staff_account(args: argparse.Namespace, settings: Settings) -> int:
    return asyncio.run(_set_one_time_password(settings, args.name, args.new))


async def _set_one_time_password(settings: Settings, name: str, new: bool) -> int:
    from datetime import UTC, datetime

    from bot.staff.passwords import hash_password, one_time_password
    from storage.migrate import upgrade
    from storage.sql_store import create_engine_for
    from storage.staff_accounts import SqlStaffAccounts

    await upgrade(settings.database_url)
    database = create_engine_for(settings.database_url)
    accounts, password, now = SqlStaffAccounts(database), one_time_password(), datetime.now(UTC)
    try:
        if new and not await accounts.add_user(name, hash_password(password), now):
            print(f"a staff account named {name!r} already exists (kyoso staff reset {name} gives it a new password)",
                  file=sys.stderr)
            return 1
        if not new:
            if await accounts.get_user(name) is None:
                print(f"no staff account named {name!r}", file=sys.stderr)
                return 1
            await accounts.set_password(name, hash_password(password), temporary=True, now=now)
    finally:
        await database.dispose()
    print(f"one-time password for {name}: {password}")
    print("it works for one log-in at /staff/login, where a new password must be chosen")
    return 0
