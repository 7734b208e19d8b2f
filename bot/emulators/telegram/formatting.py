"""Message text as Telegram checks it: HTML parse mode turned into text plus entities, then the limits.

The 4,096 limit applies to the text *after* entity parsing, counted in UTF-16
code units (the unit Telegram's entity offsets use).
"""

from __future__ import annotations

import html
import re
from typing import Any

from bot.emulators.telegram.errors import ApiError, bad_request

MAX_TEXT = 4096

_ENTITY_OF_TAG = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline", "ins": "underline",
    "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough", "code": "code", "pre": "pre",
    "a": "text_link", "tg-spoiler": "spoiler", "blockquote": "blockquote",
}
_TOKEN = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)([^<>]*)>|&(#[0-9]+|#x[0-9a-fA-F]+|lt|gt|amp|quot);|<")


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def parse_text(raw: Any, parse_mode: str | None) -> tuple[str, list[dict[str, Any]]]:
    """The text a user sees and its entities; raises the real server's errors for bad markup or length."""
    source = "" if raw is None else str(raw)
    entities: list[dict[str, Any]] = []
    if not parse_mode:
        text = source
    elif parse_mode.lower() == "html":
        text, entities = _parse_html(source)
    else:
        raise bad_request(f"unsupported parse_mode {parse_mode!r} (the emulator knows HTML only)")
    text, entities = _strip(text, entities)
    if not text:
        raise bad_request("message text is empty")
    if utf16_length(text) > MAX_TEXT:
        raise bad_request("message is too long")
    return text, entities


def _parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    text: list[str] = []
    length = 0  # UTF-16 units written so far
    open_tags: list[tuple[str, int, str]] = []
    entities: list[dict[str, Any]] = []
    position = 0
    for match in _TOKEN.finditer(source):
        plain = source[position:match.start()]
        text.append(plain)
        length += utf16_length(plain)
        position = match.end()
        closing, tag, attributes, reference = match.group(1), (match.group(2) or "").lower(), match.group(3), match.group(4)
        where = len(source[:match.start()].encode())
        if reference is not None:
            char = html.unescape(match.group(0))
            text.append(char)
            length += utf16_length(char)
        elif not tag:
            raise _cannot_parse(f'Unsupported start tag "" at byte offset {where}')
        elif tag not in _ENTITY_OF_TAG:
            raise _cannot_parse(f'Unsupported start tag "{tag}" at byte offset {where}')
        elif not closing:
            open_tags.append((tag, length, attributes))
        elif not open_tags or open_tags[-1][0] != tag:
            expected = f'"</{open_tags[-1][0]}>"' if open_tags else "nothing"
            raise _cannot_parse(f'Unmatched end tag at byte offset {where}, expected {expected}, found "</{tag}>"')
        else:
            _, start, attributes = open_tags.pop()
            if length > start:
                entities.append(_entity(tag, start, length - start, attributes))
    if open_tags:
        raise _cannot_parse(f'Can\'t find end tag corresponding to start tag "{open_tags[-1][0]}"')
    text.append(source[position:])
    return "".join(text), sorted(entities, key=lambda entity: entity["offset"])


def _entity(tag: str, offset: int, length: int, attributes: str) -> dict[str, Any]:
    entity: dict[str, Any] = {"type": _ENTITY_OF_TAG[tag], "offset": offset, "length": length}
    href = re.search(r'href\s*=\s*"([^"]*)"', attributes)
    if tag == "a" and href:
        entity["url"] = html.unescape(href.group(1))
    return entity


def _strip(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Telegram trims surrounding whitespace; entities move with the text."""
    lead = utf16_length(text) - utf16_length(text.lstrip())
    stripped = text.strip()
    end = utf16_length(stripped)
    kept = []
    for entity in entities:
        start, stop = max(entity["offset"] - lead, 0), min(entity["offset"] + entity["length"] - lead, end)
        if stop > start:
            kept.append({**entity, "offset": start, "length": stop - start})
    return stripped, kept


def _cannot_parse(reason: str) -> ApiError:
    return bad_request(f"can't parse entities: {reason}")
