"""The core engine played by the transcripts of tests/lang, with the platform's language on a turn."""

from __future__ import annotations

from typing import Any

from bot.core.messages import Inbound
from tests.harness import CoreSession


class HintedSession(CoreSession):
    """The core, where a turn may say the platform's language (``hint``: LINE's profile, Telegram's language_code)."""

    def _inbound(self, turn: dict[str, Any]) -> Inbound | None:
        inbound = super()._inbound(turn)
        if inbound is not None and "hint" in turn:
            return inbound.model_copy(update={"language_hint": turn["hint"]})
        return inbound
