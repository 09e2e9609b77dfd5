"""Long texts: two articles sharing all their text, at doubling lengths.

A scan of two long articles does work no corpus of news-length ones shows: thousands of
passages, sentences and quotes in one pair. Any step that compares each of them with each of
the others grows with the square of the length (two copies of an 80,000-word text once took
269 s to align; see the README). For each case and length this prints the scan's seconds, the
align stage's seconds, the peak memory and the pair found, then how much the align time grows
per doubling: about 2x is linear; 4x and more is a quadratic step.

Cases, each a text `a` and a text `b`:
- `copy`: `b` is `a`;
- `edited`: every tenth word of `b` replaced;
- `reordered`: `b` holds `a`'s paragraphs in another order;
- `repeated`: `a` made of the paragraphs of the real news (../shared/corpus/news) used over
  and over (a live blog, a long report quoting itself), `b` the same paragraphs shuffled: every
  repeated paragraph matches each of its copies, so the aligner's fragments grow with the
  square of the repeats (that part is in the data, not in a step).

`a` is made of seeded synthetic articles (copydesk.synthetic: sentences of invented words, none
repeated) but in the `repeated` case. Each scan runs as a user would run it (`copydesk scan
FOLDER --timings`), one at a time.

Run: .venv/bin/python benchmarks/bench_long.py [--words 10000,20000,40000,80000]
     [--cases copy,edited,reordered,repeated]
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import copydesk
from copydesk.synthetic import make_corpus

NEWS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "news"


def synthetic_paragraphs(words: int, seed: int = 5) -> list[str]:
    """Paragraphs of seeded synthetic articles, `words` words in all (about)."""
    paragraphs: list[str] = []
    total = 0
    batch = 0
    while total < words:
        for article in make_corpus(40, seed=seed + batch, reuse_share=0.0).articles:
            for paragraph in article.text.split("\n\n"):
                paragraphs.append(paragraph)
                total += len(paragraph.split())
                if total >= words:
                    return paragraphs
        batch += 1
    return paragraphs


def news_paragraphs(words: int, seed: int = 5) -> list[str]:
    """Paragraphs of the real news, used over and over, shuffled: `words` words (about)."""
    pool: list[str] = []
    for path in sorted(NEWS.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                pool.extend(p for p in json.loads(line)["text"].split("\n\n") if p.strip())
    rng = random.Random(seed)
    paragraphs: list[str] = []
    total = 0
    while total < words:
        rng.shuffle(pool)
        for paragraph in pool:
            paragraphs.append(paragraph)
            total += len(paragraph.split())
            if total >= words:
                break
    return paragraphs


def pair_of(case: str, words: int) -> tuple[str, str]:
    """The texts `a` and `b` of one case."""
    rng = random.Random(words)
    paragraphs = news_paragraphs(words) if case == "repeated" else synthetic_paragraphs(words)
    a = "\n\n".join(paragraphs)
    if case == "copy":
        return a, a
    if case == "edited":
        tokens = a.split(" ")
        for i in range(9, len(tokens), 10):
            tokens[i] = "changed" if tokens[i] != "changed" else "altered"
        return a, " ".join(tokens)
    shuffled = paragraphs[:]
    rng.shuffle(shuffled)
    return a, "\n\n".join(shuffled)


def run_scan(folder: Path) -> dict[str, float | str]:
    """`copydesk scan folder --timings` in a child process: seconds, align seconds, peak MiB,
    and the relation of the pair."""
    out = folder / "scan.json"
    command = [str(Path(sys.executable).parent / "copydesk"), "scan", str(folder / "in"),
               "--format", "json", "-o", str(out), "--timings", "--workers", "1"]  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - started
    timings = next(line for line in done.stderr.splitlines() if line.startswith("timings:"))
    align = float(timings.split("align ")[1].split(" s")[0])
    peak = float(timings.rpartition("peak ")[2].split()[0])
    pairs = json.loads(out.read_text(encoding="utf-8"))["pairs"]
    relation = pairs[0]["relation"] if pairs else "none"
    return {"seconds": seconds, "align": align, "peak": peak, "relation": relation}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--words", default="10000,20000,40000,80000", help="lengths (a,b,...)")
    parser.add_argument("--cases", default="copy,edited,reordered,repeated")
    args = parser.parse_args()
    print(f"copydesk {copydesk.__version__}, one worker")
    print(f"{'case':>10} {'words':>7} {'seconds':>8} {'align s':>8} {'peak MiB':>9}"
          f" {'growth':>7}  relation")  # fmt: skip
    for case in args.cases.split(","):
        previous: float | None = None
        for words in (int(w) for w in args.words.split(",")):
            a, b = pair_of(case, words)
            with tempfile.TemporaryDirectory() as work:
                folder = Path(work)
                (folder / "in").mkdir()
                (folder / "in" / "a.txt").write_text(a, encoding="utf-8")
                (folder / "in" / "b.txt").write_text(b, encoding="utf-8")
                found = run_scan(folder)
            align = float(found["align"])
            # Timings come to a tenth of a second: growth from less says nothing.
            growth = f"{align / previous:6.1f}x" if previous else "      -"
            previous = align if align >= 0.5 else None
            print(f"{case:>10} {words:7d} {found['seconds']:8.1f} {align:8.1f}"
                  f" {found['peak']:9.0f} {growth:>7}  {found['relation']}")  # fmt: skip


if __name__ == "__main__":
    main()
