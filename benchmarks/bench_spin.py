"""Spin detection and restoration on real news spun by copydesk's seeded spinner.

Originals: the articles of ../shared/corpus/news/*.jsonl (their `text` field). Each is spun at
several rates (the share of thesaurus words swapped); the originals are the negatives. Prints,
per rate and spinner mode: detection precision, recall and F1; the share of swapped words that
`despin` restores; false changes per unswapped word; the same two for `restore_words` (one word
for one word, as the scan uses it); the share of the original's word 5-grams found in the spun
copy before and after `restore_words` (what candidate pairing sees); milliseconds per `despin`;
the share of spun copies that one `scan` of all originals and copies pairs with their original
(`paired`), and of those the share named `spun_copy` from original to copy (`named`); then the
seed articles and, when present, the human and machine rewrites of
../shared/corpus/rewrites/ as extra negatives. Asserts nothing.

`--told` also measures the restorer told which words were swapped (each must change, when an
original is offered for it, and no other may): the share it then restores is what its choice
among the originals allows, the ceiling of restoration with this model and these candidates.

`--corpus train` runs the same figures on a training corpus kept apart from the news used for
evaluation: the news originals of ../shared/corpus/rewrites/mixset.jsonl and the first sentences
of ../shared/corpus/paraphrase/msr_paraphrase_train.tsv (news), grouped into article-length
texts. Tune copydesk.spin's constants there, and report the evaluation figures (`--corpus news`,
the default) only.

Usage: python benchmarks/bench_spin.py [--corpus news|train] [--rates 0.1,0.3,0.5] [--seeds 2]
       [--first 0,0.6] [--limit N] [--no-pairing] [--told]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from copydesk import scan, spin
from copydesk.clean import WORD_RE, normalise_word
from copydesk.model import Article, Change
from copydesk.spin import BREAK_RE, despin, model, restore_words, spin_score, spin_swaps

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


@dataclass
class Tally:
    """Counts for one setting; the figures are properties."""

    true_pos: int = 0
    false_pos: int = 0
    false_neg: int = 0
    swapped: int = 0
    restored: int = 0
    unswapped: int = 0
    false_changes: int = 0
    words_restored: int = 0
    words_false: int = 0
    grams: int = 0
    grams_spun: int = 0
    grams_restored: int = 0
    seconds: float = 0.0
    texts: int = 0
    copies: int = 0
    paired: int = 0
    named: int = 0
    misses: dict[str, int] = field(default_factory=dict)
    #: swapped words restored when the restorer is told which they are (`--told`)
    told_restored: int = 0
    #: in the scans of originals and copies: swapped words restored, and unswapped changed
    scan_restored: int = 0
    scan_false: int = 0
    #: in those scans: spun copies and originals that the scan calls spun (`spin.spun`)
    scan_spun: int = 0
    scan_plain_flagged: int = 0

    @property
    def precision(self) -> float:
        return self.true_pos / max(1, self.true_pos + self.false_pos)

    @property
    def recall(self) -> float:
        return self.true_pos / max(1, self.true_pos + self.false_neg)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def restoration(self) -> float:
        return self.restored / max(1, self.swapped)

    @property
    def told_restoration(self) -> float:
        return self.told_restored / max(1, self.swapped)

    @property
    def false_change_rate(self) -> float:
        return self.false_changes / max(1, self.unswapped)

    @property
    def shared_spun(self) -> float:
        """Share of the original's word 5-grams found in the spun copy (what pairing sees)."""
        return self.grams_spun / max(1, self.grams)

    @property
    def shared_restored(self) -> float:
        """The same after `restore_words`."""
        return self.grams_restored / max(1, self.grams)

    @property
    def pairing_recall(self) -> float:
        """Share of spun copies a scan pairs with their original."""
        return self.paired / max(1, self.copies)

    @property
    def named_share(self) -> float:
        """Share of those pairs named `spun_copy`, original -> spun copy."""
        return self.named / max(1, self.paired)

    @property
    def scan_restoration(self) -> float:
        """Share of swapped words a scan restores (from the original, where it aligns them)."""
        return self.scan_restored / max(1, self.swapped)

    @property
    def scan_recall(self) -> float:
        """Share of spun copies a scan calls spun (alone, or told by their pair)."""
        return self.scan_spun / max(1, self.copies)

    @property
    def scan_false_rate(self) -> float:
        return self.scan_false / max(1, self.unswapped)

    @property
    def word_restoration(self) -> float:
        return self.words_restored / max(1, self.swapped)

    @property
    def word_false_rate(self) -> float:
        return self.words_false / max(1, self.unswapped)


