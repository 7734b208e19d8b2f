"""Files and photos sent on Telegram: fetched with ``getFile`` and the file download URL before the turn.

A document carries its name and size; a photo comes in several sizes, of which the largest is taken.
The Bot API lets a bot download up to 20 MB; a file it will not give (too big, or gone) reaches the
core without its bytes, and the user is told. A network failure raises: the event is tried again.
"""

from __future__ import annotations

from telegram import Bot, Document, Message, PhotoSize
from telegram.error import BadRequest

from bot.channels.attachments import fetched
from bot.core.messages import Attachment
from bot.ingest.turns import Said


def attachment_of(message: Message) -> Attachment | None:
    """The document or (largest) photo of a message, to fetch; None for anything else (a sticker, a voice message …)."""
    found: Document | PhotoSize
    if message.document is not None:
        found, name = message.document, message.document.file_name
    elif message.photo:
        found, name = message.photo[-1], None
    else:
        return None
    file_id, size = found.file_id, found.file_size
    if not isinstance(file_id, str) or not file_id:
        return Attachment()
    return Attachment(
        name=name if isinstance(name, str) else "", size=size if isinstance(size, int) and size >= 0 else None,
        ref=file_id[:256],
    )


class TelegramFiles:
    def __init__(self, bot: Bot, max_bytes: int) -> None:
        self._bot = bot
        self._max_bytes = max_bytes

    async def fetched(self, said: Said) -> Said:
        """``said`` with each attachment's bytes (or, when too large or gone, without them)."""
        return await fetched(said, self._fetch, self._max_bytes)

    async def _fetch(self, document: Attachment, file_id: str) -> Attachment:
        try:
            file = await self._bot.get_file(file_id)
        except BadRequest:  # "file is too big" (over 20 MB: as declared), or no longer there
            return document
        if file.file_size is not None and file.file_size > self._max_bytes:
            data, size = None, file.file_size
        else:
            data = bytes(await file.download_as_bytearray())
            data, size = (None, len(data)) if len(data) > self._max_bytes else (data, len(data))
        return document.model_copy(update={"data": data, "size": size})
