"""Accuracy and speed of `copydesk.scan` on seeded synthetic corpora with known reuse.

Run by hand or with `make bench`; prints figures, asserts nothing. Sizes: --sizes 1000,5000.
"""

from __future__ import annotations

import argparse
import resource
import time

import copydesk
from copydesk.candidates import find_candidates
from copydesk.clean import clean_articles
from copydesk.synthetic import evaluate, make_corpus

SETTINGS = {
    "verbatim": {},
    "edited 10%": {"edit_rate": 0.10},
    "edited 20%": {"edit_rate": 0.20},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="500,2000", help="corpus sizes, comma-separated")
    args = parser.parse_args()
    print(f"{'corpus':<12} {'articles':>8} {'P':>6} {'R':>6} {'pairP':>6} {'pairR':>6}"
          f" {'art/s':>8} {'cand art/s':>10} {'peak MiB':>9}")  # fmt: skip
    for size in (int(s) for s in args.sizes.split(",")):
        for name, kwargs in SETTINGS.items():
            corpus = make_corpus(size, seed=size, **kwargs)
            started = time.perf_counter()
            result = copydesk.scan(corpus.articles)
            elapsed = time.perf_counter() - started
            docs = clean_articles(corpus.articles)
            started = time.perf_counter()
            find_candidates(docs)
            candidate_time = time.perf_counter() - started
            scores = evaluate(corpus, result.pairs)
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(
                f"{name:<12} {size:>8} {scores.precision:6.3f} {scores.recall:6.3f}"
                f" {scores.pair_precision:6.3f} {scores.pair_recall:6.3f}"
                f" {size / elapsed:8.0f} {size / candidate_time:10.0f} {peak:9.0f}"
            )


if __name__ == "__main__":
    main()
