"""A file's kind is read from its bytes: the name and the declared type are never believed."""

from __future__ import annotations

import pytest

from bot.core.documents import DocumentPolicy, check, sniff
from bot.core.messages import Attachment
from tests.documents.files import EXE, JPEG, PDF, PNG, office, ole, plain_zip


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (PDF, "pdf"), (PNG, "png"), (JPEG, "jpeg"),
        (office("docx"), "docx"), (office("xlsx"), "xlsx"), (office("pptx"), "pptx"),
        (ole("WordDocument", "1Table", "SummaryInformation"), "doc"),
        (ole("Workbook", "SummaryInformation"), "xls"),
        (ole("SummaryInformation", "DocumentSummaryInformation", "Current User", "Pictures", "PowerPoint Document"), "ppt"),
    ],
)
def test_every_kept_kind_is_recognised(data: bytes, kind: str) -> None:
    assert sniff(data) == kind


@pytest.mark.parametrize(
    "data",
    [
        EXE, b"", b"%PD", b"hello, world", plain_zip(), office("docm"),  # a macro-enabled document is not taken
        b"PK\x03\x04" + b"\x00" * 100,  # a broken zip
        ole("SummaryInformation"),  # an OLE file that is no Office document
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\xff" * 600,  # a broken OLE header
        office("docx")[:40],  # cut short
    ],
)
def test_anything_else_is_not(data: bytes) -> None:
    assert sniff(data) is None


def test_the_name_is_not_believed() -> None:
    policy = DocumentPolicy()
    assert check(Attachment(name="企画書.pdf", data=EXE), policy) == "wrong_type"
    assert check(Attachment(name="photo.exe", data=PDF), policy) == "pdf"


def test_size_and_allowed_kinds_come_from_the_policy() -> None:
    small = DocumentPolicy(max_bytes=len(PDF) - 1, kinds=frozenset({"pdf"}))
    assert check(Attachment(name="a.pdf", data=PDF), small) == "too_large"
    assert check(Attachment(name="a.pdf", size=10**9), small) == "too_large", "declared too large: not even fetched"
    assert check(Attachment(name="a.pdf"), small) == "unavailable", "the platform no longer had it"
    assert check(Attachment(name="a.png", data=PNG), DocumentPolicy(kinds=frozenset({"pdf"}))) == "wrong_type"


def test_a_name_cannot_carry_a_path_or_a_header() -> None:
    assert Attachment(name="../../etc/passwd").name == "passwd"
    assert Attachment(name='C:\\Users\\a\\企画書"\r\n.pdf').name == "企画書___.pdf"
    assert len(Attachment(name="あ" * 500 + ".pdf").name) == 120
