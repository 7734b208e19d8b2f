"""Staff get the draft of a proposer who wrote in English in standard Japanese, the answers as written, and the language."""

from __future__ import annotations

from pathlib import Path

from bot.content.loader import Content
from bot.core.draft import StoredDraft
from bot.faq.matcher import FaqIndex
from bot.handoff.dossier import DossierBuilder
from bot.handoff.render import DossierRenderer
from tests.harness import load, play, start_of
from tests.helpers import FakeClock
from tests.lang.sessions import HintedSession

ENGLISH_DRAFT = Path(__file__).parent / "transcripts" / "english_draft_submitted.yaml"


async def _submitted(path: Path, reference: str, content: Content, faq_index: FaqIndex, database_url: str) -> StoredDraft | None:
    """Play the transcript at ``path`` on the core and read back the draft it submitted."""
    script = load(path)
    session = HintedSession(content, faq_index, database_url, FakeClock(start_of(script)))
    await session.start()
    try:
        await play(session, script["turns"], f"{path.name} turn")
        assert session.store is not None
        return await session.store.get_draft(reference)
    finally:
        await session.close()


async def test_the_dossier_of_an_english_draft_is_in_japanese_with_the_answers_as_written(
    content: Content, faq_index: FaqIndex, database_url: str
) -> None:
    stored = await _submitted(ENGLISH_DRAFT, "KY-2026-0001", content, faq_index, database_url)
    assert stored is not None and stored.language == "en"

    dossier = DossierBuilder(content).build(stored)
    shown = DossierRenderer().markdown(dossier)
    assert "使用言語: English" in shown
    assert dossier.field("org_type") == "NPO法人" and dossier.field("proposal_type") == "フリー型", "labels in Japanese"
    assert "団体名" in shown and "Organisation" not in shown
    assert "Weekly walks where neighbours greet each other." in shown, "the proposer's own words, untranslated"
    assert "Fuchu Riverside Walkers" in shown


async def test_a_japanese_draft_names_no_language(content: Content, faq_index: FaqIndex, database_url: str) -> None:
    path = Path(__file__).parents[1] / "transcripts" / "happy_path.yaml"
    stored = await _submitted(path, load(path)["stored"]["reference"], content, faq_index, database_url)
    assert stored is not None and stored.language in (None, "ja")
    assert "使用言語" not in DossierRenderer().markdown(DossierBuilder(content).build(stored))
