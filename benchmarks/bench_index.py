"""How fast the index answers `check` against 10,000 or 100,000 indexed articles.

The index is built once from a seeded synthetic corpus (`copydesk.synthetic.make_corpus`) and kept
under benchmarks/.cache/; the articles generated after the indexed ones (which reuse them about
half the time) are then checked one by one, with the default options: candidates through rare
n-grams, sentence sketches and shared names, alignment weighed with the idf of the index.
Prints build speed, index size, and the check latency (median, p95, p99; the target is a median
under 100 ms at 100,000 articles) with how many checks found the article they reuse. Building
100,000 takes a while (23 minutes on two shared cores): run it in the background, with nice.

    python benchmarks/bench_index.py --sizes 10000,100000 --checks 200
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from copydesk import Article
from copydesk.store import SCHEMA_VERSION, AddResult, Index
from copydesk.synthetic import make_corpus

CACHE = Path(__file__).parent / ".cache"


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _paths(size: int, checks: int) -> tuple[Path, Path]:
    # One index per schema: a migrated one would hold the pairs its older copydesk found.
    stem = f"index-{size}-c{checks}-s{SCHEMA_VERSION}"
    return CACHE / f"{stem}.db", CACHE / f"{stem}.checks.jsonl"


def build(
    size: int, checks: int, batch_size: int, workers: int
) -> tuple[Path, list[Article], dict[str, str]]:
    """The cached index of `size` articles, the articles to check and what each one reuses."""
    db, held_out = _paths(size, checks)
    if db.exists() and held_out.exists():
        records = [json.loads(line) for line in held_out.read_text().splitlines()]
        reuses = {r["id"]: r.pop("reuses", None) for r in records}
        truth = {k: v for k, v in reuses.items() if v}
        return db, [Article(**r) for r in records], truth
    CACHE.mkdir(parents=True, exist_ok=True)
    for stale in CACHE.glob(db.name + "*"):
        stale.unlink()
    started = time.perf_counter()
    corpus = make_corpus(size + checks, seed=size)
    print(f"  generated {size + checks} articles in {time.perf_counter() - started:.0f} s")
    indexed, to_check = corpus.articles[:size], corpus.articles[size:]
    # Only what the index can answer: reuse of an indexed article by a checked one.
    checked, known = {a.id for a in to_check}, {a.id for a in indexed}
    truth = {t.target: t.source for t in corpus.truth if t.target in checked and t.source in known}
    started = time.perf_counter()
    done = 0

    def report(batch: AddResult) -> None:
        nonlocal done
        done += batch.read
        rate = done / (time.perf_counter() - started)
        print(f"  indexed {done}/{size} ({rate:.0f} articles/s)", flush=True)

    partial = db.with_suffix(".partial")
    with Index(partial, workers=workers) as index:
        result = index.add(indexed, batch_size=batch_size, on_batch=report)
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{partial}{suffix}").exists():
            Path(f"{partial}{suffix}").rename(f"{db}{suffix}")
    elapsed = time.perf_counter() - started
    print(f"  built in {elapsed:.0f} s ({size / elapsed:.0f} articles/s), "
          f"{len(result.pairs)} pairs")  # fmt: skip
    with held_out.open("w", encoding="utf-8") as out:
        for a in to_check:
            record = {"id": a.id, "text": a.text, "source": a.source, "published": a.published,
                      "reuses": truth.get(a.id)}  # fmt: skip
            out.write(json.dumps(record) + "\n")
    return db, to_check, truth


def bench(size: int, checks: int, batch_size: int, workers: int) -> None:
    print(f"index of {size} articles:")
    db, articles, truth = build(size, checks, batch_size, workers)
    with Index(db, create=False) as index:
        stats = index.stats()
        print(
            f"  {stats['articles']} articles, {stats['pairs']} pairs, "
            f"{stats['fingerprints']} fingerprints, {stats['bytes'] / 2**20:.0f} MiB"
        )
        for article in articles[:5]:  # warm the page cache and the word-hash cache
            index.check(article)
        times: list[float] = []
        found = 0
        for article in articles:
            started = time.perf_counter()
            result = index.check(article)
            times.append((time.perf_counter() - started) * 1000)
            source = truth.get(article.id)
            if source and any(source in (p.source, p.target) for p in result.pairs):
                found += 1
    print(
        f"  check: median {statistics.median(times):.1f} ms, p95 {_quantile(times, 0.95):.1f} ms,"
        f" p99 {_quantile(times, 0.99):.1f} ms, max {max(times):.1f} ms over {len(times)} checks;"
        f" found the reused indexed article for {found}/{len(truth)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10000", help="index sizes, comma-separated")
    parser.add_argument("--checks", type=int, default=200, help="articles checked per size")
    parser.add_argument("--batch-size", type=int, default=5000, help="articles per transaction")
    parser.add_argument("--workers", type=int, default=2, help="alignment processes (build)")
    args = parser.parse_args()
    for size in (int(s) for s in args.sizes.split(",")):
        bench(size, args.checks, args.batch_size, args.workers)


if __name__ == "__main__":
    main()
