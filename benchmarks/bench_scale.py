"""Scale: copydesk on 10,000 to 100,000 news-length articles, side by side with datasketch.

For each size it builds (and caches under benchmarks/.cache/) a seeded synthetic corpus with
known reuse: whole copies, three-sentence quotes inside long articles and reordered paragraphs,
half of them verbatim and half with 10 % of the words edited, every article carrying its outlet's
footer. Then, in one process run, it prints

- `copydesk scan` on the corpus as JSON lines (a child process, as a user runs it): articles per
  second end to end, the seconds of each stage (`--timings`), peak memory (RSS, the largest
  process), reported pair and passage precision/recall against the truth;
- the candidate stage alone (`pipeline.candidate_pairs` on the cleaned articles, each run in a
  fresh child process, with all cores and with one): articles per second and candidate pair
  precision/recall;
- datasketch MinHash + MinHashLSH (num_perm 128, the same word 5-gram shingles of the same
  cleaned words, the threshold that gives it its best pair recall): articles per second
  (signatures and LSH), candidate precision/recall; and the throughput ratio of the two;
- text-dedup's MinHash (its own shingling, hashing and banding, num_perm 128, the threshold that
  gives it its best pair recall) on the same cleaned words, in its own environment
  (`peer_text_dedup.py`; `make bench` makes it): the same figures and ratios.

Run: .venv/bin/python benchmarks/bench_scale.py --sizes 10000,30000,100000 [--peer-max 30000]
[--runs 3] (`make bench` runs it with the default sizes). These machines are shared and noisy:
`--runs N` repeats the side-by-side part and prints the median of each figure and of the ratios
taken within each run. Needs the `bench` extra (datasketch); without
text-dedup's environment that peer is skipped.
"""

from __future__ import annotations

import argparse
import gzip
import json
import multiprocessing
import os
import pickle
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any, TypeVar

import copydesk
from copydesk.clean import clean_articles
from copydesk.model import Pair, Passage, ScanOptions
from copydesk.pipeline import candidate_pairs
from copydesk.synthetic import SyntheticCorpus, evaluate, make_corpus

CACHE = Path(__file__).parent / ".cache"
#: text-dedup's own environment (it pins urllib3 <= 2.0, which trafilatura cannot use)
TEXT_DEDUP_PYTHON = CACHE / "text-dedup-venv" / "bin" / "python"
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


def corpus_file(size: int, corpus: SyntheticCorpus) -> Path:
    """The corpus as JSON lines, the input `copydesk scan` reads."""
    path = CACHE / f"scale-{size}.jsonl"
    if not path.exists():
        partial = path.with_suffix(".partial")
        with partial.open("w", encoding="utf-8") as out:
            for article in corpus.articles:
                fields = {k: v for k, v in asdict(article).items() if v not in (None, "", False)}
                out.write(json.dumps(fields, ensure_ascii=False) + "\n")
        partial.replace(path)
    return path


def timed(what: Callable[[], T]) -> tuple[T, float]:
    started = time.perf_counter()
    value = what()
    return value, time.perf_counter() - started


def pair_scores(found: set[tuple[str, str]], truth: set[tuple[str, str]]) -> tuple[float, float]:
    hit = len(found & truth)
    return hit / max(1, len(found)), hit / max(1, len(truth))


def run_scan(path: Path, corpus: SyntheticCorpus, workers: int) -> dict[str, Any]:
    """`copydesk scan` in a child process: wall time, stage timings, peak RSS, accuracy."""
    out = CACHE / f"{path.stem}.scan.json"
    command = [str(Path(sys.executable).parent / "copydesk"), "scan", str(path), "--format", "json",
               "-o", str(out), "--workers", str(workers), "--timings"]  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - started
    timings = next((line for line in done.stderr.splitlines() if line.startswith("timings:")), "")
    # The scan's own figure: `ru_maxrss` of a child would include this (large) process's size,
    # which Linux carries across fork and exec.
    peak = float(timings.rpartition("peak ")[2].split()[0])
    found = json.loads(out.read_text(encoding="utf-8"))
    pairs = [
        Pair(p["source"], p["target"], p["relation"], p["direction"], p["score"],
             p["coverage_source"], p["coverage_target"],
             [Passage(tuple(x["source"]), tuple(x["target"]), x["kind"], x["similarity"])
              for x in p["passages"]])
        for p in found["pairs"]
    ]  # fmt: skip
    accuracy = evaluate(corpus, pairs)
    return {
        "seconds": seconds, "timings": timings.removeprefix("timings: "), "peak_mib": peak,
        "pairs": len(pairs), "pair_pr": (accuracy.pair_precision, accuracy.pair_recall),
        "char_pr": (accuracy.precision, accuracy.recall),
    }  # fmt: skip