def read_news(folder: Path = CORPUS / "news") -> list[tuple[str, str]]:
    """(id, text) of every article in the JSONL files of `folder`."""
    articles = []
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                articles.append((record["id"], record["text"]))
    return articles


#: sentences of the paraphrase corpus grouped into one training text
SENTENCES_PER_TEXT = 30


def read_training() -> list[tuple[str, str]]:
    """(id, text) of the training corpus: mixset's news originals and paraphrase-corpus texts."""
    articles = []
    mixset = CORPUS / "rewrites" / "mixset.jsonl"
    if mixset.exists():
        for number, line in enumerate(mixset.read_text(encoding="utf-8").splitlines()):
            record = json.loads(line) if line.strip() else {}
            if record.get("category") == "news" and record.get("original"):
                articles.append((f"mixset-{number}", record["original"]))
    msr = CORPUS / "paraphrase" / "msr_paraphrase_train.tsv"
    if msr.exists():
        rows = msr.read_text(encoding="utf-8-sig").splitlines()[1:]
        sentences = [row.split("\t")[3] for row in rows if row.count("\t") >= 4]
        for first in range(0, len(sentences), SENTENCES_PER_TEXT):
            chunk = sentences[first : first + SENTENCES_PER_TEXT]
            articles.append((f"msr-{first}", " ".join(chunk)))
    return articles


def words_and_breaks(text: str) -> tuple[list[str], list[str], list[int]]:
    """Normalised words, their forms, and the indices of words that open a sentence."""
    words: list[str] = []
    forms: list[str] = []
    breaks: list[int] = []
    last = 0
    for match in WORD_RE.finditer(text):
        if words and BREAK_RE.search(text[last : match.start()]):
            breaks.append(len(words))
        words.append(normalise_word(match.group()))
        forms.append(match.group())
        last = match.end()
    return words, forms, breaks


@contextmanager
def told_the_swaps(spans: set[tuple[int, int]]) -> Iterator[None]:
    """While open, the restorer knows which words were swapped (their `[start, end)` spans):
    each must change when it is offered an original, no other word may. What it restores then
    measures its choice among the originals alone."""
    plain = spin._restore_lattice

    def lattice(tokens, lm, counts=None, share=None):  # type: ignore[no-untyped-def]
        rows = plain(tokens, lm, counts, share)
        told = []
        for token, row in zip(tokens, rows, strict=True):
            if (token.start, token.end) in spans and len(row) > 1:
                told.append([(row[0][0], -1e9, None), *row[1:]])  # keeping costs all
            else:
                told.append(row[:1])
        return told

    spin._restore_lattice = lattice
    try:
        yield
    finally:
        spin._restore_lattice = plain


def score_spun(
    original: str, spun: str, swaps: Sequence[Change], tally: Tally, told: bool = False
) -> None:
    """Add one spun text's restoration figures (despin and restore_words) to `tally`; with
    `told`, also the restorer's when told which words were swapped."""
    truth = {(s.start, s.end): s for s in swaps}
    if told:
        with told_the_swaps(set(truth)):
            for change in despin(spun, force=True).changes:
                swap = truth[(change.start, change.end)]
                tally.told_restored += change.original.casefold() == swap.original.casefold()
    started = time.perf_counter()
    restoration = despin(spun, force=True)  # the restorer's figures, whatever detection says
    tally.seconds += time.perf_counter() - started
    tally.texts += 1
    n_words = sum(1 for _ in WORD_RE.finditer(spun))
    tally.swapped += len(truth)
    tally.unswapped += n_words - len(truth)
    for change in restoration.changes:
        found = truth.get((change.start, change.end))
        if found is None:
            tally.false_changes += 1
        elif change.original.casefold() == found.original.casefold():
            tally.restored += 1
    for span, swap in truth.items():
        if not any((c.start, c.end) == span for c in restoration.changes):
            key = f"{swap.spun.casefold()}<-{swap.original.casefold()}"
            tally.misses[key] = tally.misses.get(key, 0) + 1
    spun_words, forms, breaks = words_and_breaks(spun)
    original_words = [normalise_word(m.group()) for m in WORD_RE.finditer(original)]
    restored = restore_words(spun_words, forms, breaks)
    for before, after, now in zip(original_words, spun_words, restored, strict=True):
        if before != after and now == before:
            tally.words_restored += 1
        elif before == after and now != before:
            tally.words_false += 1
    grams = ngrams(original_words)
    tally.grams += len(grams)
    tally.grams_spun += len(grams & ngrams(spun_words))
    tally.grams_restored += len(grams & ngrams(restored))


