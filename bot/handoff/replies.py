"""Staff replies to proposers: stored in an outbox, pushed over the proposer's own channel.

Each channel supplies a :class:`ProposerMessenger` (LINE push, Telegram
message). A channel without push (the web chat) uses :class:`PullMessenger`:
the reply counts as delivered once it is stored, and the chat fetches it with
``SqlStaff.replies_for``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from bot.content.loader import Content
from bot.content.models import SummaryStep
from bot.core import payloads
from bot.core.messages import Choice
from bot.core.my_proposals import summary_ref
from bot.core.ports import Clock
from bot.core.text import render
from bot.handoff.sinks import delivery_key
from bot.handoff.worker import OutboxWorker
from storage.queue import OutboxQueue
from storage.staff import ProposerMessage


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

    def returnable(self) -> list[tuple[str, str]]:
        """(field, label) of every field staff may return for revision, as the proposer's summary names them."""
        content = self._content()
        summary = content.steps.get(summary_ref(content) or "")
        return [(row.field, row.label) for row in summary.rows] if isinstance(summary, SummaryStep) else []

    def returned(self, reference: str, title: str, message: str, labels: Sequence[str]) -> tuple[str, Choice]:
        """The 差し戻し notice, and its button that starts the revision in the chat."""
        content = self._content()
        texts = content.after_handoff.returned
        values = {**content.facts.facts, "reference": reference, "title": title, "message": message, "fields": "、".join(labels)}
        return render(texts.notice, values), Choice(label=texts.start, payload=payloads.REVISE + reference)


class ReplyDispatcher:
    def __init__(self, queue: OutboxQueue[ProposerMessage], messengers: Sequence[ProposerMessenger], clock: Clock) -> None:
        self._messengers = {messenger.channel: messenger for messenger in messengers}
        self._worker = OutboxWorker(queue, self._deliver, clock)

    async def run_once(self) -> int:
        return await self._worker.run_once()

    async def _deliver(self, row: ProposerMessage) -> None:
        messenger = self._messengers.get(row.channel)
        if messenger is None:
            raise LookupError(f"no way to send to the {row.channel} channel yet")
        choices = [Choice.model_validate(choice) for choice in row.choices or []]
        await messenger.send(row.user_id, row.text, delivery_key("reply", row.id), choices)
