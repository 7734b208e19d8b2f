"""#14.6: where an answer names the desk's page, it gives the address staff filled in (faq/facts.yaml:
city_page_url) — and says nothing about an address while none is filled in."""

from __future__ import annotations

from bot.content.loader import Content
from bot.core.text import render


def test_optional_text_is_left_out_while_a_fact_in_it_is_empty() -> None:
    template = "「窓口」のページ[[（{url}）]]をご覧ください。[[電話: {phone}]]"
    assert render(template, {"url": "", "phone": ""}) == "「窓口」のページをご覧ください。"
    assert render(template, {"url": "https://a.example/", "phone": "042"}) == (
        "「窓口」のページ（https://a.example/）をご覧ください。電話: 042"
    )
    assert render("[[{unknown}]]", {}) == "{unknown}", "an unknown name stays visible, for kyoso check to report"


def test_answers_that_name_the_desks_page_link_it_once_staff_fill_in_the_address(content: Content) -> None:
    naming = [entry for entry in content.faq if "ホームページの「{desk_name}」のページ" in entry.answer]
    assert len(naming) >= 5
    facts = dict(content.facts.facts)
    for entry in naming:
        without = render(entry.answer, facts)
        assert "（）" not in without and "[[" not in without and "city_page_url" not in without, entry.id
        url = "https://www.city.example.jp/kyoso/"
        assert f"のページ（{url}）" in render(entry.answer, {**facts, "city_page_url": url}), entry.id
