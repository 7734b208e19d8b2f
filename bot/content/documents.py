"""dialogs/documents.yaml: what the bot says about files a proposer sends (企画書), and where it keeps them.

Without the file the bot keeps no files and answers every file as it answers a sticker.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Annotated

from pydantic import Field, field_validator

from bot.content.models import NonEmpty, Strict
from bot.content.problems import Problem
from bot.core.documents import KINDS, Kind

if TYPE_CHECKING:
    from bot.content.loader import Content

DOCUMENTS_FILE = "documents.yaml"
PLACEHOLDERS = {"file_name", "max_mb", "max_files", "types", "count"}
"""What these texts may use ({types}: the kinds the settings allow, by their ``kinds`` labels)."""


class DocumentTexts(Strict):
    kept_in: list[NonEmpty] = Field(
        min_length=1, description="dialogs (file names without .yaml) during which a file sent is kept with the draft",
    )
    kinds: dict[Kind, Annotated[str, Field(min_length=1, max_length=20)]] = Field(
        description="how each kind of file is named to the user (every kind: pdf docx xlsx pptx doc xls ppt png jpeg)",
    )
    summary_label: NonEmpty = Field(description="the summary card's row that lists the kept files")
    unnamed: NonEmpty = Field(description="the name of a file sent without one (an image)")
    kept: NonEmpty = Field(description="a file was kept; {file_name}, {count} (files kept so far), {max_files}")
    no_draft: NonEmpty = Field(description="a file sent while no draft is being written: not kept")
    too_large: NonEmpty = Field(description="larger than the limit ({max_mb})")
    wrong_type: NonEmpty = Field(description="not one of the kinds kept ({types})")
    too_many: NonEmpty = Field(description="the draft has {max_files} files already")
    unavailable: NonEmpty = Field(description="the file could not be fetched from the platform (sent long ago, or removed)")

    @field_validator("kinds")
    @classmethod
    def _every_kind_named(cls, kinds: dict[Kind, str]) -> dict[Kind, str]:
        missing = [kind for kind in KINDS if kind not in kinds]
        if missing:
            raise ValueError(f"name every kind (missing: {', '.join(missing)})")
        return kinds

    def kinds_named(self, allowed: Collection[Kind]) -> str:
        """The allowed kinds as the user reads them, each name once, in this file's order (「PDF、Word、…」)."""
        names = [name for kind, name in self.kinds.items() if kind in allowed]
        return "、".join(dict.fromkeys(names))


def document_dialogs(content: Content) -> list[Problem]:
    """``kept_in`` names dialogs that exist."""
    texts, source = content.documents, content.documents_source
    if texts is None or source is None:
        return []
    return [
        source.at("kept_in", index).problem(f"no dialog '{name}' (dialogs/{name}.yaml)")
        for index, name in enumerate(texts.kept_in)
        if name not in content.dialogs
    ]
