"""How sure the matcher is that a candidate is what the user meant: more than its score.

The combined score alone misleads: it is high for a question about 粗大ごみの申し込み
because 申し込み matches 提案の方法 well. So a small logistic model (fitted by
bench/faq_calibrate.py on the tuning questions only) weighs

- ``score``: the candidate's combined z-score;
- ``gap``: its lead over the best other candidate (negative when it is not first);
- ``agree``: the share of methods (BM25 on characters, on words, the embedding) that
  rank it first — lexical and dense rankings agreeing is a strong sign;
- ``dense``: the raw similarity of the question to the candidate's own questions;
- ``cover``: how much of the question the candidate's words cover (the share of the
  question's character n-grams the candidate's texts contain: 「株式会社スキップ」 is
  only half covered by the examples of スキップ);
- ``unknown``: the share of the question's words that no entry uses at all (a question
  about something else entirely);
- ``foreign``: the rarity-weighted share of the question's words that none of the window's
  own entries and intents uses (the topic of 「市民農園の申し込み方法」 is nowhere in the FAQ,
  only its verbs are);
- ``own``: the share of the question's words that the candidate has and none of the window's
  own entries and intents has: an outside topic's evidence (婚姻届 in 「婚姻届はどこに出せば」);
- ``asks``: whether the line reads as a question (？, ですか, 教えて …): 「担当の方と話せますか」 is
  close to the intent 担当者に相談 but is a question, which the FAQ answers (with the request
  as a button). Without it the intents' model learns from such questions that even a far
  lead is no sign of a request, and doubts 「いったんやめて後でやる」.

Each kind of candidate has its own coefficients: what makes an FAQ answer safe (the
question's meaning is close) is not what makes a command safe (the line is short and
stands far ahead of everything else), and unknown words speak against an FAQ entry but
for a topic outside the window.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from bot.faq.hybrid import DENSE_QUESTIONS, Analysis

FEATURES = ("score", "gap", "agree", "dense", "cover", "unknown", "foreign", "own", "asks")
# The direction each feature may push: a bigger lead, more agreement, more similarity and more of the
# line covered can only make a candidate likelier; words nobody uses make an entry or an intent less
# likely and a topic outside the window likelier; a question is less likely a request. A fit that would
# give a feature the other sign (a quirk of a small tuning set) leaves it out instead.
# The intents and the outside topics have few tuning lines, so their models are kept small. An outside
# topic needs words of its own in the line (``own``): words that nobody uses (``unknown``) or that only
# the window does not use (``foreign``) say that the line is not the window's, not which topic it is
# (「資料は来週お送りします。」 is not 保険・年金・介護).
SIGNS = {
    "faq": {"score": 1, "gap": 1, "agree": 1, "dense": 1, "cover": 1, "foreign": -1},
    "intent": {"gap": 1, "agree": 1, "dense": 1, "cover": 1, "unknown": -1, "asks": -1},
    "outside": {"gap": 1, "dense": 1, "own": 1},
}


@dataclass(frozen=True)
class Leaders:
    """What one question's ranking looks like, computed once for all its candidates."""

    total: np.ndarray
    order: np.ndarray  # candidate indexes, best first
    firsts: tuple[int, ...]  # each weighted method's best candidate
    answer_firsts: tuple[int, ...]  # each weighted method's best candidate that is not an intent
    requests: np.ndarray  # per candidate, whether it is an intent (a request, not a question's answer)

    @classmethod
    def of(cls, analysis: Analysis, total: np.ndarray, weights: Mapping[str, float], requests: np.ndarray) -> Leaders:
        used = [values for method, values in analysis.scores.items() if weights.get(method)]
        firsts = tuple(int(values.argmax()) for values in used)
        answer_firsts = tuple(int(np.where(requests, -np.inf, values).argmax()) for values in used) if not requests.all() else firsts
        return cls(total, total.argsort()[::-1], firsts, answer_firsts, requests)


def features(analysis: Analysis, leaders: Leaders, index: int) -> dict[str, float]:
    """The candidate's features; an answer's lead is over the other answers (FAQ entries, outside topics)
    only: whether the line is a request rather than a question is decided apart (bot/core/understanding.py)."""
    total = leaders.total
    rivals = leaders.order if leaders.requests[index] else [other for other in leaders.order if not leaders.requests[other]]
    best_other = next((total[other] for other in rivals[:2] if other != index), total[index])
    firsts = leaders.firsts if leaders.requests[index] else leaders.answer_firsts
    return {
        "score": float(total[index]),
        "gap": float(total[index] - best_other),
        "agree": sum(first == index for first in firsts) / max(1, len(firsts)),
        "dense": float(analysis.scores[DENSE_QUESTIONS][index]) if DENSE_QUESTIONS in analysis.scores else 0.0,
        "cover": float(analysis.shared[index]),
        "unknown": analysis.unknown_words,
        "foreign": analysis.foreign,
        "own": float(analysis.own[index]) if analysis.own is not None else 0.0,
        "asks": analysis.asks,
    }


def probability(values: Mapping[str, float], coefficients: Mapping[str, float]) -> float:
    """The logistic model: 0 (surely not meant) to 1 (surely meant)."""
    logit = coefficients.get("bias", 0.0) + sum(weight * values[name] for name, weight in coefficients.items() if name != "bias")
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, logit))))


def fit_signed(rows: list[dict[str, float]], labels: list[bool], signs: dict[str, int]) -> dict[str, float]:
    """``fit_logistic`` on the features of ``signs``, leaving out, one at a time, any that comes out with the wrong sign."""
    names = tuple(signs)
    while True:
        fitted = fit_logistic(rows, labels, names)
        wrong = [name for name in names if fitted[name] * signs[name] < 0]
        if not wrong:
            return fitted
        worst = max(wrong, key=lambda name: abs(fitted[name]))
        names = tuple(name for name in names if name != worst)


def fit_logistic(
    rows: list[dict[str, float]], labels: list[bool], names: tuple[str, ...] = FEATURES, l2: float = 1.0, steps: int = 50
) -> dict[str, float]:
    """Newton's method on the L2-penalised log-likelihood, on standardised features (the bias is not penalised).

    The coefficients are returned for the raw features, as ``probability`` uses them.
    """
    raw = np.array([[row[name] for name in names] for row in rows])
    mean, spread = raw.mean(axis=0), raw.std(axis=0)
    spread[spread < 1e-9] = 1.0
    x = np.hstack([np.ones((len(rows), 1)), (raw - mean) / spread])
    y = np.array(labels, dtype=float)
    w = np.zeros(x.shape[1])
    penalty = np.full(x.shape[1], l2)
    penalty[0] = 0.0
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ w, -30, 30)))
        gradient = x.T @ (p - y) + penalty * w
        hessian = (x.T * (p * (1 - p))) @ x + np.diag(penalty) + 1e-9 * np.eye(x.shape[1])
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    scaled = w[1:] / spread
    bias = w[0] - float(scaled @ mean)
    return {"bias": round(bias, 4), **{name: round(float(value), 4) for name, value in zip(names, scaled, strict=True)}}
