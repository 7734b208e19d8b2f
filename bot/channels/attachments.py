"""Before a turn: the bytes of the files a stored event's inputs carry, fetched by their channel (LINE, Telegram).

The core gets each attachment with its bytes, or without them when it is larger than the limit (a file
the platform declares too large is not fetched at all) or gone from the platform.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable

from bot.core.messages import Attachment
from bot.ingest.turns import Said

Fetch = Callable[[Attachment, str], Awaitable[Attachment]]
"""The attachment with what the platform gave for its ``ref``: ``data`` (within the limit) and ``size``."""


async def fetched(said: Said, fetch: Fetch, max_bytes: int) -> Said:
    """``said`` with each attachment fetched that may be kept (one not declared larger than ``max_bytes``)."""
    if not any(inbound.document is not None and inbound.document.ref for inbound in said.inbounds):
        return said
    inbounds = []
    for inbound in said.inbounds:
        document = inbound.document
        if document is not None and document.ref is not None and (document.size or 0) <= max_bytes:
            inbound = inbound.model_copy(update={"document": await fetch(document, document.ref)})
        inbounds.append(inbound)
    return dataclasses.replace(said, inbounds=inbounds)