def ngrams(words: Sequence[str], n: int = 5) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def run(
    articles: Sequence[tuple[str, str]],
    rates: Sequence[float],
    seeds: int,
    first: float = 0.0,
    pairing: bool = True,
    told: bool = False,
) -> dict[float, Tally]:
    """Detection and restoration figures per rate, over `seeds` spins of every article; with
    `pairing`, also how many spun copies a scan pairs with their original; with `told`, the
    restoration told which words were swapped."""
    negatives = [spin_score(text).spun for _, text in articles]
    results = {}
    for rate in rates:
        tally = Tally()
        for seed in range(seeds):
            tally.false_pos += sum(negatives)
            copies: list[Article] = []
            truths: list[dict[tuple[int, int], str]] = []
            for index, (_, text) in enumerate(articles):
                spun, swaps = spin_swaps(text, rate, seed * 1000 + index, first=first)
                if spin_score(spun).spun:
                    tally.true_pos += 1
                else:
                    tally.false_neg += 1
                score_spun(text, spun, swaps, tally, told)
                copies.append(Article(f"spun-{seed}-{index}", spun, published="2026-01-01"))
                truths.append({(s.start, s.end): s.original.casefold() for s in swaps})
            if pairing:
                score_pairing(articles, copies, truths, seed, tally)
        results[rate] = tally
    return results


