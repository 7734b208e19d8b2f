"""`kyoso doctor`: the settings an operator should fix before going live."""

from __future__ import annotations

import argparse

from bot.settings import Settings


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    doctor = commands.add_parser("doctor", help="report missing, weak or unsafe settings (exit 1 on an error)")
    doctor.set_defaults(run=_doctor)


def _doctor(args: argparse.Namespace, settings: Settings) -> int:
    from bot.doctor import diagnose

    findings = diagnose(settings)
    for finding in findings:
        print(finding.render())
    if not findings:
        print("OK: no problems found in the settings")
    return 1 if any(finding.level == "error" for finding in findings) else 0
