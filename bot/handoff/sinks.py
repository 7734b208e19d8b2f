"""The interface every staff sink implements: e-mail, webhook, staff LINE group and Telegram chat."""

from __future__ import annotations

import uuid
from typing import Protocol

from bot.handoff.dossier import Dossier
from bot.handoff.notices import StaffNotice

_KEY_NAMESPACE = uuid.UUID("5f8f3c4e-3b2a-4d1e-9a57-6b796f736f00")


class HandoffSink(Protocol):
    """Delivers one dossier to one place; raising any exception has the delivery retried later.

    ``key`` is the same for every attempt at one (draft, sink) delivery and is a
    UUID string: pass it on (Message-ID, a webhook header, LINE's
    ``X-Line-Retry-Key``) so the receiver can drop the repeat that follows a
    crash between sending and recording the success.
    """

    name: str

    async def deliver(self, dossier: Dossier, key: str) -> None: ...

    async def notify(self, notice: StaffNotice, key: str) -> None:
        """Tell staff about a consultation (担当者に相談) or a proposer's answer; ``key`` as for ``deliver``."""
        ...


def delivery_key(*parts: object) -> str:
    """A UUID that is the same for the same parts (e.g. reference and sink) on every attempt."""
    return str(uuid.uuid5(_KEY_NAMESPACE, "/".join(map(str, parts))))
