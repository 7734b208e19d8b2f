"""What users see for the project's own question sets, with the calibration the bot uses: both parts, apart.

    .venv/bin/python bench/faq_report.py [--no-embeddings] [--part tune|test] [--holdout FILE ...] [--json]

The `test` parts of tests/faq/questions.yaml and tests/intents/phrasings.yaml were written
before any fitting and are never used by bench/faq_calibrate.py; the `tune` parts (with the blind
tuning sets tests/faq/tune3.yaml and tests/intents/tune3.yaml) are what the calibration was fitted
on (so their figures are optimistic). Printed per part:

- FAQ: of the in-scope questions, the share answered right directly (target ≥ 0.92 on
  test), the number answered wrong with confidence (target 0), offered "did you mean"
  with the right entry, told "not found" or "outside"; of the out-of-scope questions, the
  share answered (target ≤ 0.05), told it is another window's, or "not found";
- intents: the share of phrasings whose action is right (done, or — for a request the bot
  is unsure of, or an FAQ question with several close entries — offered with one はい or
  button; target ≥ 0.95 on test), done right directly, and flows started by the negatives
  (FAQ questions that mention 提案, 条件, 担当 …; target 0);
- the time of one lookup per line (the one embedding and the decision), p50 / p99.

``--holdout FILE`` (repeatable) reports instead on the `holdout` part of FILE: a blind set
written like tests/faq/questions.yaml (items with `q`) or tests/intents/phrasings.yaml
(items with `say`). It is for the lead's one-off final report: nothing is ever tuned on it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import yaml

from bench.evaluation import REPOSITORY, Phrasing, Question, faq_outcome, phrasing_outcome, phrasings, questions
from bot.content.loader import load_content
from bot.faq.live import build_index, load_embedder
from bot.faq.matcher import reading


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-embeddings", action="store_true")
    parser.add_argument("--part", choices=["tune", "test"], action="append", help="only this part (default: both)")
    parser.add_argument("--holdout", type=Path, action="append", default=[], help="report on the holdout part of this file instead")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    content = load_content(REPOSITORY)
    embedder = None if args.no_embeddings else load_embedder(REPOSITORY / "var" / "cache")
    index = build_index(content, embedder)
    calibration = index.calibration
    index.read("ウォームアップ")
    for part, (asked, typed) in _parts(args.part, args.holdout):
        milliseconds: list[float] = []
        cpu: list[float] = []

        def judged(text: str):  # type: ignore[no-untyped-def]
            began, began_cpu = time.perf_counter(), time.process_time()
            found = index.judge(index.analyse(text))
            milliseconds.append((time.perf_counter() - began) * 1000)  # noqa: B023 - used within the iteration
            cpu.append((time.process_time() - began_cpu) * 1000)  # noqa: B023 - used within the iteration
            return found

        faq = Counter(faq_outcome(reading(judged(item.text), calibration), item.wanted) for item in asked)
        said = Counter(phrasing_outcome(content, item, judged(item.text), calibration) for item in typed)
        result = _figures(part, faq, said, len(asked), len(typed), embedder is not None)
        result |= _percentiles("", milliseconds) | _percentiles("cpu_", cpu)
        print(json.dumps(result, ensure_ascii=False) if args.json else _lines(result), flush=True)
    return 0


def _parts(parts: list[str] | None, holdouts: list[Path]) -> list[tuple[str, tuple[list[Question], list[Phrasing]]]]:
    """The named parts of the project's sets, or the holdout part of each file given (questions or phrasings)."""
    if not holdouts:
        return [(part, (questions(part), phrasings(part))) for part in parts or ["tune", "test"]]
    found = []
    for path in holdouts:
        items = yaml.safe_load(path.read_text(encoding="utf-8"))["holdout"]
        is_questions = bool(items) and "q" in items[0]
        found.append((f"holdout {path.name}", (questions("holdout", path), []) if is_questions else ([], phrasings("holdout", path))))
    return found


def _percentiles(prefix: str, milliseconds: list[float]) -> dict[str, float]:
    ordered = sorted(milliseconds)
    return {
        f"{prefix}p50_ms": round(statistics.median(ordered), 2),
        f"{prefix}p99_ms": round(ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))], 2),
    }


def _figures(part, faq, said, asked, typed, embeddings) -> dict[str, object]:  # type: ignore[no-untyped-def]
    in_scope = sum(count for name, count in faq.items() if not name.startswith("out_"))
    out_of_scope = asked - in_scope
    negatives_started = said["flow_started"]
    return {
        "part": part,
        "embeddings": embeddings,
        "faq_in_scope": in_scope,
        "faq_right": round(faq["right"] / in_scope, 3) if in_scope else None,
        "faq_wrong": faq["wrong"],
        "faq_outcomes": dict(sorted(faq.items())),
        "faq_out_of_scope": out_of_scope,
        "faq_out_answered": round(faq["out_answered"] / out_of_scope, 3) if out_of_scope else None,
        "intent_phrasings": typed,
        "intent_right": round((said["right"] + said["asked_right"]) / typed, 3) if typed else None,
        "intent_right_directly": round(said["right"] / typed, 3) if typed else None,
        "intent_negative_flows_started": negatives_started,
        "intent_outcomes": dict(sorted(said.items())),
    }


def _lines(result: dict[str, object]) -> str:
    return (
        f"[{result['part']} part, embeddings {'on' if result['embeddings'] else 'off'}]\n"
        f"  FAQ: {result['faq_in_scope']} in-scope questions: answered right {result['faq_right']}, "
        f"answered wrong {result['faq_wrong']}; {result['faq_out_of_scope']} out of scope: answered {result['faq_out_answered']}"
        f"   {result['faq_outcomes']}\n"
        f"  intents: {result['intent_phrasings']} phrasings: right action {result['intent_right']} "
        f"(directly {result['intent_right_directly']}), flows started by negatives {result['intent_negative_flows_started']}"
        f"   {result['intent_outcomes']}\n"
        f"  one lookup per line: p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms "
        f"(CPU p50 {result['cpu_p50_ms']} ms, p99 {result['cpu_p99_ms']} ms)"
    )


if __name__ == "__main__":
    sys.exit(main())
