"""Staff replies to proposers: stored in an outbox, pushed over the proposer's own channel.

Each channel supplies a :class:`ProposerMessenger` (LINE push, Telegram
message). A channel without push (the web chat) uses :class:`PullMessenger`:
the reply counts as delivered once it is stored, and the chat fetches it with
``SqlStaff.replies_for``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from sqlalchemy import Row

from bot.content.loader import Content
from bot.core.messages import Choice
from bot.core.ports import Clock
from bot.core.text import render
from bot.handoff.sinks import delivery_key
from bot.handoff.worker import OutboxWorker
from storage.queue import OutboxQueue


class ProposerMessenger(Protocol):
    channel: str

    async def send(self, user_id: str, text: str, key: str, choices: Sequence[Choice] = ()) -> None:
        """Push ``text`` (with ``choices`` as buttons) to the user; ``key`` is stable across retries (use it as
        LINE's X-Line-Retry-Key)."""
        ...


class PullMessenger:
    """For channels the proposer polls: nothing to push."""

    def __init__(self, channel: str) -> None:
        self.channel = channel

    async def send(self, user_id: str, text: str, key: str, choices: Sequence[Choice] = ()) -> None:
        return None


class ReplyFrame:
    """A staff member's words as the proposer receives them, inside the frame of dialogs/replies.yaml.

    The frame names the reference number (or the consultation's), so the reply is told apart from the bot.
    """

    def __init__(self, content: Content | Callable[[], Content]) -> None:
        self._content = content if callable(content) else lambda: content  # the running bot's follows edits

    def about_draft(self, reference: str, text: str) -> str:
        content = self._content()
        return render(content.replies.draft_reply, {**content.facts.facts, "reference": reference, "text": text})

    def in_consultation(self, consultation_id: int, text: str) -> str:
        content = self._content()
        return render(content.replies.consultation_reply, {**content.facts.facts, "consultation": consultation_id, "text": text})

    def status_change(self, reference: str, title: str, old: str, new: str, personal: str = "") -> str | None:
        """What the proposer is told of the move (dialogs/after_handoff.yaml), or None when it sends nothing."""
        content = self._content()
        texts, values = content.after_handoff.status, {**content.facts.facts, "reference": reference, "title": title}
        lines = [render(said, values)] if (said := texts.text_for(old, new)) else []
        if personal:
            lines.append(render(texts.personal, {"note": personal}))
        if not lines:
            return None
        return render(texts.frame, {**values, "text": "\n".join(lines)})


class ReplyDispatcher:
    def __init__(self, queue: OutboxQueue, messengers: Sequence[ProposerMessenger], clock: Clock) -> None:
        self._messengers = {messenger.channel: messenger for messenger in messengers}
        self._worker = OutboxWorker(queue, self._deliver, clock)

    async def run_once(self) -> int:
        return await self._worker.run_once()

    async def _deliver(self, row: Row[Any]) -> None:
        messenger = self._messengers.get(row.channel)
        if messenger is None:
            raise LookupError(f"no way to send to the {row.channel} channel yet")
        choices = [Choice.model_validate(choice) for choice in row.choices or []]
        await messenger.send(row.user_id, row.text, delivery_key("reply", row.id), choices)
