"""Align two cleaned articles: find their shared passages and how each was reused.

Seed, extend, merge, as the best PAN text-alignment systems do:
1. seeds: every word `seed`-gram the two texts share (stock phrases that recur everywhere in
   one text are skipped);
2. fragments: seeds on one diagonal (same offset between the texts) that touch are chained into
   exact runs;
3. passages: fragments close to each other in *both* texts (gaps of at most `max_gap` words) are
   merged, which bridges edits (a word changed, inserted or dropped) while reordered paragraphs
   stay separate passages;
4. each passage is measured (word-level similarity) and kept when long and similar enough.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from .model import CleanArticle, Passage

#: a seed n-gram this frequent inside one text is a stock phrase, not evidence
MAX_SEED_REPEATS = 20


@dataclass
class WordPassage:
    """A passage in word indices: `a[a0:a1]` matches `b[b0:b1]`."""

    a0: int
    a1: int
    b0: int
    b1: int
    matched: int = 0
    similarity: float = 0.0
    verbatim: bool = False


def _seeds(a: Sequence[str], b: Sequence[str], k: int) -> list[tuple[int, int]]:
    where: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for i in range(len(a) - k + 1):
        where[tuple(a[i : i + k])].append(i)
    seeds: list[tuple[int, int]] = []
    for j in range(len(b) - k + 1):
        hits = where.get(tuple(b[j : j + k]))
        if hits and len(hits) <= MAX_SEED_REPEATS:
            seeds.extend((i, j) for i in hits)
    return seeds


def _fragments(seeds: list[tuple[int, int]], k: int) -> list[WordPassage]:
    """Chain seeds that touch on one diagonal into exact runs."""
    seeds.sort(key=lambda s: (s[1] - s[0], s[0]))
    fragments: list[WordPassage] = []
    current: WordPassage | None = None
    for i, j in seeds:
        if current is not None and j - i == current.b0 - current.a0 and i <= current.a1:
            current.a1 = i + k
            current.b1 = j + k
        else:
            current = WordPassage(i, i + k, j, j + k)
            fragments.append(current)
    for f in fragments:
        f.matched = f.a1 - f.a0
    return fragments


def _split_at_breaks(
    fragments: list[WordPassage], a_breaks: Sequence[int], b_breaks: Sequence[int]
) -> list[WordPassage]:
    """Cut exact runs where either text had removed material in between."""
    if not a_breaks and not b_breaks:
        return fragments
    out = []
    for f in fragments:
        shift = f.b0 - f.a0
        cuts = {x for x in a_breaks[bisect_right(a_breaks, f.a0) :] if x < f.a1}
        cuts |= {x - shift for x in b_breaks[bisect_right(b_breaks, f.b0) :] if x < f.b1}
        start = f.a0
        for cut in sorted(cuts) + [f.a1]:
            out.append(WordPassage(start, cut, start + shift, cut + shift, cut - start))
            start = cut
    return out


def _merge(
    fragments: list[WordPassage],
    max_gap: int,
    k: int,
    a_breaks: Sequence[int] = (),
    b_breaks: Sequence[int] = (),
) -> list[WordPassage]:
    """Merge fragments that follow each other closely in both texts into passages."""
    fragments.sort(key=lambda f: (f.a0, f.b0))
    passages: list[WordPassage] = []
    for frag in fragments:
        best: WordPassage | None = None
        best_gap = 0
        for p in passages[-64:]:  # only recent passages can still be near in the first text
            gap_a = frag.a0 - p.a1
            gap_b = frag.b0 - p.b1
            same_segments = bisect_right(a_breaks, frag.a0) == bisect_right(
                a_breaks, p.a1 - 1
            ) and bisect_right(b_breaks, frag.b0) == bisect_right(b_breaks, p.b1 - 1)
            if -k <= gap_a <= max_gap and -k <= gap_b <= max_gap and same_segments:
                gap = max(gap_a, 0) + max(gap_b, 0)
                if best is None or gap < best_gap:
                    best, best_gap = p, gap
            elif p.a0 <= frag.a0 and frag.a1 <= p.a1 and p.b0 <= frag.b0 and frag.b1 <= p.b1:
                best, best_gap = p, 0  # already inside this passage
                break
        if best is None:
            passages.append(WordPassage(frag.a0, frag.a1, frag.b0, frag.b1, frag.matched))
        else:
            best.a1 = max(best.a1, frag.a1)
            best.b1 = max(best.b1, frag.b1)
            best.matched += frag.matched
    return passages


def _resolve_overlaps(passages: list[WordPassage]) -> list[WordPassage]:
    """Passages that overlap in both texts are one passage."""
    passages.sort(key=lambda p: (p.a0, p.b0))
    merged: list[WordPassage] = []
    for p in passages:
        for q in merged:
            if p.a0 < q.a1 and q.a0 < p.a1 and p.b0 < q.b1 and q.b0 < p.b1:
                q.a0, q.a1 = min(q.a0, p.a0), max(q.a1, p.a1)
                q.b0, q.b1 = min(q.b0, p.b0), max(q.b1, p.b1)
                break
        else:
            merged.append(p)
    return merged


def align_words(
    a: Sequence[str],
    b: Sequence[str],
    seed: int = 3,
    max_gap: int = 12,
    min_words: int = 8,
    min_similarity: float = 0.5,
    a_breaks: Sequence[int] = (),
    b_breaks: Sequence[int] = (),
) -> list[WordPassage]:
    """Shared passages of two word sequences, in word indices, sorted by position in `a`.

    `a_breaks` and `b_breaks` are word indices where removed text lay: passages stop there.
    """
    seeds = _seeds(a, b, seed)
    if not seeds:
        return []
    fragments = _split_at_breaks(_fragments(seeds, seed), a_breaks, b_breaks)
    passages = _resolve_overlaps(_merge(fragments, max_gap, seed, a_breaks, b_breaks))
    kept = []
    for p in passages:
        if min(p.a1 - p.a0, p.b1 - p.b0) < min_words:
            continue
        left, right = a[p.a0 : p.a1], b[p.b0 : p.b1]
        if left == right:
            p.matched, p.similarity, p.verbatim = len(left), 1.0, True
        else:
            matcher = SequenceMatcher(None, left, right, autojunk=False)
            p.matched = sum(block.size for block in matcher.get_matching_blocks())
            p.similarity = 2.0 * p.matched / (len(left) + len(right))
        if p.similarity >= min_similarity and p.matched >= min_words * 3 // 4:
            kept.append(p)
    kept.sort(key=lambda p: (p.a0, p.b0))
    return kept


def align_passages(
    source: CleanArticle,
    target: CleanArticle,
    seed: int = 3,
    max_gap: int = 12,
    min_words: int = 8,
    min_similarity: float = 0.5,
) -> list[Passage]:
    """The shared passages of two cleaned articles, with character offsets into both texts."""
    found = align_words(
        source.words,
        target.words,
        seed,
        max_gap,
        min_words,
        min_similarity,
        source.breaks,
        target.breaks,
    )
    return [
        Passage(
            source=(source.starts[p.a0], source.ends[p.a1 - 1]),
            target=(target.starts[p.b0], target.ends[p.b1 - 1]),
            kind="verbatim" if p.verbatim else "edited",
            similarity=round(p.similarity, 3),
        )
        for p in found
    ]