def run_candidates(
    docs: list[Any], corpus: SyntheticCorpus, workers: int, rewrites: bool = True
) -> dict[str, Any]:
    """The candidate stage alone, on articles cleaned already; without `rewrites`, the 5-gram
    index alone (no sentence sketches or shared names): the work MinHash does.

    It runs in a forked child, as in a scan: its tables of the words met start empty. (Run
    here, each run would leave them filled for the next: runs after the first would skip
    hashing and stemming the corpus's words, a sixth of the stage.)"""
    receive, send = multiprocessing.get_context("fork").Pipe(duplex=False)

    def child() -> None:
        options = ScanOptions(workers=workers, paraphrase=rewrites)
        found, seconds = timed(lambda: candidate_pairs(docs, options))
        send.send((seconds, [(docs[c.a].id, docs[c.b].id) for c in found]))

    process = multiprocessing.get_context("fork").Process(target=child)
    process.start()
    seconds, found = receive.recv()
    process.join()
    pairs = {tuple(sorted(pair)) for pair in found}
    return {"seconds": seconds, "candidates": len(found),
            "pr": pair_scores(pairs, corpus.truth_pairs)}  # type: ignore[arg-type]  # fmt: skip


def shingles(words: list[str], n: int = 5) -> set[bytes]:
    return {" ".join(words[i : i + n]).encode() for i in range(len(words) - n + 1)}


def run_datasketch(docs: list[Any], corpus: SyntheticCorpus) -> dict[str, Any]:
    from datasketch import MinHash, MinHashLSH

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


def run_text_dedup(docs: list[Any], corpus: SyntheticCorpus, python: Path) -> dict[str, Any]:
    """text-dedup's MinHash on the same cleaned words (`peer_text_dedup.py`, in `python`)."""
    index = {d.id: i for i, d in enumerate(docs)}
    work = CACHE / f"text-dedup-{len(docs)}.json"
    work.write_text(json.dumps({
        "texts": [" ".join(d.words) for d in docs],
        "truth": [[index[a], index[b]] for a, b in corpus.truth_pairs],
        "num_perm": 128, "ngram": 5, "thresholds": [0.05, 0.1, 0.2, 0.3, 0.5],
    }), encoding="utf-8")  # fmt: skip
    script = Path(__file__).parent / "peer_text_dedup.py"
    done = subprocess.run([str(python), str(script), str(work)], capture_output=True, text=True,
                          check=True)  # fmt: skip
    work.unlink()
    out = json.loads(done.stdout)
    found = {tuple(sorted((docs[i].id, docs[j].id))) for i, j in out["pairs"]}
    out["pr"] = pair_scores(found, corpus.truth_pairs)  # type: ignore[arg-type]
    out["candidates"] = len(found)
    del out["pairs"]
    return out


def print_ratios(row: dict[str, Any], peer: str, peer_rate: float, peer_recall: float) -> None:
    """copydesk's candidate throughput (both searches) over a peer's, and their pair recall."""
    for key, label in (("ngrams", "5-gram index (the same work)"),
                       ("candidates", "with sketches and names")):  # fmt: skip
        ratio = row["size"] / row[key]["seconds"] / peer_rate
        alone = row["size"] / row[key + "_one_worker"]["seconds"] / peer_rate
        print(f"ratio          {label}: {ratio:.1f}x {peer}'s throughput ({alone:.1f}x on one"
              f" core); pair recall {row[key]['pr'][1]:.3f} vs {peer_recall:.3f}")  # fmt: skip


def side_by_side(
    row: dict[str, Any], docs: list[Any], corpus: SyntheticCorpus, workers: int, peers: bool,
    args: argparse.Namespace,
) -> dict[str, float]:  # fmt: skip
    """One run of copydesk's two candidate searches and the peers on the same cleaned articles,
    printed; `row` keeps the last run's figures. Returns this run's rates and ratios."""
    size = row["size"]
    figures: dict[str, float] = {}
    for label, rewrites in (("5-gram index", False), ("+ sketches, names", True)):
        mine = run_candidates(docs, corpus, workers, rewrites)
        single = run_candidates(docs, corpus, 1, rewrites) if workers > 1 else mine
        print(f"candidates     {size / mine['seconds']:7.0f} art/s ({label}; {workers} workers,"
              f" {size / single['seconds']:.0f} art/s on one), {mine['candidates']}"
              f" candidates, pair P/R {mine['pr'][0]:.3f}/{mine['pr'][1]:.3f}")  # fmt: skip
        key = "ngrams" if not rewrites else "candidates"
        row[key], row[key + "_one_worker"] = mine, single
        figures[f"{key} art/s"] = size / mine["seconds"]
        figures[f"{key} art/s, one worker"] = size / single["seconds"]
    if not peers:
        return figures
    peer = run_datasketch(docs, corpus)
    peer_rate = size / peer["seconds"]
    print(f"datasketch     {peer_rate:7.0f} art/s (MinHash 128 + LSH threshold"
          f" {peer['threshold']}, one process), {peer['candidates']} candidate pairs,"
          f" pair P/R {peer['pr'][0]:.3f}/{peer['pr'][1]:.3f}")  # fmt: skip
    _add_peer(row, figures, "datasketch", peer, peer_rate, one_worker=True)
    if not args.text_dedup.exists():
        print(f"text-dedup     skipped: no {args.text_dedup} (`make bench` makes it)")
        return figures
    other = run_text_dedup(docs, corpus, args.text_dedup)
    other_rate = size / other["seconds"]
    bands = "x".join(map(str, other["bands"]))
    print(f"text-dedup     {other_rate:7.0f} art/s (MinHash 128, {bands} bands for"
          f" threshold {other['threshold']}, one process),"
          f" {other['candidates']} candidate pairs, pair P/R"
          f" {other['pr'][0]:.3f}/{other['pr'][1]:.3f}")  # fmt: skip
    _add_peer(row, figures, "text-dedup", other, other_rate, one_worker=False)
    return figures


