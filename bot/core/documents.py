"""Documents (企画書) a proposer sends with the draft: what a file is, by its bytes, and whether it is kept.

A channel turns a file or image into an :class:`Attachment` (its bytes fetched, or only its declared
size when it is larger than the limit or the platform no longer has it). The type is read from the
bytes (magic numbers, the Office package's content types, the OLE directory), never from the name or
the type the sender declared. A file is kept while a draft is in progress (the user is in one of the
dialogs ``dialogs/documents.yaml`` names, or has answered a draft question not yet submitted); at any
other time the bot says how to send it and keeps nothing.
"""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal, get_args

from bot.core.draft import DocumentNote, DraftProposal
from bot.core.messages import Attachment
from bot.core.text import render

if TYPE_CHECKING:
    from bot.core.turn_context import TurnContext

Kind = Literal["pdf", "docx", "xlsx", "pptx", "doc", "xls", "ppt", "png", "jpeg"]
KINDS: tuple[Kind, ...] = get_args(Kind)
MEDIA_TYPES: dict[str, str] = {  # by kind
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
    "png": "image/png",
    "jpeg": "image/jpeg",
}


@dataclass(frozen=True)
class NewDocument:
    """What storage keeps for one document of the user's draft in progress."""

    name: str
    kind: Kind
    data: bytes
    received_at: datetime


@dataclass(frozen=True)
class DocumentPolicy:
    """The settings: which kinds are kept, how large one file may be, how many a draft may carry."""

    max_bytes: int = 10 * 1024 * 1024
    kinds: frozenset[Kind] = frozenset(KINDS)
    max_files: int = 5


Refusal = Literal["too_large", "wrong_type", "unavailable"]


def check(attachment: Attachment, policy: DocumentPolicy) -> Kind | Refusal:
    """The file's kind when it may be kept, else why not."""
    if attachment.data is None:
        too_large = attachment.size is not None and attachment.size > policy.max_bytes
        return "too_large" if too_large else "unavailable"
    if len(attachment.data) > policy.max_bytes:
        return "too_large"
    kind = sniff(attachment.data)
    return kind if kind is not None and kind in policy.kinds else "wrong_type"


def sniff(data: bytes) -> Kind | None:
    """What the bytes are (not what the name or the sender says), or None for anything else."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"PK\x03\x04"):
        return _office_package(data)
    if data.startswith(_OLE_MAGIC):
        return _ole_document(data)
    return None


# An Office Open XML package names its main part's type in [Content_Types].xml; the macro-enabled
# variants (docm, xlsm, pptm) have other types and are not taken.
_PACKAGE_MAIN_TYPES: dict[str, Kind] = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": "pptx",
}
MAX_CONTENT_TYPES_BYTES = 256 * 1024  # a real [Content_Types].xml is a few KB; a bigger one is not read (zip bombs)


def _office_package(data: bytes) -> Kind | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            info = package.getinfo("[Content_Types].xml")
            if info.file_size > MAX_CONTENT_TYPES_BYTES:
                return None
            types = package.read(info).decode("utf-8", "replace")
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError, NotImplementedError, RuntimeError):
        return None
    found = {kind for main, kind in _PACKAGE_MAIN_TYPES.items() if f'ContentType="{main}"' in types}
    return found.pop() if len(found) == 1 else None


_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OLE_STREAMS: dict[str, Kind] = {"WordDocument": "doc", "Workbook": "xls", "Book": "xls", "PowerPoint Document": "ppt"}
_END_OF_CHAIN = 0xFFFFFFFE
_MAX_SECTORS = 1 << 16  # a chain longer than this is not a 10 MB file's


def _ole_document(data: bytes) -> Kind | None:
    """A legacy Word/Excel/PowerPoint file (Compound File Binary): the name of its main stream says which."""
    try:
        names = _ole_names(data)
    except (struct.error, IndexError, ValueError):
        return None
    found = {kind for name, kind in _OLE_STREAMS.items() if name in names}
    return found.pop() if len(found) == 1 else None


def _ole_names(data: bytes) -> set[str]:
    shift = struct.unpack_from("<H", data, 30)[0]
    if shift not in (9, 12):
        raise ValueError("sector size")
    size = 1 << shift

    def sector(number: int) -> bytes:
        start = (number + 1) * size
        if number >= _MAX_SECTORS or start + size > len(data):
            raise ValueError("sector outside the file")
        return data[start:start + size]

    fat_sectors = [n for n in struct.unpack_from("<109I", data, 76) if n < _END_OF_CHAIN]
    next_difat, per_sector = struct.unpack_from("<I", data, 68)[0], size // 4
    for _ in range(_MAX_SECTORS):
        if next_difat >= _END_OF_CHAIN:
            break
        entries = struct.unpack(f"<{per_sector}I", sector(next_difat))
        fat_sectors += [n for n in entries[:-1] if n < _END_OF_CHAIN]
        next_difat = entries[-1]
    fat: list[int] = []
    for number in fat_sectors[:_MAX_SECTORS]:
        fat += struct.unpack(f"<{per_sector}I", sector(number))
    names: set[str] = set()
    current = struct.unpack_from("<I", data, 48)[0]
    for _ in range(_MAX_SECTORS):
        if current >= _END_OF_CHAIN:
            return names
        block = sector(current)
        for offset in range(0, size, 128):
            length = struct.unpack_from("<H", block, offset + 64)[0]
            if 2 <= length <= 64:
                names.add(block[offset:offset + length - 2].decode("utf-16-le", "replace"))
        current = fat[current]
    raise ValueError("the directory chain does not end")


# --- in the conversation --------------------------------------------------------------------------


def in_progress(context: TurnContext) -> bool:
    """A draft is being written: the user is in a dialog that keeps files, or has answered a draft question."""
    texts = context.content.documents
    dialog = (context.state.step or "").partition(".")[0]
    in_dialog = texts is not None and dialog in texts.kept_in
    return in_dialog or any(context.state.values.get(name) for name in DraftProposal.model_fields)


async def receive(context: TurnContext, attachment: Attachment, policy: DocumentPolicy) -> None:
    """Keep the file with the draft in progress and say so; or say politely why it was not kept."""
    texts = context.content.documents
    context.prompt_due = True
    if texts is None:  # the content keeps no files: the bot reads only text
        context.say(context.common.validation.not_text)
        return
    state = context.state
    values = {
        "file_name": attachment.name or texts.unnamed, "max_mb": f"{policy.max_bytes / 1024 / 1024:g}",
        "max_files": policy.max_files, "types": texts.kinds_named(policy.kinds),
    }
    if not in_progress(context):
        context.say(render(texts.no_draft, values))
        return
    if len(state.documents) >= policy.max_files:
        context.say(render(texts.too_many, values))
        return
    found = check(attachment, policy)
    if found in get_args(Refusal):
        context.say(render(getattr(texts, found), values))
        return
    kind: Kind = found  # type: ignore[assignment]  # not a refusal: a kind
    data = attachment.data or b""
    name = attachment.name or f"{texts.unnamed}.{kind}"
    document_id = await context.turn.keep_document(NewDocument(name=name, kind=kind, data=data, received_at=context.now))
    state.documents.append(DocumentNote(id=document_id, name=name, kind=kind, size=len(data)))
    context.say(render(texts.kept, {**values, "file_name": name, "count": len(state.documents)}))


def listed(names: Collection[str]) -> str:
    """The kept files as one summary row's value, one per line."""
    return "\n".join(f"・{name}" for name in names)
