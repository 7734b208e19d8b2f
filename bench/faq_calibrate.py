"""Fit the matcher's weights, confidence model and bands on the TUNING parts of the project's question sets.

    .venv/bin/python bench/faq_calibrate.py [--no-embeddings]

Reads only the `tune` parts of tests/faq/questions.yaml and tests/intents/phrasings.yaml, with the
blind tuning sets beside them (tests/faq/tune3.yaml, tests/intents/tune3.yaml); the `test` parts
are never looked at here (bench/faq_report.py reports on them). Three
steps, each on the same tuning lines:

1. method weights (char / sudachi BM25, the embedding's similarity to questions and to
   answers) that rank the wanted FAQ entry or intent first (MRR@10, bench/fitting.py);
2. the confidence model (bot/faq/confidence.py): a logistic regression that says, from the
   best candidate of each kind (FAQ entry, intent, outside topic), whether it is the one meant;
3. the bands on that confidence (answer / did-you-mean, outside, intent done / asked, and
   the stricter bands inside a form), by coordinate ascent on what users would see: a wrong
   confident answer or a request started from a question costs far more than an honest
   "not found".

It prints the outcome on the tuning lines and the Calibration to copy into bot/faq/matcher.py.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.evaluation import (
    REPOSITORY,
    Phrasing,
    Question,
    faq_counts,
    faq_outcome,
    judge_all,
    phrasing_counts,
    phrasing_outcome,
    phrasings,
    questions,
)
from bench.fitting import fit_weights, folds, standardized_rows
from bot.content.loader import load_content
from bot.core.ports import IntentBands
from bot.faq.confidence import SIGNS, Leaders, features, fit_signed
from bot.faq.hybrid import Analysis, combine
from bot.faq.live import build_index, load_embedder
from bot.faq.matcher import Calibration, FaqIndex, Target, reading

FAQ_VALUE = {"right": 1.0, "suggested": 0.4, "unknown": 0.0, "outside": -1.0, "suggested_wrong": -0.3, "wrong": -6.0,
             "out_outside": 0.6, "out_unknown": 0.2, "out_suggested": -0.3, "out_answered": -6.0}
PHRASING_VALUE = {"right": 1.0, "asked_right": 0.6, "wrong_asked": -0.5, "wrong": -6.0, "flow_asked": -1.0, "flow_started": -6.0,
                  "answer_asked": -2.0, "answer_taken": -6.0}
BAND_GRID = [round(value, 2) for value in np.linspace(0.05, 0.95, 19)]
KINDS = ("faq", "intent", "outside")
MIDDLE_BAND = 0.15  # the least width of the intents' ask band
LEAST_COVER_IN_FORM = 0.5
BANDS = ("answer", "suggest", "outside", "sure", "ask", "sure_in_form", "ask_in_form", "cover_in_form")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-embeddings", action="store_true")
    parser.add_argument("--mistakes", action="store_true", help="list the tuning lines that are not answered right")
    parser.add_argument("--cv", action="store_true", help="also cross-validate the whole fit over the tuning lines")
    parser.add_argument("--folds", type=int, default=5, help="folds for --cv (default 5)")
    parser.add_argument("--repeats", type=int, default=2, help="shuffles for --cv (default 2)")
    args = parser.parse_args()
    content = load_content(REPOSITORY)
    embedder = None if args.no_embeddings else load_embedder(REPOSITORY / "var" / "cache")
    index = build_index(content, embedder)
    asked, typed = questions("tune"), phrasings("tune")
    asked_analyses = [index.analyse(item.text) for item in asked]
    typed_analyses = [index.analyse(item.text) for item in typed]
    anchor = "e5" if embedder else "char"
    calibration = fit(content, index, asked, asked_analyses, typed, typed_analyses, anchor)
    faq = faq_counts(judge_all(index, asked_analyses, calibration), asked, calibration)
    said = phrasing_counts(content, judge_all(index, typed_analyses, calibration), typed, calibration)
    print(f"tuning part only: {len(asked)} FAQ questions, {len(typed)} typed phrasings; embeddings {'off' if args.no_embeddings else 'on'}")
    print(f"FAQ (tune, fitted on it):     {_shares(faq, said)[0]}   {dict(sorted(faq.items()))}")
    print(f"intents (tune, fitted on it): {_shares(faq, said)[1]}   {dict(sorted(said.items()))}")
    print(f"value: FAQ {_value(faq, FAQ_VALUE):.1f}, intents {_value(said, PHRASING_VALUE):.1f}")
    if args.cv:
        faq_cv, said_cv = cross_validate(content, index, asked, asked_analyses, typed, typed_analyses, anchor, args.folds, args.repeats)
        print(f"cross-validated on the tuning part ({args.folds} folds x {args.repeats} shuffles, each fold fitted on the others):")
        print(f"  FAQ (tune, held-out folds):     {_shares(faq_cv, said_cv)[0]}   {dict(sorted(faq_cv.items()))}")
        print(f"  intents (tune, held-out folds): {_shares(faq_cv, said_cv)[1]}   {dict(sorted(said_cv.items()))}")
    if args.mistakes:
        _print_mistakes(content, index, calibration, asked, asked_analyses, typed, typed_analyses)
    print(f"\n{'BM25_ONLY' if args.no_embeddings else 'DEFAULT'} = {_literal(calibration)}")
    return 0


def fit(content, index, asked, asked_analyses, typed, typed_analyses, anchor: str) -> Calibration:  # type: ignore[no-untyped-def]
    """The three steps of the module's docstring, on these lines only."""
    analyses = [*asked_analyses, *typed_analyses]
    wanted = [_wanted_targets(index.targets, item) for item in [*asked, *typed]]
    relevant = np.array([row for row in wanted if row.any()])
    ranked_rows = [analysis for analysis, row in zip(analyses, wanted, strict=True) if row.any()]
    z_scores = {method: standardized_rows(np.stack([a.scores[method] for a in ranked_rows])) for method in index.methods}
    weights = fit_weights(z_scores, relevant, anchor)

    samples: dict[str, tuple[list[dict[str, float]], list[bool]]] = {kind: ([], []) for kind in KINDS}
    for analysis, row, item in zip(analyses, wanted, [*asked, *typed], strict=True):
        # The best candidate of each kind teaches that kind's model whether it was the one meant: the best
        # intent for an FAQ question (or for a company name typed as an answer) is what a false request looks like.
        # The answers' models learn from questions only: whether a line is a request is the intents' model's call.
        question = isinstance(item, Question) or all(want.startswith("faq:") for want in item.wanted)
        for position, values in _best_of_each_kind(index, analysis, weights):
            kind = index.targets[position].kind
            if kind != "intent" and not question:
                continue
            rows, labels = samples[kind]
            rows.append(values)
            labels.append(bool(row[position]))
    coefficients = {kind: fit_signed(*samples[kind], SIGNS[kind]) if samples[kind][0] else {"bias": -30.0} for kind in KINDS}

    calibration = Calibration(weights=weights, coefficients=coefficients, answer=0.5, suggest=0.2, outside=0.5,
                              intents=IntentBands(sure=0.5, ask=0.3, sure_in_form=0.8, ask_in_form=0.6, cover_in_form=0.7))
    judged_asked = judge_all(index, asked_analyses, calibration)
    judged_typed = judge_all(index, typed_analyses, calibration)
    return _fit_bands(content, calibration, judged_asked, asked, judged_typed, typed)


