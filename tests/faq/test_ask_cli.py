"""`kyoso ask` as staff run it: the decision, the top five with scores, and --json."""

from __future__ import annotations

import json

import pytest

from bot.cli import main


def test_ask_prints_the_answer_and_the_top_five(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "1件あたりの上限はいくらですか"]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("decision: answer program_budget 「促進事業の予算と上限」")
    ranked = [line for line in printed if line[:2] in {f"{n}." for n in range(1, 10)}]
    assert len(ranked) == 5 and "program_budget" in ranked[0] and "e5 " in ranked[0]
    assert any("上限は200万円" in line for line in printed)


def test_ask_json_for_a_did_you_mean(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--json", "提案について知りたいです"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["matched"] is False and printed["entry_id"] is None and printed["answer"] is None
    assert [found["entry_id"] for found in printed["suggestions"]] == ["how_to_apply", "who_can_propose", "eligibility"]


def test_ask_json_for_an_out_of_scope_question(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--json", "粗大ごみの出し方を教えてください"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["matched"] is False and printed["answer"] is None and printed["suggestions"] == []
    assert printed["outside"] == "ごみ・リサイクル"


def test_ask_says_when_a_request_is_recognised(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "担当者につないでください"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("decision: intent human")
    assert "intent  human" in printed.splitlines()[2]


def test_ask_without_embeddings_says_unknown_plainly(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--no-embeddings", "あいうえお"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("decision: unknown")
    assert "methods: char ×" in printed and "e5" not in printed
