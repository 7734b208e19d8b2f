"""Typed answers for text steps: what is accepted (and how it is cleaned) and what is refused."""

from __future__ import annotations

import pytest

from bot.content.models import TextStep
from bot.core.validation import Refusal, validate


def step(kind: str = "text", max_length: int = 50) -> TextStep:
    return TextStep.model_validate({"id": "x", "type": "text", "text": "?", "field": "f", "validate": kind, "max_length": max_length, "next": "y"})


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("name@example.jp", "name@example.jp"),
        ("  Name.Last+tag@city.example.lg.jp ", "Name.Last+tag@city.example.lg.jp"),
        ("ｎａｍｅ＠ｅｘａｍｐｌｅ．ｊｐ", "name@example.jp"),
    ],
)
def test_email_accepted(typed: str, stored: str) -> None:
    assert validate(step("email", 254), typed) == stored


@pytest.mark.parametrize("typed", ["name.example.jp", "name@", "@example.jp", "name@example", "na me@example.jp", "名前@例え.jp"])
def test_email_refused(typed: str) -> None:
    assert validate(step("email", 254), typed) == Refusal("email")


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("042-123-4567", "042-123-4567"), ("０９０１２３４５６７８", "09012345678"), ("+81 42 123 4567", "+81 42 123 4567"),
        ("(042)123-4567", "(042)123-4567"),
    ],
)
def test_phone_accepted(typed: str, stored: str) -> None:
    assert validate(step("phone", 20), typed) == stored


@pytest.mark.parametrize("typed", ["12345", "42-123-4567", "042-123-4567 内線5", "+1 212 555 0100", "0120-12-345678"])
def test_phone_refused(typed: str) -> None:
    assert validate(step("phone", 20), typed) == Refusal("phone")


def test_text_refusals_say_why() -> None:
    assert validate(step(), "") == Refusal("empty")
    assert validate(step(), " \n\t") == Refusal("empty")
    assert validate(step(), "😀🎉") == Refusal("no_content")
    assert validate(step(), "！？…") == Refusal("no_content")
    assert validate(step(max_length=5), "あいうえおか") == Refusal("too_long", max=5, length=6)
    assert validate(step(), "  花壇づくり  ") == "花壇づくり"
