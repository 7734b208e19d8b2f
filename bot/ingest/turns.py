"""The durable turn of a stored platform event, the same for every channel: read → keyed turn → deliver.

A channel supplies two things (:class:`DurableChannel`): what a stored event
asks of the bot (``read``: the core's inputs, or an answer without the core),
and the delivery of the replies (``deliver``: told what an earlier attempt
already sent, and whether one was cut off). Everything else is here and in
the ingest worker: the claim, the turn keyed by the event — its replies are
stored in the turn's own transaction, so a retry after a failed delivery or a
crash gets the same replies and never a second turn — and the finish.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from bot.core.messages import Inbound, Outbound
from bot.ingest.events import StoredEvent

EventHandler = Callable[[Sequence[Inbound], str, bool], Awaitable[list[Outbound]]]
"""The core's ``Engine.handle_event``: the inputs of one event as one turn, keyed by the event (and whether it is
the event's first claim: then no turn can have answered it yet)."""


@dataclass(frozen=True)
class Said:
    """What a stored event asks of the bot: the core's inputs in order (one keyed turn), or replies without a turn."""

    inbounds: Sequence[Inbound] = ()
    replies: Sequence[Outbound] = ()  # e.g. in a group chat, "please talk to me one to one"
    reply_to: Any = None  # what the channel read for its delivery (LINE's reply token, Telegram's update)


class PartlySent(Exception):
    """Delivery failed after ``sent`` (the channel's own count, e.g. messages or API calls) went out.

    The count is kept with the event, and the retry is told it, so nothing that arrived is sent again.
    """

    def __init__(self, sent: int) -> None:
        super().__init__(f"{sent} sent before a failure")
        self.sent = sent


class DurableChannel(Protocol):
    async def read(self, event: StoredEvent) -> Said:
        """The inputs of a stored event (a channel's own side effects, such as LINE's follow flag, happen here)."""
        ...

    async def deliver(self, event: StoredEvent, said: Said, replies: list[Outbound]) -> None:
        """Send what ``event.sent`` says an earlier attempt did not; raise ``PartlySent`` when only part got through.

        ``event.interrupted``: an earlier attempt was cut off (its process died) and may have sent more.
        """
        ...


class UnknownChannel(LookupError):
    """An event of a channel this process does not run (its settings are missing): retried, then given up."""


class DurableTurns:
    """The ingest worker's processor for every channel."""

    def __init__(self, channels: Mapping[str, DurableChannel], handle_event: EventHandler) -> None:
        self._channels = channels
        self._handle_event = handle_event

    async def __call__(self, event: StoredEvent) -> None:
        channel = self._channels.get(event.channel)
        if channel is None:
            raise UnknownChannel(f"no {event.channel} channel in this process")
        said = await channel.read(event)
        if said.inbounds:
            replies = await self._handle_event(said.inbounds, event.event_id, event.claims == 0)
        else:
            replies = list(said.replies)
        await channel.deliver(event, said, replies)
