"""`kyoso check` on broken copies of the real content: every problem names its file and line."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.cli import main
from bot.settings import REPOSITORY_ROOT


@dataclass(frozen=True)
class Breakage:
    name: str
    file: str
    old: str
    new: str
    line_with: str  # the problem must be reported on the (first) line containing this text
    reason: str

    def __str__(self) -> str:
        return self.name


BREAKAGES = [
    Breakage("yaml syntax", "faq/facts.yaml", "  city: 府中市", "  city: 府中市: 多い", "  city:", "YAML syntax"),
    Breakage("unknown next step", "dialogs/draft.yaml", "    next: proposal_type\n", "    next: proposal_typo\n", "next: proposal_typo", "unknown step 'draft.proposal_typo'"),
    Breakage("duplicate step id", "dialogs/draft.yaml", "  - id: contact_name\n", "  - id: org_name\n", "  - id: org_name\n    type: text\n    field: contact_name", "used twice"),
    Breakage("unknown key", "dialogs/main.yaml", "    text: ご用件を選んでください。", "    txt: ご用件を選んでください。", "txt:", "unknown key"),
    Breakage("missing text", "dialogs/criteria.yaml", "    text: 団体が受け持つ役割を教えてください。\n", "", "  - id: c3_org", "text: required key is missing"),
    Breakage("unreachable step", "dialogs/main.yaml", "  - id: faq_list\n", "  - id: orphan\n    type: say\n    text: だれも来ない\n    next: menu\n\n  - id: faq_list\n", "id: orphan", "can never be reached"),
    Breakage("unknown field", "dialogs/draft.yaml", "    field: contact_name\n", "    field: contact_nam\n", "field: contact_nam", "'contact_nam' is not a field of the draft proposal"),
    Breakage("label too long", "dialogs/draft.yaml", "        label: 市民活動団体\n", "        label: 市民活動団体（任意団体・サークル・自治会などを含む）\n", "label: 市民活動団体（", "at most 20"),
    Breakage("unknown placeholder", "dialogs/draft.yaml", "{limit_per_project}", "{limit_per_projet}", "{limit_per_projet}", "unknown placeholder {limit_per_projet}"),
    Breakage("unknown faq entry", "dialogs/main.yaml", "        faq: eligibility\n", "        faq: eligible\n", "faq: eligible", "no FAQ entry 'eligible'"),
    Breakage("duplicate faq id", "faq/basics.yaml", "  - id: contact\n", "  - id: minmin\n", "  - id: minmin\n    question: 問い合わせ先", "already used"),
    Breakage("value not allowed", "dialogs/draft.yaml", "      - value: npo\n", "      - value: nonprofit\n", "value: nonprofit", "'nonprofit' is not allowed for org_type"),
    Breakage("consent values", "dialogs/draft.yaml", "      - value: decline\n", "      - value: refuse\n", "    options:\n      - value: agree", "needs exactly the option values 'agree' and 'decline'"),
    Breakage("too long answer", "faq/basics.yaml", "      はい。対象になるのは", "      " + "あ" * 5001 + "\n      はい。対象になるのは", "answer: |-\n      " + "あ" * 10, "at most 5000 characters"),
    Breakage("missing common key", "dialogs/common.yaml", "home: main.menu ", "homepage: main.menu ", "homepage:", "unknown key"),
    Breakage("unknown command", "dialogs/main.yaml", "        command: human\n", "        command: person\n", "command: person", "command: Input should be"),
    Breakage("hours not said", "dialogs/consultation.yaml", "  with_hours: 担当者が{business_hours}に", "  with_hours: 担当者が平日に", "with_hours:", "answer_time.with_hours must say {business_hours}"),
    Breakage("consultation key typo", "dialogs/consultation.yaml", "  typical_delay: null", "  typical_dely: null", "typical_dely", "unknown key"),
    Breakage("consultation text missing", "dialogs/consultation.yaml", "taken_note: 担当者がお返事しています。このままメッセージを送ってください。\n", "", "answer_time:", "taken_note: required key is missing"),
    Breakage("consultation placeholder", "dialogs/consultation.yaml", "（相談番号: {consultation}）", "（相談番号: {consultaton}）", "{consultaton}", "unknown placeholder {consultaton}"),
    Breakage("synonym in two groups", "faq/synonyms.yaml", "  - [予算, 予算額, 財源]\n", "  - [予算, 予算額, 財源, 上限額]\n", "  - [予算, 予算額, 財源, 上限額]", "'上限額' is in two synonym groups (4 and 5)"),
    Breakage("count contradicts a fact", "dialogs/draft.yaml", "提案方法は「テーマ型」と「フリー型」の2種類です。", "提案の種類は3つあります。", "提案の種類は3つ", "says 3 提案の種類 where faq/facts.yaml counts.proposal_methods says 2 (テーマ型、フリー型)"),
    Breakage("count before the word", "dialogs/main.yaml", "        label: 5つの条件チェック", "        label: 4つの条件チェック", "label: 4つの", "says 4 条件 where faq/facts.yaml counts.criteria says 5"),
    Breakage("year of a dated fact", "faq/facts.yaml", "limit_per_project: {value: 200万円, year: 令和6年度}", "limit_per_project: {value: 200万円, year: 今年度}", "limit_per_project:", "facts.limit_per_project.year: '今年度' is not a fiscal year"),
    Breakage("option beside the same command button", "dialogs/criteria.yaml", "        words: [下書き]\n        next: draft.start\n", "        words: [下書き]\n        next: draft.start\n      - value: menu\n        label: メニューに戻る\n        next: main.menu\n", "next: main.menu", "option 'メニューに戻る' leads where the 'メニュー' button under it leads"),
    Breakage("required_text alone", "dialogs/draft.yaml", "    required_unless: email\n", "", "    required_text:", "'required_text' is only used with 'required_unless'"),
    Breakage("option condition on an unknown field", "dialogs/criteria.yaml", "when: {field: c4, in:", "when: {field: c9, in:", "when: {field: c9", "field 'c9' is never asked by any step"),
    Breakage("time frame not said", "dialogs/submission.yaml", "{time_frame}を目安に", "近いうちに", "  with_time_frame:", "contact.with_time_frame must say {time_frame}"),
    Breakage("submission key typo", "dialogs/submission.yaml", "  time_frame: null", "  timeframe: null", "timeframe:", "unknown key"),
    Breakage("progress placeholder", "dialogs/draft.yaml", "progress: 質問 {number}/{total}", "progress: 質問 {numbr}/{total}", "progress:", "unknown placeholder {numbr}"),
    Breakage("channel word missing", "dialogs/common.yaml", "    here: このチャット\n", "", "channel_words:", "channel_words.telegram: every channel names the same words as 'default' (differs in: here)"),
    Breakage("bad condition", "dialogs/draft.yaml", "when: {field: proposal_type, equals: theme}", "when: {field: proposal_type}", "when: {field: proposal_type}", "exactly one of"),
    Breakage("intent of no menu item", "dialogs/intents.yaml", "    option: criteria\n", "    option: criterias\n", "option: criterias", "'criterias' is not an item of the menu"),
    Breakage("example of two intents", "dialogs/intents.yaml", "      - 再開します\n", "      - 再開します\n      - 中断したいです。\n", "中断したいです。", "is also an example of intent 'pause'"),
    Breakage("example written for an FAQ entry", "dialogs/intents.yaml", "      - 応募したい\n", "      - 応募したい\n      - 問い合わせ先はどこですか？\n", "問い合わせ先はどこですか？", "also written for the FAQ entry 'contact'"),
    Breakage("example the FAQ matches better", "dialogs/intents.yaml", "      - 応募したい\n", "      - 応募したい\n      - 担当部署を教えてほしい\n", "担当部署を教えてほしい", "matched better by the FAQ entry 'contact'"),
    Breakage("intent without its question", "dialogs/intents.yaml", "    ask: 5つの条件チェックをしますか？\n", "", "  - id: criteria", "'ask' is missing"),
    Breakage("status notice for an unknown status", "dialogs/after_handoff.yaml", "    確認中: ご提案", "    確認済: ご提案", "確認済:", "unknown status '確認済'"),
    Breakage("a move staff cannot make", "dialogs/after_handoff.yaml", "    見送り→確認中: ~", "    見送り→受付: ~", "見送り→受付", "'見送り→受付' is not a move staff can make"),
    Breakage("status notice placeholder", "dialogs/after_handoff.yaml", "ご提案「{title}」の内容を", "ご提案「{titel}」の内容を", "{titel}", "unknown placeholder {titel} here"),
    Breakage("return notice without the fields", "dialogs/after_handoff.yaml", "    直していただきたい項目: {fields}\n", "", "  notice: |-", "must say {fields}"),
    Breakage("missing after_handoff key", "dialogs/after_handoff.yaml", "  start: 修正を始める\n", "", "returned:", "returned.start: required key is missing"),
    Breakage("outside topic placeholder", "faq/out_of_scope.yaml", "「{topic}」のご用件", "「{topics}」のご用件", "{topics}", "unknown placeholder {topics}"),
    Breakage("documents kept in no dialog", "dialogs/documents.yaml", "kept_in: [draft]", "kept_in: [drafts]", "kept_in:", "no dialog 'drafts'"),
    Breakage("document kind not named", "dialogs/documents.yaml", "  ppt: PowerPoint\n", "", "kinds:", "name every kind (missing: ppt)"),
    Breakage("document placeholder", "dialogs/documents.yaml", "{max_mb}MB", "{max_size}MB", "{max_size}", "unknown placeholder {max_size}"),
    Breakage("document text missing", "dialogs/documents.yaml", "summary_label: 添付資料\n", "", "kept_in:", "summary_label: required key is missing"),
]


def _copy_content(target: Path) -> Path:
    for folder in ("dialogs", "faq"):
        shutil.copytree(REPOSITORY_ROOT / folder, target / folder)
    return target


def _line_of(path: Path, text: str) -> int:
    content = path.read_text(encoding="utf-8")
    offset = content.index(text)
    return content.count("\n", 0, offset) + 1 + text[: len(text) - len(text.lstrip("\n"))].count("\n")


def test_real_content_passes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--content-dir", str(REPOSITORY_ROOT)]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("OK: ")
    line = _line_of(REPOSITORY_ROOT / "dialogs" / "consultation.yaml", "  business_hours: null")
    assert f"note: dialogs/consultation.yaml:{line}: answer_time.business_hours is not filled in" in printed, (
        "the desk's page gives no business hours: staff are reminded to fill them in"
    )
    submission = REPOSITORY_ROOT / "dialogs" / "submission.yaml"
    for text, note in [("  time_frame: null", "contact.time_frame is not filled in (要記入)"),
                       ("  text: null", "official_form.text is not filled in (要記入)")]:
        assert f"note: dialogs/submission.yaml:{_line_of(submission, text)}: {note}" in printed
    line = _line_of(REPOSITORY_ROOT / "dialogs" / "privacy_notice.yaml", "confirmed: false")
    assert f"note: dialogs/privacy_notice.yaml:{line}: the privacy notice's wording is not confirmed by staff" in printed
    line = _line_of(REPOSITORY_ROOT / "faq" / "facts.yaml", '  city_page_url: ""')
    assert f"note: faq/facts.yaml:{line}: facts.city_page_url is not filled in (要記入)" in printed


@pytest.mark.parametrize("breakage", BREAKAGES, ids=str)
def test_broken_content_names_file_line_and_reason(
    breakage: Breakage, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _copy_content(tmp_path)
    path = root / breakage.file
    original = path.read_text(encoding="utf-8")
    assert breakage.old in original, f"the fixture no longer matches {breakage.file}"
    path.write_text(original.replace(breakage.old, breakage.new, 1), encoding="utf-8")

    assert main(["check", "--content-dir", str(root)]) == 1

    printed = capsys.readouterr().out.splitlines()
    expected_start = f"{breakage.file}:{_line_of(path, breakage.line_with)}: "
    matching = [line for line in printed if line.startswith(expected_start) and breakage.reason in line]
    assert matching, f"expected a line starting {expected_start!r} with {breakage.reason!r}; got:\n" + "\n".join(printed)


def test_not_utf8_and_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _copy_content(tmp_path)
    (root / "faq" / "basics.yaml").write_bytes("entries: []\n# 説明".encode("shift_jis"))
    (root / "dialogs" / "privacy_notice.yaml").unlink()

    assert main(["check", "--content-dir", str(root)]) == 1

    printed = capsys.readouterr().out
    assert "faq/basics.yaml:1: the file is not UTF-8 text" in printed
    assert "dialogs/privacy_notice.yaml:0: file is missing" in printed
