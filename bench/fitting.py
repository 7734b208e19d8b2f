"""Fitting the matcher's method weights, shared by bench/faq_calibrate.py and bench/faq_localgov.py.

Scores come as one matrix per method (questions × documents), already z-scored per
question as the matcher does; the weights maximise MRR@10 by coordinate ascent over
a small grid, with the question-embedding weight fixed at 1 (only ratios matter).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from bot.faq.hybrid import standardized

GRID = (0.0, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0, 1.5)
ROUNDS = 3


def standardized_rows(matrix: np.ndarray) -> np.ndarray:
    return np.stack([standardized(row) for row in matrix]) if len(matrix) else matrix


def ranks_of_first_relevant(total: np.ndarray, relevant: np.ndarray, depth: int = 10) -> np.ndarray:
    """Per question, the rank (1-based) of the first relevant document within ``depth``; depth+1 when none."""
    order = np.argsort(-total, axis=1)[:, :depth]
    found = np.take_along_axis(relevant, order, axis=1)
    return np.where(found.any(axis=1), found.argmax(axis=1) + 1, depth + 1)


def metrics(total: np.ndarray, relevant: np.ndarray) -> dict[str, float]:
    ranks = ranks_of_first_relevant(total, relevant)
    return {
        **{f"hit@{k}": float(np.mean(ranks <= k)) for k in (1, 3, 5, 10)},
        "mrr@10": float(np.mean(np.where(ranks <= 10, 1.0 / ranks, 0.0))),
    }


def weighted(z_scores: Mapping[str, np.ndarray], weights: Mapping[str, float]) -> np.ndarray:
    return sum(weights.get(method, 0.0) * z_scores[method] for method in z_scores)  # type: ignore[return-value]


def fit_weights(z_scores: Mapping[str, np.ndarray], relevant: np.ndarray, anchor: str) -> dict[str, float]:
    """Weights (``anchor`` fixed at 1) that maximise MRR@10 on these questions."""
    weights = {method: 1.0 if method == anchor else 0.0 for method in z_scores}

    def value(trial: Mapping[str, float]) -> float:
        return metrics(weighted(z_scores, trial), relevant)["mrr@10"]

    best = value(weights)
    for _ in range(ROUNDS):
        for method in weights:
            if method == anchor:
                continue
            for candidate in GRID:
                trial = {**weights, method: candidate}
                found = value(trial)
                if found > best + 1e-9:
                    best, weights = found, trial
    return weights


def folds(count: int, k: int, seed: int) -> list[np.ndarray]:
    return np.array_split(np.random.RandomState(seed).permutation(count), k)


def cross_validate(
    z_scores: Mapping[str, np.ndarray], relevant: np.ndarray, anchor: str, k: int, seeds: Sequence[int]
) -> list[dict[str, float]]:
    """Metrics on each held-out fold, the weights fitted on the other folds only."""
    results = []
    for seed in seeds:
        parts = folds(len(relevant), k, seed)
        for held_out in range(k):
            test = parts[held_out]
            train = np.concatenate([part for index, part in enumerate(parts) if index != held_out])
            weights = fit_weights({m: s[train] for m, s in z_scores.items()}, relevant[train], anchor)
            results.append(metrics(weighted({m: s[test] for m, s in z_scores.items()}, weights), relevant[test]))
    return results