def cross_validate(content, index, asked, asked_analyses, typed, typed_analyses, anchor, k, repeats):  # type: ignore[no-untyped-def]
    """Outcomes on held-out folds of the tuning lines, everything (weights, model, bands) fitted on the other folds."""
    faq: Counter[str] = Counter()
    said: Counter[str] = Counter()
    for seed in range(repeats):
        asked_folds, typed_folds = folds(len(asked), k, seed), folds(len(typed), k, seed + 1000)
        for held_out in range(k):
            def split(items, folded, held_out=held_out):  # type: ignore[no-untyped-def]
                keep = np.concatenate([part for number, part in enumerate(folded) if number != held_out])
                return [items[i] for i in keep], [items[i] for i in folded[held_out]]
            (asked_fit, asked_out), (asked_a_fit, asked_a_out) = split(asked, asked_folds), split(asked_analyses, asked_folds)
            (typed_fit, typed_out), (typed_a_fit, typed_a_out) = split(typed, typed_folds), split(typed_analyses, typed_folds)
            calibration = fit(content, index, asked_fit, asked_a_fit, typed_fit, typed_a_fit, anchor)
            faq += faq_counts(judge_all(index, asked_a_out, calibration), asked_out, calibration)
            said += phrasing_counts(content, judge_all(index, typed_a_out, calibration), typed_out, calibration)
    return faq, said


def _shares(faq: Counter[str], said: Counter[str]) -> tuple[str, str]:
    """The report's headline figures (bench/faq_report.py) from outcome counts."""
    in_scope = sum(count for name, count in faq.items() if not name.startswith("out_"))
    outside = sum(faq.values()) - in_scope
    right = (said["right"] + said["asked_right"]) / max(1, sum(said.values()))
    return (f"right {faq['right'] / max(1, in_scope):.3f}, wrong {faq['wrong']}, out of scope answered {faq['out_answered'] / max(1, outside):.3f}",
            f"right action {right:.3f}, flows started by negatives {said['flow_started']}")


def _print_mistakes(content, index, calibration, asked, asked_analyses, typed, typed_analyses) -> None:  # type: ignore[no-untyped-def]
    for item, judged in zip(asked, judge_all(index, asked_analyses, calibration), strict=True):
        outcome = faq_outcome(reading(judged, calibration), item.wanted)
        if outcome not in ("right", "out_outside", "out_unknown"):
            tops = ", ".join(f"{r.target.kind}:{r.target.id} {r.score:.2f}/{r.confidence:.2f}" for r in judged.ranked[:3])
            print(f"  FAQ {outcome:<15} {item.text}  (wanted {item.wanted}; {tops})")
    for item, judged in zip(typed, judge_all(index, typed_analyses, calibration), strict=True):
        outcome = phrasing_outcome(content, item, judged, calibration)
        if outcome != "right":
            tops = ", ".join(f"{r.target.kind}:{r.target.id} {r.score:.2f}/{r.confidence:.2f}" for r in judged.ranked[:3])
            print(f"  said {outcome:<14} {item.at} {item.text}  (wanted {item.wanted}; {tops})")


