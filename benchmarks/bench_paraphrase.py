"""How well copydesk's sentence-pair paraphrase decision does on the Microsoft Research
Paraphrase Corpus (MSRP) training split, lexical and (when installed) semantic.

Run by hand; prints figures, asserts nothing. The decision measured is exactly the aligner's
(`copydesk.align.sentence_pair_scores` against `seed_threshold`): accuracy, precision, recall
and F1 at the thresholds in use, the best thresholds on this split, and a 5-fold
cross-validated figure (threshold tuned on four folds, scored on the fifth).

It also counts candidate pairs per article on seeded synthetic corpora with and without the
sentence sketches (`find_candidates(..., sketches=False)` is the 5-gram index alone).

    python benchmarks/bench_paraphrase.py [--tsv PATH] [--limit N] [--lexical-only]
                                          [--candidates 2000] (0 skips the count)
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import time
from pathlib import Path

import numpy as np

from copydesk import align
from copydesk.candidates import find_candidates
from copydesk.clean import clean_articles
from copydesk.synthetic import make_corpus

DEFAULT_TSV = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "corpus"
    / "paraphrase"
    / "msr_paraphrase_train.tsv"
)


def read_msrp(path: Path) -> list[tuple[int, str, str]]:
    """(label, sentence 1, sentence 2) rows. Quoting is off: the sentences hold bare quotes.
    A byte-order mark, blank lines and malformed rows are skipped."""
    rows = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        for number, row in enumerate(reader):
            if number == 0 and row and not row[0].strip().isdigit():
                continue  # the header
            if len(row) < 5 or row[0].strip() not in {"0", "1"}:
                continue
            rows.append((int(row[0]), row[3].strip(), row[4].strip()))
    return rows


def figures(scores: np.ndarray, labels: np.ndarray, threshold: float) -> dict[str, float]:
    said = scores >= threshold
    truth = labels == 1
    tp = int((said & truth).sum())
    precision = tp / said.sum() if said.sum() else 1.0
    recall = tp / truth.sum() if truth.sum() else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "threshold": threshold,
        "accuracy": float((said == truth).mean()),
        "precision": float(precision),
        "recall": float(recall),
        "f1": float(f1),
    }


def best_threshold(scores: np.ndarray, labels: np.ndarray, key: str) -> float:
    candidates = np.unique(np.round(scores, 3))
    return float(max(candidates, key=lambda t: (figures(scores, labels, t)[key], -t)))


def cross_validated(scores: np.ndarray, labels: np.ndarray, key: str, folds: int = 5) -> dict:
    order = list(range(len(scores)))
    random.Random(0).shuffle(order)
    parts = [order[k::folds] for k in range(folds)]
    said = np.zeros(len(scores), dtype=bool)
    for k in range(folds):
        train = np.array([i for j, part in enumerate(parts) if j != k for i in part])
        test = np.array(parts[k])
        threshold = best_threshold(scores[train], labels[train], key)
        said[test] = scores[test] >= threshold
    return figures(said.astype(float), labels, 0.5)


def line(name: str, f: dict[str, float]) -> str:
    return (
        f"  {name:<34} thr {f['threshold']:5.3f}  acc {f['accuracy']:.3f}  "
        f"P {f['precision']:.3f}  R {f['recall']:.3f}  F1 {f['f1']:.3f}"
    )


def report(method: str, scores: np.ndarray, labels: np.ndarray, in_use: dict[str, float]) -> None:
    print(f"{method}:")
    for name, threshold in in_use.items():
        print(line(name, figures(scores, labels, threshold)))
    for key in ("accuracy", "f1"):
        t = best_threshold(scores, labels, key)
        print(line(f"best {key} on this split", figures(scores, labels, t)))
        cv = cross_validated(scores, labels, key)
        cv["threshold"] = float("nan")
        print(line(f"5-fold CV, tuned for {key}", cv).replace("thr   nan", "thr  tuned"))


def candidate_counts(size: int) -> None:
    print(f"candidates on make_corpus({size}):")
    settings = {
        "copy/partial/reordered": {},
        "+ rewritten": {"kinds": ("copy", "partial", "reordered", "rewritten")},
    }
    for name, kwargs in settings.items():
        corpus = make_corpus(size, seed=size, **kwargs)  # type: ignore[arg-type]
        docs = clean_articles(corpus.articles)
        truth = corpus.truth_pairs
        for label, sketches in (("5-grams", False), ("5-grams + sketches", True)):
            started = time.perf_counter()
            found = find_candidates(docs, sketches=sketches)
            elapsed = time.perf_counter() - started
            ids = {(docs[c.a].id, docs[c.b].id) for c in found}
            hit = len({tuple(sorted(k)) for k in ids} & truth)
            print(
                f"  {name:<24} {label:<20} {len(found):6d} pairs"
                f" ({len(found) / size:.3f} per article), truth pairs {hit}/{len(truth)},"
                f" {elapsed:.2f}s"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tsv", type=Path, default=DEFAULT_TSV)
    parser.add_argument("--limit", type=int, default=0, help="first N pairs only")
    parser.add_argument("--lexical-only", action="store_true")
    parser.add_argument("--candidates", type=int, default=2000, help="corpus size, 0: skip")
    args = parser.parse_args()
    if args.candidates:
        candidate_counts(args.candidates)
    if not args.tsv.exists():
        sys.exit(f"MSRP file not found: {args.tsv}")
    rows = read_msrp(args.tsv)
    if args.limit:
        rows = rows[: args.limit]
    labels = np.array([label for label, _, _ in rows])
    first = [a for _, a, _ in rows]
    second = [b for _, _, b in rows]
    print(f"MSRP train: {len(rows)} pairs, {labels.mean():.1%} paraphrases "
          f"(all-yes baseline: acc {labels.mean():.3f}, "
          f"F1 {2 * labels.mean() / (1 + labels.mean()):.3f})")  # fmt: skip
    # idf over the corpus's own sentences, as a scan takes it over the run's articles
    idf = align.idf_from_term_sets(align.sentence_terms(s) for s in first + second)
    started = time.perf_counter()
    lexical = align.sentence_pair_scores(first, second, idf, "lexical")
    elapsed = time.perf_counter() - started
    print(f"lexical scored in {elapsed:.1f}s")
    report(
        "lexical",
        lexical,
        labels,
        {
            "PARAPHRASE_THRESHOLD (seed)": align.PARAPHRASE_THRESHOLD,
            "LONE_THRESHOLD (lone pair)": align.LONE_THRESHOLD,
        },
    )
    if args.lexical_only:
        return
    if not align.semantic_available():
        print("semantic: not installed (pip install 'copydesk[semantic]')")
        return
    started = time.perf_counter()
    semantic = align.sentence_pair_scores(first, second, idf, "semantic")
    elapsed = time.perf_counter() - started
    print(f"semantic scored in {elapsed:.1f}s")
    report(
        "semantic (MiniLM cosine, >= MIN_SHARED_TERMS shared words)",
        semantic,
        labels,
        {
            "SEMANTIC_THRESHOLD (seed)": align.SEMANTIC_THRESHOLD,
            "SEMANTIC_LONE_THRESHOLD (lone pair)": align.SEMANTIC_LONE_THRESHOLD,
        },
    )
    raw = np.einsum("ij,ij->i", align.embed_sentences(first), align.embed_sentences(second))
    report("semantic, raw cosine (no word gate)", raw, labels, {})


if __name__ == "__main__":
    main()