def score_pairing(
    articles: Sequence[tuple[str, str]],
    copies: Sequence[Article],
    truths: Sequence[dict[tuple[int, int], str]],
    seed: int,
    tally: Tally,
) -> None:
    """Scan the originals with their spun copies (dated first, so dates cannot decide the
    direction) and count the copies paired with their own original, and named so, and the
    words the scan restores (`truths`: each copy's swaps, original words by offsets)."""
    originals = [
        Article(f"original-{index}", text, published="2026-01-02")
        for index, (_, text) in enumerate(articles)
    ]
    result = scan([*originals, *copies])
    found = {(pair.source, pair.target): pair for pair in result.pairs}
    for index in range(len(articles)):
        original, copy = f"original-{index}", f"spun-{seed}-{index}"
        pair = found.get((original, copy)) or found.get((copy, original))
        tally.copies += 1
        if pair is not None:
            tally.paired += 1
            if pair.relation == "spun_copy" and (pair.source, pair.target) == (original, copy):
                tally.named += 1
    for report in result.articles:
        if not report.article.id.startswith("spun-"):
            tally.scan_plain_flagged += bool((report.spin or {}).get("spun"))
            continue
        tally.scan_spun += bool((report.spin or {}).get("spun"))
        truth = truths[int(report.article.id.rpartition("-")[2])]
        for change in (report.spin or {}).get("changes", []):
            found = truth.get((change["start"], change["end"]))
            if found is None:
                tally.scan_false += 1
            elif found == change["restored"].casefold():
                tally.scan_restored += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", default="0.1,0.3,0.5")
    parser.add_argument("--seeds", type=int, default=2, help="spins of each article per rate")
    parser.add_argument(
        "--first",
        default="0,0.6",
        help="spinner modes: the share of swaps that take a word's first thesaurus entry"
        " (0: any entry at random; sites favour the first), comma-separated",
    )
    parser.add_argument("--misses", type=int, default=0, help="list the most missed swaps")
    parser.add_argument(
        "--corpus", choices=("news", "train"), default="news",
        help="news: the evaluation corpus; train: the training corpus (tune on this one)",
    )  # fmt: skip
    parser.add_argument("--limit", type=int, default=0, help="use only the first N texts")
    parser.add_argument(
        "--no-pairing", action="store_true", help="skip the scans that measure pairing recall"
    )
    parser.add_argument(
        "--told", action="store_true",
        help="also restore told which words were swapped: the ceiling of restoration",
    )  # fmt: skip
    args = parser.parse_args()
    started = time.perf_counter()
    model()
    print(f"model loaded in {time.perf_counter() - started:.1f} s")
    articles = read_news() if args.corpus == "news" else read_training()
    if args.limit:
        articles = articles[: args.limit]
    if not articles:
        raise SystemExit(f"no {args.corpus} articles under {CORPUS}")
    negatives = [a for a in articles if spin_score(a[1]).spun]
    print(f"{len(articles)} {args.corpus} originals; flagged as spun: {[a[0] for a in negatives]}")
    rates = [float(r) for r in args.rates.split(",")]
    for first in (float(f) for f in args.first.split(",")):
        print(f"spinner: first entry in {first:.0%} of swaps, else any entry;"
              f" {args.seeds} seed(s) per rate")  # fmt: skip
        print(f"{'rate':>5} {'P':>6} {'R':>6} {'F1':>6} {'restored':>9} {'false':>7}"
              f" {'words rest.':>11} {'words false':>11} {'5g spun':>8} {'5g rest.':>8}"
              f" {'ms/text':>8} {'paired':>7} {'named':>6} {'scan R':>6} {'flagged':>7}"
              f" {'scan rest.':>10} {'false':>7}"
            + (f" {'told':>6}" if args.told else ""))  # fmt: skip
        figures = run(articles, rates, args.seeds, first, not args.no_pairing, args.told)
        for rate, t in figures.items():
            print(
                f"{rate:5.2f} {t.precision:6.3f} {t.recall:6.3f} {t.f1:6.3f}"
                f" {t.restoration:9.3f} {t.false_change_rate:7.4f} {t.word_restoration:11.3f}"
                f" {t.word_false_rate:11.4f} {t.shared_spun:8.3f} {t.shared_restored:8.3f}"
                f" {1000 * t.seconds / max(1, t.texts):8.1f}"
                f" {t.pairing_recall:7.3f} {t.named_share:6.3f}"
                f" {t.scan_recall:6.3f} {t.scan_plain_flagged:7d}"
                f" {t.scan_restoration:10.3f} {t.scan_false_rate:7.4f}"
                + (f" {t.told_restoration:6.3f}" if args.told else "")
            )
            if args.misses:
                top = sorted(t.misses.items(), key=lambda kv: -kv[1])[: args.misses]
                print("   missed:", ", ".join(f"{k} {v}" for k, v in top))
    for path in sorted((CORPUS / "seeds").glob("*.txt")):
        report = despin(path.read_text(encoding="utf-8"))
        print(f"seed {path.stem}: score {report.spin.score:.3f} rate {report.spin.rate:.3f}"
              f" changes {len(report.changes)}")  # fmt: skip
    mixset = CORPUS / "rewrites" / "mixset.jsonl"
    if mixset.exists():
        rows = [json.loads(line) for line in mixset.read_text(encoding="utf-8").splitlines()]
        for key in ("original", "gpt4_rewrite", "llama2_rewrite"):
            texts = [row[key] for row in rows if row.get(key)]
            flagged = sum(spin_score(text).spun for text in texts)
            print(f"mixset {key}: {flagged} of {len(texts)} flagged as spun")
    started = time.perf_counter()
    for _, text in articles:
        spin_score(text)
    elapsed = time.perf_counter() - started
    words = sum(len(text.split()) for _, text in articles)
    print(f"spin_score: {1000 * elapsed / len(articles):.1f} ms per article,"
          f" {words / elapsed:,.0f} words/s")  # fmt: skip


if __name__ == "__main__":
    main()
