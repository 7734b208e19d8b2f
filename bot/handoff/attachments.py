"""The files (企画書) of a submitted draft for staff: attached to the staff mail up to a total size, and one by one
for the console's download. They are never served to anyone else."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.core.draft import DocumentNote
from bot.handoff.dossier import Dossier
from storage.documents import StoredFile


class DocumentStore(Protocol):
    async def file(self, reference: str, document_id: int) -> StoredFile | None: ...


@dataclass(frozen=True)
class MailFiles:
    """What goes into the staff mail, and what is left for the console (beyond the mail's size limit)."""

    attached: list[StoredFile]
    left_out: list[DocumentNote]


class DossierFiles:
    """``mail_max_bytes``: the most a staff mail carries in files (mail servers refuse large mail; 0: none)."""

    def __init__(self, store: DocumentStore, mail_max_bytes: int) -> None:
        self._store = store
        self._mail_max_bytes = mail_max_bytes

    async def file(self, reference: str, document_id: int) -> StoredFile | None:
        """One file of the draft ``reference`` (None when the draft has no such file)."""
        return await self._store.file(reference, document_id)

    async def for_mail(self, dossier: Dossier) -> MailFiles:
        """The files in the order they were sent, as many as fit (a large one left out does not stop a small one)."""
        attached: list[StoredFile] = []
        left_out: list[DocumentNote] = []
        room = self._mail_max_bytes
        for note in dossier.documents:
            found = await self._store.file(dossier.reference, note.id) if note.size <= room else None
            if found is None:
                left_out.append(note)
                continue
            attached.append(found)
            room -= note.size
        return MailFiles(attached, left_out)
