"""The core's replies as Telegram messages: HTML-escaped text, bold headings on cards, inline keyboards, ≤4,096 per message.

Every message goes out with ``parse_mode=HTML`` so that escaping is done in
one place. Splitting works on the visible text (Telegram counts the limit
after parsing, in UTF-16 units) at line boundaries; a line longer than the
limit is cut.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import MessageLimit

from bot.core.messages import CardMessage, Choice, Outbound

MAX_TEXT = MessageLimit.MAX_TEXT_LENGTH


@dataclass(frozen=True)
class Line:
    text: str
    bold: bool = False

    def html(self) -> str:
        escaped = html.escape(self.text, quote=False)
        return f"<b>{escaped}</b>" if self.bold and self.text else escaped


@dataclass(frozen=True)
class TelegramText:
    """One ``sendMessage``: HTML text and, on the last part of a reply, its buttons."""

    html: str
    keyboard: InlineKeyboardMarkup | None = None


def render(reply: Outbound, limit: int = MAX_TEXT) -> list[TelegramText]:
    parts = [TelegramText("\n".join(line.html() for line in chunk)) for chunk in pack(lines_of(reply), limit)]
    if reply.choices:
        parts[-1] = TelegramText(parts[-1].html, keyboard(reply.choices))
    return parts


def lines_of(reply: Outbound) -> list[Line]:
    if not isinstance(reply, CardMessage):
        return [Line(text) for text in reply.text.split("\n")]
    lines = [Line(f"【{reply.title}】", bold=True)]
    for row in reply.rows:
        lines += [Line(f"■{row.label}", bold=True), *(Line(text) for text in row.value.split("\n"))]
    if reply.footer:
        lines += [Line(text) for text in reply.footer.split("\n")]
    return lines


def keyboard(choices: list[Choice]) -> InlineKeyboardMarkup:
    """One button per row: labels are Japanese phrases, easier to read and tap on a phone one by one."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(choice.label, callback_data=choice.payload)] for choice in choices])


def pack(lines: list[Line], limit: int) -> list[list[Line]]:
    """Group lines into messages of at most ``limit`` visible UTF-16 units (newlines included)."""
    chunks: list[list[Line]] = [[]]
    size = 0
    for line in (piece for whole in lines for piece in _cut(whole, limit)):
        needed = _units(line.text) + (1 if chunks[-1] else 0)
        if chunks[-1] and size + needed > limit:
            chunks.append([])
            size, needed = 0, _units(line.text)
        chunks[-1].append(line)
        size += needed
    return chunks


def _cut(line: Line, limit: int) -> list[Line]:
    if _units(line.text) <= limit:
        return [line]
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    for char in line.text:
        if size + _units(char) > limit:
            pieces.append("".join(current))
            current, size = [], 0
        current.append(char)
        size += _units(char)
    pieces.append("".join(current))
    return [Line(piece, line.bold) for piece in pieces]


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2
