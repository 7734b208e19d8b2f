"""FAQ matching for questions typed in English and in やさしい日本語 (#17), beside the Japanese test part, in one run.

    .venv/bin/python bench/faq_lang.py [--no-embeddings] [--json]

The question sets are tests/lang/questions_en.yaml and tests/lang/questions_easy.yaml (parts `tune` and
`test`, as tests/faq/questions.yaml); the Japanese baseline is the `test` part of tests/faq/questions.yaml.
Each line is read as the bot reads a question at the menu (production defaults: embeddings on), twice in the
same run: from the Japanese index alone (the baseline: the bot before bot/faq/languages.py) and from the index of
the set's language (what a user who chose that language is answered from). Printed per
set and part: of the in-scope questions, the share answered right, the number answered wrong with
confidence, offered "did you mean" with the right entry, not found; of the out-of-scope ones, the share answered.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.evaluation import QUESTIONS, REPOSITORY, Question, faq_outcome, questions
from bot.content.loader import load_content
from bot.faq.live import build_index, load_embedder
from bot.faq.matcher import FaqIndex

SETS = {
    "ja": QUESTIONS,
    "en": REPOSITORY / "tests" / "lang" / "questions_en.yaml",
    "easy": REPOSITORY / "tests" / "lang" / "questions_easy.yaml",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-embeddings", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    content = load_content(REPOSITORY)
    embedder = None if args.no_embeddings else load_embedder(REPOSITORY / "var" / "cache")
    index = build_index(content, embedder)
    modes: dict[str, Callable[[str], FaqIndex]] = {"japanese index": lambda language: index, "per language": index.in_language}
    figures: dict[str, dict[str, dict[str, float | int | None]]] = {}
    for mode, index_for in modes.items():
        for language, path in SETS.items():
            for part in ("test",) if language == "ja" else ("tune", "test"):
                figures.setdefault(f"{language}/{part}", {})[mode] = _figures(index_for(language), questions(part, path))
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=2))
        return 0
    print(f"embeddings: {'off' if args.no_embeddings else 'on'}; right / wrong / did-you-mean right / not found / out of scope answered")
    print(f"{'set/part':<10} {'n':>3}  " + "  ".join(f"{mode:<30}" for mode in modes))
    for name, by_mode in figures.items():
        cells = [f"{row['right']!s:>5} {row['wrong']:>3} {row['suggested_right']:>3} {row['not_found']:>3} {row['out_of_scope_answered']!s:>5}"
                 for row in by_mode.values()]
        print(f"{name:<10} {next(iter(by_mode.values()))['questions']:>3}  " + "  ".join(f"{cell:<30}" for cell in cells))
    return 0


def _figures(index: FaqIndex, asked: list[Question]) -> dict[str, float | int | None]:
    outcomes = Counter(faq_outcome(index.read(question.text), question.wanted) for question in asked)
    inside = sum(count for outcome, count in outcomes.items() if not outcome.startswith("out_"))
    outside = sum(outcomes.values()) - inside
    return {
        "questions": len(asked),
        "right": round(outcomes["right"] / inside, 3) if inside else None,
        "wrong": outcomes["wrong"],
        "suggested_right": outcomes["suggested"],
        "not_found": outcomes["unknown"] + outcomes["outside"] + outcomes["suggested_wrong"],
        "out_of_scope_answered": round(outcomes["out_answered"] / outside, 3) if outside else None,
    }


if __name__ == "__main__":
    raise SystemExit(main())
