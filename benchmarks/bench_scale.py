"""Scale: copydesk on 10,000 to 100,000 news-length articles, side by side with datasketch.

For each size it builds (and caches under benchmarks/.cache/) a seeded synthetic corpus with
known reuse: whole copies, three-sentence quotes inside long articles and reordered paragraphs,
half of them verbatim and half with 10 % of the words edited, every article carrying its outlet's
footer. Then, in one process run, it prints

- copydesk: articles per second end to end and for the candidate stage alone, peak memory (RSS),
  candidate and final pair recall/precision against the truth, and where the time went;
- datasketch MinHash + MinHashLSH (num_perm 128, the same word 5-gram shingles, the threshold that
  gives it its best pair recall): signatures per second, candidate recall/precision;
- the throughput ratio of the two candidate stages.

Run: .venv/bin/python benchmarks/bench_scale.py --sizes 10000,30000,100000 [--peer-max 30000]
(`make bench` runs it with the default sizes). Needs the `bench` extra (datasketch).
"""

from __future__ import annotations

import argparse
import gzip
import json
import pickle
import resource
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import copydesk
from copydesk.candidates import find_candidates
from copydesk.clean import clean_articles
from copydesk.model import Article, ScanOptions
from copydesk.pipeline import align_candidates, assemble
from copydesk.provenance import read_clues
from copydesk.synthetic import SyntheticCorpus, evaluate, make_corpus

CACHE = Path(__file__).parent / ".cache"
T = TypeVar("T")


def footer(outlet: str) -> str:
    return (
        f"\n\nSubscribe to {outlet} for the day's news in your inbox every morning.\n"
        f"© {outlet} Media Group. All rights reserved. Terms | Privacy | Cookies"
    )


