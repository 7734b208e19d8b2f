"""The small message vocabulary every channel adapter translates to and from."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_FILE_NAME = 120
_UNSAFE_IN_FILE_NAME = re.compile(r'[\x00-\x1f\x7f"\\/:*?<>|]')


class UserKey(BaseModel):
    """Who is talking: a channel name and that channel's user (or group) id."""

    model_config = ConfigDict(frozen=True)

    channel: str = Field(min_length=1, max_length=32)
    user_id: str = Field(min_length=1, max_length=128)

    def __str__(self) -> str:
        return f"{self.channel}:{self.user_id}"


class Attachment(BaseModel):
    """A file or image the user sent, as the channel received it.

    ``data`` is None until the channel fetched it by ``ref``, and stays None when it was larger than the
    limit (``size`` says how large) or gone from the platform.
    """

    name: str = ""
    size: int | None = Field(default=None, ge=0)
    data: bytes | None = Field(default=None, repr=False)
    ref: str | None = Field(default=None, max_length=256, description="the platform's handle the channel fetches it by")

    @field_validator("name")
    @classmethod
    def _safe_name(cls, value: str) -> str:
        """No folders, control or reserved characters (the name goes into a download header and a mail)."""
        base = re.split(r"[\\/]", value)[-1].encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
        return _UNSAFE_IN_FILE_NAME.sub("_", base).strip(" .")[-MAX_FILE_NAME:]


class Inbound(BaseModel):
    """One thing the user did: typed text, or pressed a button (payload).

    ``key`` names this input for good (e.g. the platform's event id): an input
    whose key was answered before (a redelivery, a retry after a crash) gets
    that first answer again and is not taken as a second turn.
    """

    user: UserKey
    text: str | None = None
    payload: str | None = None
    key: str | None = Field(default=None, max_length=200)
    not_text: bool = False  # a sticker, picture, file … instead of text: the bot reads only text
    unsent: bool = False  # the user withdrew the message whose text is ``text`` (LINE's 送信取消)
    document: Attachment | None = None  # a file or image sent to be kept with the draft (bot/core/documents.py)
    language_hint: str | None = Field(default=None, max_length=35)  # the platform's language code ('en', 'ja', 'zh-Hant')

    @field_validator("text", "payload")
    @classmethod
    def _storable(cls, value: str | None) -> str | None:
        """Drop control characters (PostgreSQL refuses NUL) and replace lone surrogates, which no database can store."""
        if value is None:
            return None
        paired = value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
        return _CONTROL.sub("", paired)


class Choice(BaseModel):
    """A button: what it says, and what comes back when it is pressed."""

    label: str
    payload: str


class CardRow(BaseModel):
    label: str
    value: str


class TextMessage(BaseModel):
    kind: Literal["text"] = "text"
    text: str
    choices: list[Choice] = Field(default_factory=list)
    numbered: bool = False  # a typed number picks one of its answers (bot.core.numbers): channels may list them so
    # What staff see of it among the last lines, when the text holds what only the user may open (a form link);
    # for the conversation only: never sent to a channel or stored with the message.
    for_staff: str | None = Field(default=None, exclude=True)



class CardMessage(BaseModel):
    """A structured summary (the draft proposal) that channels may render richly."""

    kind: Literal["card"] = "card"
    title: str
    rows: list[CardRow]
    footer: str = ""
    choices: list[Choice] = Field(default_factory=list)
    numbered: bool = False

    def as_text(self) -> str:
        """Plain-text rendering for channels without rich cards."""
        lines = [f"【{self.title}】"]
        lines += [f"■{row.label}\n{row.value}" for row in self.rows]
        if self.footer:
            lines.append(self.footer)
        return "\n".join(lines)


Outbound = Annotated[TextMessage | CardMessage, Field(discriminator="kind")]

REPLIES = TypeAdapter(list[Outbound])

Handler = Callable[[Inbound], Awaitable[list[Outbound]]]
"""What a channel calls for each thing the user did: the core's ``Engine.handle``."""
"""A turn's replies to and from JSON (stored with events and answered turns, sent to the web chat)."""
