"""`kyoso` command line: chat, check, schema, db upgrade, drafts."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import os
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from bot.content.checks import unfilled
from bot.content.loader import Content, load_content
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
    try:
        return args.run(args, settings)
    except BrokenPipeError:  # the reader went away (`kyoso check | head`): stop quietly, as other tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error when Python flushes at exit
        return 128 + signal.SIGPIPE


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kyoso", description="協働・共創の窓口 intake assistant")
    commands = parser.add_subparsers(title="commands")

    chat = commands.add_parser("chat", help="talk to the bot in this terminal")
    chat.add_argument("--user", default=getpass.getuser(), help="who you are (each user has their own conversation)")
    chat.set_defaults(run=_chat)

    check = commands.add_parser("check", help="validate dialogs/ and faq/; print file:line: reason for each problem")
    check.add_argument("--content-dir", type=Path, help="folder holding dialogs/ and faq/ (default: KYOSO_CONTENT_DIR)")
    check.set_defaults(run=_check)

    doctor = commands.add_parser("doctor", help="report missing, weak or unsafe settings (exit 1 on an error)")
    doctor.set_defaults(run=_doctor)

    purge = commands.add_parser("purge", help="forget conversations and platform events older than the retention period")
    purge.add_argument("--days", type=int, help="retention in days (default: KYOSO_RETENTION_DAYS or 90)")
    purge.add_argument("--dry-run", action="store_true", help="only count what would be forgotten")
    purge.set_defaults(run=_purge)

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

    from bot.faq.cli import register as register_faq_commands

    register_faq_commands(commands)  # ask, faq import/export/unanswered

    serve = commands.add_parser("serve", help="start the web server: LINE webhook, web chat, health checks")
    serve.add_argument("--host", help="address to listen on (default: KYOSO_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default: KYOSO_PORT or 8080)")
    serve.add_argument("--telegram-polling", action="store_true", help="fetch Telegram updates (getUpdates) instead of the webhook")
    serve.set_defaults(run=_serve)

    line = commands.add_parser("line", help="LINE channel administration")
    line_commands = line.add_subparsers(title="line commands", required=True)
    richmenu = line_commands.add_parser("richmenu", help="create the rich menu from the content file and make it the default")
    richmenu.set_defaults(run=_line_richmenu)

    emulator = commands.add_parser("line-emulator", help="a local LINE platform with you as the user, for trying the bot")
    emulator.add_argument("--port", type=int, default=8090, help="port of the emulated Messaging API (default 8090)")
    emulator.add_argument("--webhook", default="http://127.0.0.1:8080/webhooks/line", help="the bot's webhook URL")
    emulator.add_argument("--user", default="U" + "0" * 31 + "1", help="the LINE user id you play")
    emulator.set_defaults(run=_line_emulator)

    telegram_emulator = commands.add_parser("telegram-emulator", help="a local Telegram Bot API server for trying the bot")
    telegram_emulator.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    telegram_emulator.add_argument("--port", type=int, default=8081, help="port of the emulated Bot API (default 8081)")
    telegram_emulator.set_defaults(run=_telegram_emulator)

    telegram = commands.add_parser("telegram", help="Telegram channel administration")
    telegram_commands = telegram.add_subparsers(title="telegram commands", required=True)
    set_webhook = telegram_commands.add_parser("set-webhook", help="have Telegram POST updates to URL (…/webhooks/telegram)")
    set_webhook.add_argument("url", help="the public https URL of POST /webhooks/telegram")
    set_webhook.set_defaults(run=_telegram_set_webhook)

    staff = commands.add_parser("staff", help="staff console accounts")
    staff_commands = staff.add_subparsers(title="staff commands", required=True)
    for name, help_text in [("add", "create a staff account and print its one-time password"),
                            ("reset", "give an existing account a new one-time password (its sessions end)")]:
        account = staff_commands.add_parser(name, help=help_text)
        account.add_argument("name", help="the log-in name")
        account.set_defaults(run=_staff_account, new=name == "add")
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
    if _rich_menu_problems(root, content) or _example_problems(root, content, settings):
        return 1
    print(f"OK: {len(content.dialogs)} dialogs, {len(content.steps)} steps, {len(content.faq)} FAQ entries in {root}")
    for note in unfilled(content):
        print(f"note: {note.render(root)}")
    return 0


def _example_problems(root: Path, content: Content, settings: Settings) -> bool:
    """Intent examples that the matcher (as the bot runs it) takes for another intent or an FAQ entry."""
    from bot.faq.examples import example_problems
    from bot.faq.live import build_index, load_embedder

    embedder = load_embedder(settings.cache_dir) if settings.faq_embeddings else None
    problems = example_problems(content, build_index(content, embedder))
    for problem in problems:
        print(problem.render(root))
    if problems:
        print(f"{len(problems)} problem(s) found", file=sys.stderr)
    return bool(problems)


def _rich_menu_problems(root: Path, content: Content) -> bool:
    """Check the LINE rich menu file too, when the content folder has one."""
    from bot.channels.line.richmenu import RICH_MENU_FILE, load_rich_menu

    if not (root / RICH_MENU_FILE).exists():
        return False
    _, problems = load_rich_menu(root, content)
    for problem in problems:
        print(problem.render(root))
    if problems:
        print(f"{len(problems)} problem(s) found", file=sys.stderr)
    return bool(problems)


def _doctor(args: argparse.Namespace, settings: Settings) -> int:
    from bot.doctor import diagnose

    findings = diagnose(settings)
    for finding in findings:
        print(finding.render())
    if not findings:
        print("OK: no problems found in the settings")
    return 1 if any(finding.level == "error" for finding in findings) else 0


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

    def run() -> None:
        # The prompt waits on this thread, not in the event loop: Ctrl-C interrupts it at once.
        with asyncio.Runner() as runner:
            app = runner.run(build_app(settings))
            try:
                chat(
                    lambda inbound: runner.run(app.engine.handle(inbound)), UserKey(channel=CHANNEL, user_id=args.user),
                    lambda: input("> "), sys.stdout, app.content.common.messages.choose_number,
                )
            finally:
                runner.run(app.close())

    return _with_content_errors(run, settings)


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from bot.server.run import serve

    settings = settings.model_copy(update={k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None})
    return _with_content_errors(lambda: asyncio.run(serve(settings, args.telegram_polling)), settings)


def _line_richmenu(args: argparse.Namespace, settings: Settings) -> int:
    from bot.channels.line.richmenu import install_rich_menu

    if not settings.line_enabled:
        print("set LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN first", file=sys.stderr)
        return 1
    rich_menu_id = asyncio.run(install_rich_menu(settings, load_content(settings.content_dir)))
    print(f"rich menu {rich_menu_id} created and set as the default")
    return 0


def _line_emulator(args: argparse.Namespace, settings: Settings) -> int:
    from bot.emulators.line.console import run_console

    if not settings.line_enabled:
        print("set LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN (the same values as the bot's)", file=sys.stderr)
        return 1
    try:
        asyncio.run(run_console(settings, args.port, args.webhook, args.user))
    except KeyboardInterrupt:
        return 130
    return 0


def _telegram_set_webhook(args: argparse.Namespace, settings: Settings) -> int:
    from bot.channels.telegram.client import register_webhook

    if settings.telegram_bot_token is None:
        print("set TELEGRAM_BOT_TOKEN first (and TELEGRAM_WEBHOOK_SECRET, which the webhook checks)", file=sys.stderr)
        return 1
    secret = settings.telegram_webhook_secret.get_secret_value() if settings.telegram_webhook_secret else None
    token = settings.telegram_bot_token.get_secret_value()
    asyncio.run(register_webhook(token, settings.telegram_api_base_url, args.url, secret))
    print(f"Telegram now sends updates to {args.url}")
    return 0


def _telegram_emulator(args: argparse.Namespace, settings: Settings) -> int:
    from bot.emulators.telegram import DEFAULT_TOKEN
    from bot.emulators.telegram.run import run_emulator

    token = settings.telegram_bot_token.get_secret_value() if settings.telegram_bot_token else DEFAULT_TOKEN
    try:
        asyncio.run(run_emulator(args.host, args.port, token))
    except KeyboardInterrupt:
        return 130
    return 0


def _with_content_errors(run: Callable[[], object], settings: Settings) -> int:
    try:
        run()
    except ContentInvalid as invalid:
        for problem in invalid.problems:
            print(problem.render(settings.content_dir), file=sys.stderr)
        print("the content files have problems: fix them (kyoso check) and start again", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print()
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


def _staff_account(args: argparse.Namespace, settings: Settings) -> int:
    return asyncio.run(_set_one_time_password(settings, args.name, args.new))


async def _set_one_time_password(settings: Settings, name: str, new: bool) -> int:
    from datetime import UTC, datetime

    from bot.staff.passwords import hash_password, one_time_password
    from storage.migrate import upgrade
    from storage.queue import RetryPolicy
    from storage.sql_store import create_engine_for
    from storage.staff import SqlStaff

    await upgrade(settings.database_url)
    database = create_engine_for(settings.database_url)
    staff, password, now = SqlStaff(database, RetryPolicy()), one_time_password(), datetime.now(UTC)
    try:
        if new and not await staff.add_user(name, hash_password(password), now):
            print(f"a staff account named {name!r} already exists (kyoso staff reset {name} gives it a new password)",
                  file=sys.stderr)
            return 1
        if not new:
            if await staff.get_user(name) is None:
                print(f"no staff account named {name!r}", file=sys.stderr)
                return 1
            await staff.set_password(name, hash_password(password), temporary=True, now=now)
    finally:
        await database.dispose()
    print(f"one-time password for {name}: {password}")
    print("it works for one log-in at /staff/login, where a new password must be chosen")
    return 0
