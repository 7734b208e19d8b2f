"""Fit the FAQ matcher's weights and bands on our own question set (tests/faq/questions.yaml).

    .venv/bin/python bench/faq_calibrate.py [--no-embeddings]

Scores every question once per method, then tries weight and band settings
and prints the best few: top-1 accuracy, and what users would see (answered
right, answered wrong, offered did-you-mean with the right entry among the
buttons, told "not found"), out-of-scope questions counted apart. Copy the
chosen numbers into bot/faq/matcher.py (DEFAULT_WEIGHTS / DEFAULT_BANDS).
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

import numpy as np
import yaml

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY))

from bot.content.loader import load_content
from bot.faq.hybrid import combine
from bot.faq.live import build_index, load_embedder
from bot.faq.matcher import Bands

QUESTIONS = REPOSITORY / "tests" / "faq" / "questions.yaml"
# What a user's experience is worth: a wrong confident answer is worse than an honest "not found".
VALUE = {"right": 1.0, "suggested": 0.5, "unknown": 0.0, "wrong": -2.0, "out_answered": -3.0, "out_suggested": -0.2}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-embeddings", action="store_true")
    args = parser.parse_args()
    content = load_content(REPOSITORY)
    embedder = None if args.no_embeddings else load_embedder(REPOSITORY / "var" / "cache")
    index = build_index(content, embedder)
    ids = [entry.id for entry in content.faq]
    questions = yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))["tune"]
    scored = [(item["id"], index.method_scores(item["q"])) for item in questions]
    methods = index.methods
    grid = [0.0, 0.2, 0.4, 0.7, 1.0]
    results = []
    for values in itertools.product(grid, repeat=len(methods)):
        if max(values) != 1.0:
            continue  # only the ratios matter
        weights = dict(zip(methods, values))
        totals = [(wanted, combine(scores, weights)) for wanted, scores in scored]
        accuracy = np.mean([ids[int(total.argmax())] == wanted for wanted, total in totals if wanted])
        best = max(((evaluate(totals, ids, bands), bands) for bands in band_grid(totals)), key=lambda found: found[0][0])
        results.append((best[0][0], accuracy, weights, best[1], best[0][1]))
    for method in methods:
        alone = np.mean([ids[int(scores[method].argmax())] == wanted for wanted, scores in scored if wanted])
        print(f"{method} alone: top-1 {alone:.3f}")
    results.sort(key=lambda result: (result[0], result[1]), reverse=True)
    for value, accuracy, weights, bands, counts in results[:8]:
        print(f"value {value:6.1f}  top-1 {accuracy:.3f}  weights {weights}  {bands}  {counts}")
    return 0


def band_grid(totals: list[tuple[str | None, np.ndarray]]) -> list[Bands]:
    tops = np.array([total.max() for _, total in totals])
    cuts = np.quantile(tops, np.linspace(0.05, 0.95, 19))
    return [
        Bands(answer=float(answer), suggest=float(suggest), margin=margin)
        for answer, suggest in itertools.combinations(sorted(cuts, reverse=True), 2)
        for margin in (0.0, 0.02, 0.05)
    ]


def evaluate(totals: list[tuple[str | None, np.ndarray]], ids: list[str], bands: Bands) -> tuple[float, dict[str, int]]:
    counts = dict.fromkeys(VALUE, 0)
    for wanted, total in totals:
        order = total.argsort()[::-1]
        top, runner_up = total[order[0]], total[order[1]]
        answered = top >= bands.answer and top - runner_up >= bands.margin
        offered = [ids[i] for i in order[:3] if total[i] >= bands.suggest]
        if wanted is None:
            outcome = "out_answered" if answered else "out_suggested" if offered else None
        elif answered:
            outcome = "right" if ids[order[0]] == wanted else "wrong"
        else:
            outcome = "suggested" if wanted in offered else "unknown"
        if outcome:
            counts[outcome] += 1
    return sum(VALUE[name] * count for name, count in counts.items()), counts


if __name__ == "__main__":
    sys.exit(main())