def _add_peer(
    row: dict, figures: dict[str, float], name: str, peer: dict, rate: float, one_worker: bool
) -> None:
    """A peer's ratios printed, its run kept in `row`, its rate and the ratios in `figures`."""
    print_ratios(row, name, rate, peer["pr"][1])
    row[name.replace("-", "_")] = peer
    figures[f"{name} art/s"] = rate
    for key in ("ngrams", "candidates"):
        figures[f"{key} / {name}"] = figures[f"{key} art/s"] / rate
        if one_worker:
            figures[f"{key} / {name}, one worker"] = figures[f"{key} art/s, one worker"] / rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,30000,100000", help="corpus sizes (a,b,...)")
    parser.add_argument("--peer-max", type=int, default=30000,
                        help="largest size also run with datasketch (it is slow)")  # fmt: skip
    parser.add_argument("--workers", type=int, default=0, help="copydesk workers (0: all cores)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument(
        "--runs", type=int, default=1,
        help="runs of the side-by-side part per size; with more than one, the medians of each"
        " figure and of the ratios taken within each run",
    )  # fmt: skip
    parser.add_argument("--text-dedup", type=Path, default=TEXT_DEDUP_PYTHON,
                        help="the Python of text-dedup's environment")  # fmt: skip
    args = parser.parse_args()
    workers = args.workers or len(os.sched_getaffinity(0))
    print(f"copydesk {copydesk.__version__}, {workers} worker(s)")
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        corpus, t_make = timed(lambda size=size: corpus_of(size))
        path = corpus_file(size, corpus)
        words = sum(len(a.text.split()) for a in corpus.articles)
        print(f"\n== {size} articles, {words / 1e6:.1f} M words (corpus ready in {t_make:.0f} s)")
        scan = run_scan(path, corpus, workers)
        rate = size / scan["seconds"]
        print(f"copydesk scan  {rate:7.0f} art/s end to end ({scan['seconds']:.1f} s),"
              f" peak RSS {scan['peak_mib']:.0f} MiB; reported pairs P/R"
              f" {scan['pair_pr'][0]:.3f}/{scan['pair_pr'][1]:.3f}, passage chars P/R"
              f" {scan['char_pr'][0]:.3f}/{scan['char_pr'][1]:.3f}")
        print(f"               {scan['timings']}")  # fmt: skip
        docs = clean_articles(corpus.articles)
        row: dict[str, Any] = {"size": size, "words": words, "scan": scan}
        # Per run: each search's throughput (all workers, one) and its ratio to each peer's.
        runs: list[dict[str, float]] = []
        for run in range(args.runs):
            if args.runs > 1:
                print(f"-- run {run + 1} of {args.runs}")
            runs.append(side_by_side(row, docs, corpus, workers, size <= args.peer_max, args))
        if args.runs > 1:
            print(f"-- medians of {args.runs} runs (ratios taken within each run):")
            for key in runs[0]:
                values = sorted(r[key] for r in runs if key in r)
                print(f"median         {key}: {statistics.median(values):.2f}"
                      f" (runs: {', '.join(f'{v:.2f}' for v in values)})")  # fmt: skip
        row["runs"] = runs
        rows.append(row)
        del docs
    if len(rows) > 1:
        first, last = rows[0], rows[-1]
        per_first = first["scan"]["seconds"] / first["size"]
        per_last = last["scan"]["seconds"] / last["size"]
        print(f"\ntime per article at {last['size']} is {per_last / per_first:.2f}x that at"
              f" {first['size']}; linear extrapolation to 1,000,000 articles:"
              f" {per_last * 1e6 / 60:.0f} min")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2, default=list), encoding="utf-8")


if __name__ == "__main__":
    main()
