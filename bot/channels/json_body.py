"""Parsing a webhook body the way a hostile sender cannot abuse: bounded nesting, no ``RecursionError``.

LINE events and Telegram updates nest a handful of levels; anything deeper is
refused before it reaches a parser that recurses (pydantic, the SDKs).
"""

from __future__ import annotations

import json
from typing import Any

MAX_DEPTH = 32  # a LINE event or a Telegram update nests well under 10 levels


class BadJson(ValueError):
    """Not JSON, or nested deeper than ``MAX_DEPTH``."""


def parse(raw: bytes) -> Any:
    """The JSON value; callers check the nesting of each part they keep with ``too_deep``."""
    try:
        return json.loads(raw)
    except (ValueError, RecursionError) as error:  # bad UTF-8 is a ValueError too
        raise BadJson(type(error).__name__) from None


def too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    return depth(value, limit) > limit


def depth(value: Any, limit: int) -> int:
    """How deep ``value`` nests (a scalar is 0), counted without recursion and up to ``limit`` + 1 at most."""
    deepest, level = 0, [value]
    while level and deepest <= limit:
        children: list[Any] = []
        for item in level:
            if isinstance(item, dict):
                children.extend(item.values())
            elif isinstance(item, list):
                children.extend(item)
        if children or any(isinstance(item, dict | list) for item in level):
            deepest += 1
        level = children
    return deepest
