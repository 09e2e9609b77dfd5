"""Say which article of a pair came first: from dates, else from containment, else unknown."""

from __future__ import annotations

from .model import Article
from .read import parse_date

#: the contained side must be at least this covered...
CONTAINED_COVERAGE = 0.5
#: ...and this much more than the other side, for containment to decide the direction
CONTAINMENT_MARGIN = 0.2


def orient(a: Article, b: Article, coverage_a: float, coverage_b: float) -> tuple[bool, str]:
    """Whether `b` is the source (swap) and the direction the evidence supports.

    Earlier `published` is the source. Without dates, the text contained in the other is the copy.
    When neither decides, the more covered article is put as target and the direction is
    `unknown`.
    """
    date_a, date_b = parse_date(a.published), parse_date(b.published)
    if date_a is not None and date_b is not None and date_a != date_b:
        return date_b < date_a, "source_to_target"
    swap = coverage_a > coverage_b
    high, low = max(coverage_a, coverage_b), min(coverage_a, coverage_b)
    if high >= CONTAINED_COVERAGE and high - low >= CONTAINMENT_MARGIN - 1e-9:
        return swap, "source_to_target"
    return swap, "unknown"