def corpus_of(size: int) -> SyntheticCorpus:
    """Half verbatim reuse, half edited (10 %), each article with its outlet's footer."""
    path = CACHE / f"scale-{size}.pickle.gz"
    if path.exists():
        with gzip.open(path, "rb") as handle:
            cached: SyntheticCorpus = pickle.load(handle)
            return cached
    verbatim = make_corpus(size // 2, seed=size)
    edited = make_corpus(size - size // 2, seed=size + 1, edit_rate=0.10)
    corpus = SyntheticCorpus(verbatim.articles + edited.articles, verbatim.truth + edited.truth)
    for article in corpus.articles:
        article.text += footer(article.source or "Outlet")
    CACHE.mkdir(exist_ok=True)
    with gzip.open(path, "wb", compresslevel=1) as handle:
        pickle.dump(corpus, handle)
    return corpus


def timed(what: Callable[[], T]) -> tuple[T, float]:
    started = time.perf_counter()
    value = what()
    return value, time.perf_counter() - started


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def pair_scores(found: set[tuple[str, str]], truth: set[tuple[str, str]]) -> tuple[float, float]:
    hit = len(found & truth)
    return hit / max(1, len(found)), hit / max(1, len(truth))


def run_copydesk(corpus: SyntheticCorpus, workers: int) -> dict[str, Any]:
    options = ScanOptions(workers=workers)
    articles: list[Article] = corpus.articles
    docs, t_clean = timed(lambda: clean_articles(articles))
    clues, t_clues = timed(lambda: {d.id: read_clues(d) for d in docs})
    cands, t_cand = timed(lambda: find_candidates(docs, options.ngram, options.max_df))
    pairs, t_align = timed(lambda: align_candidates(docs, cands, options, None, clues))
    result, t_assemble = timed(lambda: assemble(docs, pairs, [], options, clues))
    total = t_clean + t_clues + t_cand + t_align + t_assemble
    truth = corpus.truth_pairs
    cand_pairs = {tuple(sorted((docs[c.a].id, docs[c.b].id))) for c in cands}
    accuracy = evaluate(corpus, result.pairs)
    return {
        "seconds": total,
        "stages": {"clean": t_clean, "clues": t_clues, "candidates": t_cand, "align": t_align,
                   "assemble": t_assemble},
        "candidate_seconds": t_cand,
        "candidates": len(cands),
        "candidate_pr": pair_scores(cand_pairs, truth),  # type: ignore[arg-type]
        "pair_pr": (accuracy.pair_precision, accuracy.pair_recall),
        "char_pr": (accuracy.precision, accuracy.recall),
    }  # fmt: skip


def shingles(words: list[str], n: int = 5) -> set[bytes]:
    return {" ".join(words[i : i + n]).encode() for i in range(len(words) - n + 1)}


def run_datasketch(corpus: SyntheticCorpus) -> dict[str, Any]:
    from datasketch import MinHash, MinHashLSH

    docs = clean_articles(corpus.articles)  # the same words copydesk matches on
    sets = [shingles(d.words) for d in docs]

    def signatures() -> list[Any]:
        out = []
        for s in sets:
            m = MinHash(num_perm=128)
            m.update_batch(list(s))
            out.append(m)
        return out

    sigs, t_sig = timed(signatures)
    truth = corpus.truth_pairs
    best: dict[str, Any] = {}
    for threshold in (0.05, 0.1, 0.2, 0.3, 0.5):
        def query(threshold: float = threshold) -> set[tuple[str, str]]:
            lsh = MinHashLSH(threshold=threshold, num_perm=128)
            for d, m in zip(docs, sigs, strict=True):
                lsh.insert(d.id, m)
            found = set()
            for d, m in zip(docs, sigs, strict=True):
                for other in lsh.query(m):
                    if other != d.id:
                        found.add(tuple(sorted((d.id, other))))
            return found  # type: ignore[return-value]

        found, t_lsh = timed(query)
        precision, recall = pair_scores(found, truth)
        if not best or recall > best["pr"][1]:
            best = {"threshold": threshold, "pr": (precision, recall), "candidates": len(found),
                    "seconds": t_sig + t_lsh}  # fmt: skip
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,30000", help="corpus sizes, comma-separated")
    parser.add_argument("--peer-max", type=int, default=30000,
                        help="largest size also run with datasketch (it is slow)")  # fmt: skip
    parser.add_argument("--workers", type=int, default=0, help="copydesk workers (0: all cores)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    workers = args.workers or len(__import__("os").sched_getaffinity(0))
    print(f"copydesk {copydesk.__version__}, {workers} worker(s)")
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        corpus, t_make = timed(lambda size=size: corpus_of(size))
        words = sum(len(a.text.split()) for a in corpus.articles)
        print(f"\n== {size} articles, {words / 1e6:.1f} M words (corpus ready in {t_make:.0f} s)")
        mine = run_copydesk(corpus, workers)
        stages = ", ".join(f"{k} {v:.1f} s" for k, v in mine["stages"].items())
        print(f"copydesk   end to end {size / mine['seconds']:7.0f} art/s ({mine['seconds']:.1f} s;"
              f" {stages})")
        print(f"           candidates {size / mine['candidate_seconds']:7.0f} art/s,"
              f" {mine['candidates']} candidate pairs, pair P/R"
              f" {mine['candidate_pr'][0]:.3f}/{mine['candidate_pr'][1]:.3f};"
              f" reported pairs P/R {mine['pair_pr'][0]:.3f}/{mine['pair_pr'][1]:.3f};"
              f" passage chars P/R {mine['char_pr'][0]:.3f}/{mine['char_pr'][1]:.3f};"
              f" peak RSS {peak_mib():.0f} MiB")  # fmt: skip
        row: dict[str, Any] = {"size": size, "words": words, "copydesk": mine,
                               "peak_mib": peak_mib()}  # fmt: skip
        if size <= args.peer_max:
            peer = run_datasketch(corpus)
            ratio = (size / mine["candidate_seconds"]) / (size / peer["seconds"])
            print(f"datasketch candidates {size / peer['seconds']:7.0f} art/s (MinHash 128 +"
                  f" LSH threshold {peer['threshold']}), {peer['candidates']} candidate pairs,"
                  f" pair P/R {peer['pr'][0]:.3f}/{peer['pr'][1]:.3f}")
            print(f"ratio      copydesk candidate stage is {ratio:.1f}x datasketch's throughput;"
                  f" pair recall {mine['candidate_pr'][1]:.3f} vs {peer['pr'][1]:.3f}")  # fmt: skip
            row["datasketch"] = peer
        rows.append(row)
    if len(rows) > 1:
        first, last = rows[0], rows[-1]
        per_first = first["copydesk"]["seconds"] / first["size"]
        per_last = last["copydesk"]["seconds"] / last["size"]
        print(f"\ntime per article at {last['size']} is {per_last / per_first:.2f}x that at"
              f" {first['size']}; linear extrapolation to 1,000,000 articles:"
              f" {per_last * 1e6 / 60:.0f} min")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2, default=list), encoding="utf-8")


if __name__ == "__main__":
    main()
