"""Measure a pair's shared passages and name its relation (the contract's vocabulary)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .model import CleanArticle, Passage, Span

#: both sides at least this covered, and this similar: the same text twice
DUPLICATE_COVERAGE = 0.9
DUPLICATE_SIMILARITY = 0.9
#: the target at least this covered by the source's passages: a copy
COPY_COVERAGE = 0.7


def union_spans(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, non-overlapping union of `[start, end)` spans."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def overlap_chars(a: Iterable[tuple[int, int]], b: Iterable[tuple[int, int]]) -> int:
    """Characters that lie in both the union of spans `a` and the union of spans `b`."""
    a_union, b_union = union_spans(a), union_spans(b)
    total = 0
    j = 0
    for start, end in a_union:
        while j < len(b_union) and b_union[j][1] <= start:
            j += 1
        k = j
        while k < len(b_union) and b_union[k][0] < end:
            total += min(end, b_union[k][1]) - max(start, b_union[k][0])
            k += 1
    return total


def covered_chars(blocks: Sequence[Span], spans: Iterable[tuple[int, int]]) -> int:
    """Characters of the kept paragraphs `blocks` that fall inside any of `spans`."""
    return overlap_chars(((b.start, b.end) for b in blocks), spans)


def coverage(doc: CleanArticle, spans: Iterable[tuple[int, int]]) -> float:
    """Fraction of the article's text (after removals) inside `spans`."""
    content = doc.content_chars
    return covered_chars(doc.blocks, spans) / content if content else 0.0


def weighted_coverage(doc: CleanArticle, passages: Sequence[Passage], side: str) -> float:
    """Like `coverage`, each passage counted in proportion to its similarity."""
    content = doc.content_chars
    if not content:
        return 0.0
    total = 0.0
    for p in passages:
        span = p.source if side == "source" else p.target
        total += p.similarity * covered_chars(doc.blocks, [span])
    return min(1.0, total / content)


def name_relation(
    coverage_source: float, coverage_target: float, passages: Sequence[Passage]
) -> str:
    """`duplicate`, `copy` or `partial_copy`, from how much of each side the passages cover."""
    chars = sum(p.target[1] - p.target[0] for p in passages) or 1
    similarity = sum(p.similarity * (p.target[1] - p.target[0]) for p in passages) / chars
    if (
        min(coverage_source, coverage_target) >= DUPLICATE_COVERAGE
        and similarity >= DUPLICATE_SIMILARITY
    ):
        return "duplicate"
    if coverage_target >= COPY_COVERAGE:
        return "copy"
    return "partial_copy"
