"""Topics of other city services (faq/out_of_scope.yaml) are named only on words of their own, also without embeddings."""

from __future__ import annotations

import pytest

from bot.content.loader import Content
from bot.faq.live import build_index
from bot.faq.matcher import FaqIndex


@pytest.fixture(scope="module")
def bm25_only(content: Content) -> FaqIndex:
    """The fallback when the embedding model cannot be loaded."""
    return build_index(content, None)


def test_a_line_that_shares_one_character_with_a_topic_is_not_that_topic(bm25_only: FaqIndex) -> None:
    """「資料は来週お送りします。」 has 料 of 保険料 and words nobody uses: before, 保険・年金・介護 at 0.82."""
    assert bm25_only.read("資料は来週お送りします。").outside is None


def test_a_question_named_by_a_topics_own_words_is_that_topic(bm25_only: FaqIndex, faq_index: FaqIndex) -> None:
    for index in (bm25_only, faq_index):
        assert index.read("国民年金の手続きはどこでできますか").outside == "保険・年金・介護"
