"""Staff chat sinks: a short notice with a console link, pushed to a LINE group or a Telegram chat.

The channels that push staff replies to proposers (``ProposerMessenger``) push
these notices too: only the destination differs.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.handoff.dossier import Dossier
from bot.handoff.notices import StaffNotice
from bot.handoff.render import DossierRenderer
from bot.handoff.replies import ProposerMessenger
from bot.handoff.sinks import HandoffSink


class StaffChatSink:
    def __init__(self, name: str, messenger: ProposerMessenger, chat_id: str, renderer: DossierRenderer) -> None:
        self.name = name
        self._messenger = messenger
        self._chat_id = chat_id
        self._renderer = renderer

    async def deliver(self, dossier: Dossier, key: str) -> None:
        await self._messenger.send(self._chat_id, self._renderer.chat_notice(dossier), key)

    async def notify(self, notice: StaffNotice, key: str) -> None:
        await self._messenger.send(self._chat_id, self._renderer.notice(notice), key)


def staff_chat_sinks(
    destinations: dict[str, str | None], messengers: Sequence[ProposerMessenger], renderer: DossierRenderer
) -> list[HandoffSink]:
    """One sink per channel that has both a configured staff chat (``destinations[channel]``) and a messenger."""
    return [
        StaffChatSink(f"{messenger.channel}-staff-chat", messenger, chat_id, renderer)
        for messenger in messengers
        if (chat_id := destinations.get(messenger.channel))
    ]
