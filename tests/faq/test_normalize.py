"""The ways people type one word read alike to the matcher."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.cli import main
from bot.faq.matcher import FaqIndex
from bot.faq.normalize import Normalizer, fold
from bot.faq.tokens import CharNgrams
from bot.settings import REPOSITORY_ROOT


@pytest.mark.parametrize(
    ("typed", "same_as"),
    [
        ("ﾃｰﾏ型", "テーマ型"),  # half-width katakana
        ("テ-マ型", "テーマ型"),  # a dash for the long-vowel mark
        ("ＮＰＯ", "npo"),  # full-width letters, case
        ("マッチング", "マツチング"),  # small kana
        ("3ヶ所", "3ケ所"),
        ("２００万円", "200万円"),
    ],
)
def test_spelling_variants_fold_alike(typed: str, same_as: str) -> None:
    assert fold(typed) == fold(same_as)


def test_synonyms_read_as_the_first_word_of_their_group() -> None:
    normalize = Normalizer([["共創", "コラボ"], ["NPO法人", "NPO", "特定非営利活動法人"], ["上限", "限度額"], ["実証実験", "実験"]])
    assert normalize("コラボしたい") == normalize("共創したい")
    assert normalize("特定非営利活動法人です") == normalize("NPO法人です") == normalize("ＮＰＯです")
    assert normalize("限度額は？") == "上限は"
    assert normalize("実証実験") == normalize("実験") == "実証実験"  # the longer word is read whole, not twice


def test_character_grams_drop_particles_but_keep_katakana_words() -> None:
    grams = CharNgrams(Normalizer())("テーマ型の提案")
    assert "テマ" in grams and "提案" in grams
    assert "の" not in grams


def test_kyoso_check_reports_a_word_in_two_synonym_groups(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for folder in ("dialogs", "faq"):
        shutil.copytree(REPOSITORY_ROOT / folder, tmp_path / folder)
    synonyms = tmp_path / "faq" / "synonyms.yaml"
    synonyms.write_text(synonyms.read_text(encoding="utf-8") + "  - [限度額, 上限の金額]\n", encoding="utf-8")
    assert main(["check", "--content-dir", str(tmp_path)]) == 1
    assert "faq/synonyms.yaml:" in capsys.readouterr().out


def test_the_synonyms_file_reaches_the_matcher(faq_index: FaqIndex) -> None:
    """コラボレーション is read as 共創 by both BM25 methods (the embedding reads the words as they are)."""
    synonym, written = faq_index.ranked("コラボレーションとは何ですか", 1)[0], faq_index.ranked("共創とは何ですか", 1)[0]
    assert synonym.target.id == written.target.id == "kyoso_meaning"
    assert synonym.scores["char"] == written.scores["char"] and synonym.scores["sudachi"] == written.scores["sudachi"]
