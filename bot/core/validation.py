"""Check a typed answer for a text step; return the cleaned value or the reason it was refused."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bot.content.models import TextStep
from bot.core.text import has_content

_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")
_PHONE_ALLOWED = re.compile(r"^\+?[0-9()\- ]+$")


@dataclass(frozen=True)
class Refusal:
    """Which message of ``validation:`` in common.yaml to show, with its values."""

    reason: str
    max: int = 0
    length: int = 0


def validate(step: TextStep, text: str) -> str | Refusal:
    value = text.strip()
    if not value:
        return Refusal("empty")
    if len(value) > step.max_length:
        return Refusal("too_long", max=step.max_length, length=len(value))
    if not has_content(value):
        return Refusal("no_content")
    if step.validate_as == "email":
        value = unicodedata.normalize("NFKC", value)
        return value if _EMAIL.match(value) and len(value) <= 254 else Refusal("email")
    if step.validate_as == "phone":
        return _phone(unicodedata.normalize("NFKC", value))
    return value


def _phone(value: str) -> str | Refusal:
    """Japanese numbers: 10 or 11 digits starting with 0, or +81 followed by 9 or 10 digits."""
    if not _PHONE_ALLOWED.match(value):
        return Refusal("phone")
    digits = re.sub(r"\D", "", value)
    if value.startswith("+"):
        valid = digits.startswith("81") and 11 <= len(digits) <= 12
    else:
        valid = digits.startswith("0") and 10 <= len(digits) <= 11
    return value if valid else Refusal("phone")
