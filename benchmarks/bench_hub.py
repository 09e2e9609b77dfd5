"""Hubs: one wire story run by hundreds or thousands of outlets, inside a corpus of other news.

A story syndicated to more outlets than `--max-df` (100) shares every n-gram with all of them:
pairing every two copies would cost copies² / 2 alignments, and dropping the n-grams as stock
phrases (what copydesk did before) finds none of the copies. copydesk pairs each copy with the
earliest article holding the passage. For each number of copies this prints, in one process run:
the scan's seconds and milliseconds per article (which should not grow with the hub), the pairs
found between the wire and its copies (all of them should be), the pairs between two copies
(none past max_df), the other pairs of the background corpus (as without the hub), and the
story's original.

The background is a seeded synthetic corpus with known reuse (`copydesk.synthetic`); the wire
story is one more synthetic article, dated before its copies and listed after them, so that the
earliest date, not the input order, makes it the lead. Each copy adds an outlet's line above and
below the story.

Run: .venv/bin/python benchmarks/bench_hub.py [--copies 50,500,5000] [--background 2000]
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import timedelta

import copydesk
from copydesk.model import Article, ScanOptions
from copydesk.synthetic import EPOCH, make_corpus


def hub_corpus(copies: int, background: int, seed: int = 7) -> list[Article]:
    """The background corpus, then `copies` copies of a wire story, then the wire story."""
    articles = make_corpus(background, seed=seed, reuse_share=0.3).articles
    wire_text = make_corpus(1, seed=seed + 1).articles[0].text
    wire_date = EPOCH - timedelta(days=1)
    for i in range(copies):
        published = (wire_date + timedelta(hours=1 + i % 48)).isoformat()
        text = f"Outlet {i} carries this report from the wire.\n\n{wire_text}\n\nMore from us."
        articles.append(Article(f"copy-{i:05d}", text, source=f"Outlet {i}", published=published))
    articles.append(Article("wire", wire_text, source="Wire", published=wire_date.isoformat()))
    return articles


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--copies", default="50,500,5000", help="copies of the wire story (a,b,...)"
    )
    parser.add_argument("--background", type=int, default=2000, help="other articles")
    parser.add_argument("--workers", type=int, default=0, help="workers (0: all cores)")
    args = parser.parse_args()
    workers = args.workers or len(os.sched_getaffinity(0))
    print(f"copydesk {copydesk.__version__}, {workers} worker(s), max_df {ScanOptions.max_df},"
          f" {args.background} background articles")  # fmt: skip
    print(" copies  articles  seconds  ms/article  wire-copy pairs  copy-copy  other  original")
    for copies in (int(c) for c in args.copies.split(",")):
        articles = hub_corpus(copies, args.background)
        started = time.perf_counter()
        result = copydesk.scan(articles, ScanOptions(workers=workers))
        seconds = time.perf_counter() - started
        wire = {p.target if p.source == "wire" else p.source
                for p in result.pairs if "wire" in (p.source, p.target)}  # fmt: skip
        wire_copies = sum(1 for a in wire if a.startswith("copy-"))
        between = sum(1 for p in result.pairs
                      if p.source.startswith("copy-") and p.target.startswith("copy-"))  # fmt: skip
        other = len(result.pairs) - len(wire) - between
        story = next((s for s in result.stories if "wire" in s.articles), None)
        original = story.original if story else None
        per_article = seconds * 1000 / len(articles)
        print(f"{copies:7d}  {len(articles):8d}  {seconds:7.1f}  {per_article:10.2f}"
              f"  {wire_copies:7d} of {copies:<6d}  {between:9d}  {other:5d}"
              f"  {original}")  # fmt: skip


if __name__ == "__main__":
    main()