def _literal(calibration: Calibration) -> str:
    """The calibration as Python to paste into bot/faq/matcher.py."""
    def numbers(values: Mapping[str, float]) -> str:
        return "{" + ", ".join(f'"{name}": {round(float(value), 4)}' for name, value in values.items()) + "}"

    models = ",\n".join(f'        "{kind}": {numbers(values)}' for kind, values in calibration.coefficients.items())

    bands = calibration.intents
    intents = ", ".join(f"{name}={round(float(getattr(bands, name)), 2)}" for name in IntentBands.__dataclass_fields__)
    return (
        f"Calibration(\n    weights={numbers(calibration.weights)},\n    coefficients={{\n{models},\n    }},\n"
        f"    answer={round(float(calibration.answer), 2)}, suggest={round(float(calibration.suggest), 2)}, "
        f"outside={round(float(calibration.outside), 2)},\n    intents=IntentBands({intents}),\n)"
    )


def _wanted_targets(targets: Sequence[Target], item: Question | Phrasing) -> np.ndarray:
    if isinstance(item, Question):
        if not item.wanted:
            return np.array([target.kind == "outside" for target in targets])
        return np.array([target.kind == "faq" and target.id in item.wanted for target in targets])
    names = {(want.split(":", 1)[0], want.split(":", 1)[1]) if ":" in want else ("intent", want) for want in item.wanted}
    return np.array([(target.kind, target.id) in names for target in targets])


def _best_of_each_kind(index: FaqIndex, analysis: Analysis, weights: dict[str, float]) -> list[tuple[int, dict[str, float]]]:
    total = combine(analysis.scores, weights)
    leaders = Leaders.of(analysis, total, weights, np.array([target.kind == "intent" for target in index.targets]))
    seen: set[str] = set()
    found = []
    for position in leaders.order:
        kind = index.targets[position].kind
        if kind not in seen:
            seen.add(kind)
            found.append((int(position), features(analysis, leaders, int(position))))
    return found


def _value(counts: Counter[str], values: dict[str, float]) -> float:
    return sum(values.get(name, 0.0) * count for name, count in counts.items())


def _with_band(calibration: Calibration, name: str, value: float) -> Calibration:
    if name in ("answer", "suggest", "outside"):
        return replace(calibration, **{name: value})
    return replace(calibration, intents=replace(calibration.intents, **{name: value}))


def _band(calibration: Calibration, name: str) -> float:
    return getattr(calibration, name) if name in ("answer", "suggest", "outside") else getattr(calibration.intents, name)


def _consistent(calibration: Calibration) -> bool:
    bands = calibration.intents
    # A middle band where the bot asks 「…しますか？」 is part of the design (issue 13), so it is never fitted away.
    return (calibration.suggest <= calibration.answer
            and bands.ask + MIDDLE_BAND <= bands.sure and bands.ask_in_form + MIDDLE_BAND <= bands.sure_in_form
            and bands.sure <= bands.sure_in_form and bands.ask <= bands.ask_in_form
            # "Clearly a command" (issue 13): inside a form, the intent's words must cover most of the line.
            and bands.cover_in_form >= LEAST_COVER_IN_FORM)


def _fit_bands(content, calibration, judged_asked, asked, judged_typed, typed) -> Calibration:  # type: ignore[no-untyped-def]
    """Coordinate ascent over the bands from a few starting points (the ranking and confidences do not depend on them)."""

    def value(trial: Calibration) -> float:
        return (_value(faq_counts(judged_asked, asked, trial), FAQ_VALUE)
                + _value(phrasing_counts(content, judged_typed, typed, trial), PHRASING_VALUE))

    def ascend(start: Calibration) -> tuple[float, Calibration]:
        current, best = start, value(start)
        for _ in range(4):
            for name in BANDS:
                for candidate in BAND_GRID:
                    trial = _with_band(current, name, candidate)
                    if not _consistent(trial):
                        continue
                    found = value(trial)
                    # Ties go to the stricter band: fewer confident mistakes on lines nobody tuned for.
                    if found > best + 1e-9 or (abs(found - best) <= 1e-9 and candidate > _band(current, name)):
                        best, current = found, trial
        return best, current

    starts = [calibration]
    for level in (0.3, 0.5, 0.7):
        start = calibration
        for name, offset in zip(BANDS, (0.0, -0.2, 0.0, 0.0, -0.2, 0.1, -0.1, 0.0), strict=True):
            start = _with_band(start, name, round(min(0.95, max(0.05, level + offset)), 2))
        if _consistent(start):
            starts.append(start)
    return max((ascend(start) for start in starts), key=lambda found: found[0])[1]


if __name__ == "__main__":
    sys.exit(main())
