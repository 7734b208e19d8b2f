"""The core's replies as LINE messages: quick replies, a Flex summary, texts split to LINE's limits.

Limits are LINE's (checked by the emulator the way the platform checks them):
at most 5 messages per call, 13 quick-reply items, 20-character labels,
300-character postback data, 5,000 UTF-16 units per text.

The messages are the Messaging API's JSON objects, built directly: the SDK's
models (pydantic 1) cost about a millisecond per reply to build and serialize.
"""

from __future__ import annotations

from typing import Any

from bot.core.messages import CardMessage, Choice, Outbound
from bot.core.numbers import answers
from bot.core.text import utf16_length

MAX_MESSAGES_PER_CALL = 5
MAX_QUICK_REPLIES = 13
MAX_LABEL = 20
MAX_POSTBACK_DATA = 300
MAX_TEXT_UNITS = 5000
MAX_ALT_TEXT = 400


Message = dict[str, Any]
"""A message object of the Messaging API (``{"type": "text", "text": …}``)."""


def to_batches(replies: list[Outbound], numbered_hint: str | None = None) -> list[list[Message]]:
    """Every reply as LINE messages, grouped into calls of at most five messages.

    When there are more than five, neighbouring plain texts are joined first
    (fewer calls, and the reply token covers more); what still does not fit
    goes into further calls. With ``numbered_hint``, the last reply's answers
    are also listed as numbered lines (quick replies do not show on LINE for PC):
    the core takes a typed number for the answer (``bot.core.numbers``).
    """
    if numbered_hint is not None and replies:
        replies = [*replies[:-1], with_numbered_lines(replies[-1], numbered_hint)]
    messages = [part for reply in _joined(replies) for part in _to_line(reply)]
    return [messages[start:start + MAX_MESSAGES_PER_CALL] for start in range(0, len(messages), MAX_MESSAGES_PER_CALL)]


def with_numbered_lines(reply: Outbound, hint: str) -> Outbound:
    """The reply with its answers listed under it as 「1. 共創とは」 lines (a card: in its footer)."""
    numbered = answers(reply.choices) if reply.numbered else []
    if not numbered:
        return reply
    block = "\n".join([hint, *(f"{index}. {choice.label}" for index, choice in enumerate(numbered, start=1))])
    if isinstance(reply, CardMessage):
        return reply.model_copy(update={"footer": f"{reply.footer}\n\n{block}" if reply.footer else block})
    return reply.model_copy(update={"text": f"{reply.text}\n\n{block}"})


def split_text(text: str, limit: int = MAX_TEXT_UNITS) -> list[str]:
    """Pieces of at most ``limit`` UTF-16 units, cut after a line break where there is one."""
    pieces: list[str] = []
    rest = text
    while utf16_length(rest) > limit:
        cut = _fit(rest, limit)
        newline = rest.rfind("\n", 0, cut)
        if newline > cut // 2:
            cut = newline + 1
        pieces.append(rest[:cut].rstrip("\n"))
        rest = rest[cut:]
    return [*pieces, rest]


def _fit(text: str, limit: int) -> int:
    """The longest prefix length (in characters) that fits ``limit`` UTF-16 units."""
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return index
    return len(text)


def _joined(replies: list[Outbound]) -> list[Outbound]:
    count = sum(_line_count(reply) for reply in replies)
    if count <= MAX_MESSAGES_PER_CALL:
        return replies
    joined: list[Outbound] = []
    for reply in replies:
        previous = joined[-1] if joined else None
        if (
            previous is not None
            and previous.kind == "text"
            and reply.kind == "text"
            and not previous.choices
            and utf16_length(previous.text) + 2 + utf16_length(reply.text) <= MAX_TEXT_UNITS
        ):
            joined[-1] = previous.model_copy(update={"text": previous.text + "\n\n" + reply.text, "choices": reply.choices})
        else:
            joined.append(reply)
    return joined


def _line_count(reply: Outbound) -> int:
    return 1 if isinstance(reply, CardMessage) else len(split_text(reply.text))


def _to_line(reply: Outbound) -> list[Message]:
    quick_reply = _quick_reply(reply.choices)
    if isinstance(reply, CardMessage):
        return [_with(quick_reply, {"type": "flex", "altText": _alt_text(reply), "contents": _bubble(reply)})]
    pieces = split_text(reply.text)
    return [
        _with(quick_reply if index == len(pieces) - 1 else None, {"type": "text", "text": piece})
        for index, piece in enumerate(pieces)
    ]


def _with(quick_reply: dict[str, Any] | None, message: Message) -> Message:
    if quick_reply is not None:
        message["quickReply"] = quick_reply
    return message


def _quick_reply(choices: list[Choice]) -> dict[str, Any] | None:
    """Buttons as postbacks; the label is also shown in the chat as what the user "said"."""
    items = [
        {
            "type": "action",
            "action": {
                "type": "postback", "label": choice.label[:MAX_LABEL], "data": choice.payload[:MAX_POSTBACK_DATA],
                "displayText": choice.label,
            },
        }
        for choice in choices[:MAX_QUICK_REPLIES]
    ]
    return {"items": items} if items else None


def _alt_text(card: CardMessage) -> str:
    """Shown in notifications and on devices without Flex support."""
    text = card.as_text()
    return text if len(text) <= MAX_ALT_TEXT else text[: MAX_ALT_TEXT - 1] + "…"


def _bubble(card: CardMessage) -> dict[str, Any]:
    rows = [
        {
            "type": "box",
            "layout": "vertical",
            "margin": "md",
            "contents": [
                {"type": "text", "text": row.label, "size": "sm", "color": "#666666", "wrap": True},
                {"type": "text", "text": row.value or " ", "wrap": True},
            ],
        }
        for row in card.rows
    ]
    bubble: dict[str, object] = {
        "type": "bubble",
        "header": {"type": "box", "layout": "vertical", "contents": [{"type": "text", "text": card.title, "weight": "bold", "wrap": True}]},
        "body": {"type": "box", "layout": "vertical", "contents": rows},
    }
    if card.footer:
        bubble["footer"] = {"type": "box", "layout": "vertical", "contents": [{"type": "text", "text": card.footer, "wrap": True, "size": "sm"}]}
    return bubble
