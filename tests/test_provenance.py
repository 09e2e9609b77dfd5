"""copydesk.provenance.orient: dates first, then containment, else unknown."""

from __future__ import annotations

import pytest

from copydesk.model import Article
from copydesk.provenance import CONTAINED_COVERAGE, CONTAINMENT_MARGIN, orient


def art(aid: str, published: str | None = None) -> Article:
    return Article(aid, f"text of {aid}", published=published)


EARLY = "2026-01-01T08:00:00+00:00"
LATE = "2026-01-02T08:00:00+00:00"


def test_earlier_published_is_the_source_in_either_order() -> None:
    # coverage balanced, so only the dates can decide
    assert orient(art("a", EARLY), art("b", LATE), 0.5, 0.5) == (False, "source_to_target")
    assert orient(art("a", LATE), art("b", EARLY), 0.5, 0.5) == (True, "source_to_target")


def test_dates_win_over_containment() -> None:
    # a is contained in b (0.9 vs 0.3), which alone would make b the source; a is older though
    assert orient(art("a", EARLY), art("b", LATE), 0.9, 0.3) == (False, "source_to_target")
    assert orient(art("a", LATE), art("b", EARLY), 0.3, 0.9) == (True, "source_to_target")


def test_dates_are_compared_as_instants_across_time_zones() -> None:
    # 10:00+02:00 is 08:00 UTC, one hour before 09:00Z
    a, b = art("a", "2026-01-01T10:00:00+02:00"), art("b", "2026-01-01T09:00:00Z")
    assert orient(a, b, 0.5, 0.5) == (False, "source_to_target")
    assert orient(b, a, 0.5, 0.5) == (True, "source_to_target")


def test_plain_dates_and_naive_datetimes_compare() -> None:
    assert orient(art("a", "2026-03-02"), art("b", "2026-03-01T23:00:00"), 0.5, 0.5) == (
        True,
        "source_to_target",
    )


def test_equal_dates_fall_back_to_containment() -> None:
    a, b = art("a", EARLY), art("b", EARLY)
    # a is contained in b: a is the target, so b is the source (swap)
    assert orient(a, b, 0.9, 0.3) == (True, "source_to_target")
    assert orient(a, b, 0.3, 0.9) == (False, "source_to_target")


def test_the_same_instant_written_differently_counts_as_equal() -> None:
    a, b = art("a", "2026-01-01T12:00:00+02:00"), art("b", "2026-01-01T10:00:00Z")
    assert orient(a, b, 0.9, 0.3) == (True, "source_to_target")
    assert orient(a, b, 0.5, 0.5)[1] == "unknown"


def test_without_dates_the_contained_text_is_the_target() -> None:
    assert orient(art("a"), art("b"), 0.9, 0.3) == (True, "source_to_target")
    assert orient(art("a"), art("b"), 0.3, 0.9) == (False, "source_to_target")


@pytest.mark.parametrize("cov_a, cov_b", [(0.6, 0.55), (0.55, 0.6), (0.95, 0.9), (0.4, 0.1)])
def test_balanced_or_low_coverage_gives_unknown(cov_a: float, cov_b: float) -> None:
    swap, direction = orient(art("a"), art("b"), cov_a, cov_b)
    assert direction == "unknown"
    # the more covered article is still put as the target
    assert swap == (cov_a > cov_b)


def test_containment_thresholds() -> None:
    high = CONTAINED_COVERAGE + 0.05
    assert orient(art("a"), art("b"), high, high - CONTAINMENT_MARGIN - 0.05)[1] == (
        "source_to_target"
    )
    assert orient(art("a"), art("b"), high, high - CONTAINMENT_MARGIN + 0.05)[1] == "unknown"
    low = CONTAINED_COVERAGE - 0.05
    assert orient(art("a"), art("b"), low, 0.0)[1] == "unknown"


@pytest.mark.parametrize(
    "date_a, date_b", [(EARLY, None), (None, EARLY), (LATE, None), ("not a date", EARLY)]
)
def test_a_date_on_one_side_only_falls_back_to_containment(
    date_a: str | None, date_b: str | None
) -> None:
    a, b = art("a", date_a), art("b", date_b)
    assert orient(a, b, 0.9, 0.3) == (True, "source_to_target")
    assert orient(a, b, 0.3, 0.9) == (False, "source_to_target")
    assert orient(a, b, 0.6, 0.6)[1] == "unknown"
