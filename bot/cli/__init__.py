"""`kyoso`: the command line, one module per command group.

Running the bot (bot/cli/running.py)
  kyoso serve [--host H] [--port P] [--telegram-polling]   the web server: webhooks, web chat, staff console
  kyoso chat [--user NAME]                                 talk to the bot in this terminal
Content (bot/cli/content.py)
  kyoso check [--content-dir DIR]                          validate dialogs/, faq/ and the LINE rich menu
  kyoso schema                                             the JSON schema of the draft proposal
FAQ (bot/faq/cli.py)
  kyoso ask QUESTION [--json] [--no-embeddings]            match a question against the FAQ
  kyoso faq import FILE [--to NAME] | faq export FILE      FAQ entries as CSV/Excel
  kyoso faq unanswered [--suggested]                       questions the bot could not answer
Submitted drafts (bot/cli/drafts.py)
  kyoso drafts list | drafts show REFERENCE [--json]
Staff accounts (bot/cli/staff.py)
  kyoso staff add NAME | staff reset NAME                  a one-time password for the console
Database (bot/cli/database.py)
  kyoso db upgrade                                         apply all migrations
  kyoso purge [--days N] [--dry-run]                       forget what the retention period no longer allows
Settings (bot/cli/doctor.py)
  kyoso doctor                                             missing, weak or unsafe settings
LINE (bot/cli/line.py)
  kyoso line richmenu | line emulator [--port P] [--webhook URL] [--user ID]
Telegram (bot/cli/telegram.py)
  kyoso telegram set-webhook URL | telegram emulator [--host H] [--port P]

``kyoso --help`` lists every command too (:func:`every_command` walks the parser, so the list cannot fall behind).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Iterator, Sequence

from bot.cli import content, database, doctor, drafts, line, running, staff, telegram
from bot.settings import Settings

GROUPS = (running, content, drafts, staff, database, doctor, line, telegram)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    settings = Settings()
    try:
        status: int = args.run(args, settings)
        return status
    except BrokenPipeError:  # the reader went away (`kyoso check | head`): stop quietly, as other tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error when Python flushes at exit
        return 128 + signal.SIGPIPE


def build_parser() -> argparse.ArgumentParser:
    from bot.faq.cli import register as register_faq_commands

    parser = argparse.ArgumentParser(
        prog="kyoso", description="協働・共創の窓口 intake assistant", formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(title="command groups")
    for group in GROUPS:
        group.register(commands)
    register_faq_commands(commands)  # ask, faq import/export/unanswered
    parser.epilog = "every command:\n" + "\n".join(
        f"  kyoso {' '.join(words):<22} {help_text}" for words, help_text in every_command(parser)
    )
    return parser


def every_command(parser: argparse.ArgumentParser, words: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], str]]:
    """Each command that runs something (``db upgrade``, not ``db``) as its words and its help, in the parser's order."""
    # argparse has no public way to walk its subcommands and their help.
    for action in parser._actions:  # noqa: SLF001
        if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
            helps = {choice.dest: choice.help or "" for choice in action._choices_actions}  # noqa: SLF001
            for name, subparser in action.choices.items():
                if subparser.get_default("run") is not None:
                    yield (*words, name), helps.get(name, "")
                yield from every_command(subparser, (*words, name))
