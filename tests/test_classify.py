"""copydesk.classify: span arithmetic, coverage of the kept text, and relation thresholds."""

from __future__ import annotations

import pytest

from copydesk.classify import (
    COPY_COVERAGE,
    DUPLICATE_COVERAGE,
    DUPLICATE_SIMILARITY,
    coverage,
    covered_chars,
    name_relation,
    union_spans,
    weighted_coverage,
)
from copydesk.clean import clean_article
from copydesk.model import Article, Passage, Span

# ---------------------------------------------------------------------------------------------
# union_spans


def test_union_of_nothing_is_empty() -> None:
    assert union_spans([]) == []


def test_union_sorts_and_merges_overlapping_and_touching_spans() -> None:
    spans = [(30, 40), (0, 10), (5, 12), (12, 15), (50, 60), (35, 38)]
    assert union_spans(spans) == [(0, 15), (30, 40), (50, 60)]


def test_union_keeps_a_gap_of_one_character() -> None:
    assert union_spans([(0, 5), (6, 9)]) == [(0, 5), (6, 9)]


def test_union_swallows_contained_spans() -> None:
    assert union_spans([(0, 100), (10, 20), (30, 40), (99, 100)]) == [(0, 100)]


def test_union_accepts_a_generator() -> None:
    assert union_spans((s, s + 2) for s in (4, 0, 2)) == [(0, 6)]


# ---------------------------------------------------------------------------------------------
# covered_chars

BLOCKS = [Span(0, 10), Span(20, 30), Span(40, 50)]


def test_covered_chars_counts_only_characters_inside_blocks() -> None:
    # one span across all three blocks and both gaps: 30 block chars, not 50
    assert covered_chars(BLOCKS, [(0, 50)]) == 30
    # a span across the gap between two blocks counts both sides, not the gap
    assert covered_chars(BLOCKS, [(5, 25)]) == 5 + 5
    # a span wholly in a gap counts nothing
    assert covered_chars(BLOCKS, [(11, 19)]) == 0
    # a span beyond the last block counts nothing
    assert covered_chars(BLOCKS, [(55, 80)]) == 0


def test_covered_chars_does_not_count_overlaps_twice() -> None:
    assert covered_chars(BLOCKS, [(0, 10), (0, 10), (2, 8)]) == 10
    assert covered_chars(BLOCKS, [(0, 25), (22, 45)]) == 10 + 10 + 5


def test_covered_chars_with_several_spans_in_one_block() -> None:
    assert covered_chars(BLOCKS, [(1, 3), (5, 7), (21, 22), (48, 60)]) == 2 + 2 + 1 + 2


def test_covered_chars_of_no_spans_or_no_blocks_is_zero() -> None:
    assert covered_chars(BLOCKS, []) == 0
    assert covered_chars([], [(0, 100)]) == 0


# ---------------------------------------------------------------------------------------------
# coverage on a cleaned article

BODY_ONE = "Storms knocked out power to thousands of homes overnight."
LINKS = "LATEST NEWS:\n- Schools reopen on Friday\n- Road closures listed"
BODY_TWO = "Engineers expect supply to return by the weekend."
TEXT = BODY_ONE + "\n\n" + LINKS + "\n\n" + BODY_TWO


@pytest.fixture(scope="module")
def doc():
    doc = clean_article(Article("x", TEXT))
    # the link list is removed, both body paragraphs are kept
    assert [(b.start, b.end) for b in doc.blocks] == [
        (0, len(BODY_ONE)),
        (TEXT.index(BODY_TWO), len(TEXT)),
    ]
    assert doc.content_chars == len(BODY_ONE) + len(BODY_TWO)
    return doc


def test_coverage_of_the_whole_text_is_one(doc) -> None:
    assert coverage(doc, [(0, len(TEXT))]) == pytest.approx(1.0)


def test_coverage_ignores_removed_text(doc) -> None:
    links_start = TEXT.index(LINKS)
    assert coverage(doc, [(links_start, links_start + len(LINKS))]) == 0.0


def test_coverage_of_one_paragraph(doc) -> None:
    expected = len(BODY_ONE) / (len(BODY_ONE) + len(BODY_TWO))
    assert coverage(doc, [(0, len(BODY_ONE))]) == pytest.approx(expected)
    # stretching the span over the removed list changes nothing
    links_end = TEXT.index(LINKS) + len(LINKS)
    assert coverage(doc, [(0, links_end)]) == pytest.approx(expected)


def test_coverage_of_an_empty_article_is_zero() -> None:
    empty = clean_article(Article("e", ""))
    assert coverage(empty, [(0, 10)]) == 0.0


def test_weighted_coverage_scales_by_similarity(doc) -> None:
    whole = (0, len(TEXT))
    half = [Passage(whole, whole, "edited", 0.5)]
    assert weighted_coverage(doc, half, "source") == pytest.approx(0.5)
    assert weighted_coverage(doc, half, "target") == pytest.approx(0.5)
    # never above one, even when passages overlap
    twice = [Passage(whole, whole, "verbatim", 1.0)] * 2
    assert weighted_coverage(doc, twice, "source") == 1.0
    # the side chosen matters
    one_side = [Passage(whole, (0, 0), "verbatim", 1.0)]
    assert weighted_coverage(doc, one_side, "source") == pytest.approx(1.0)
    assert weighted_coverage(doc, one_side, "target") == 0.0


# ---------------------------------------------------------------------------------------------
# name_relation


def passage(length: int, similarity: float, at: int = 0) -> Passage:
    kind = "verbatim" if similarity == 1.0 else "edited"
    return Passage((at, at + length), (at, at + length), kind, similarity)


def test_thresholds_are_ordered() -> None:
    assert COPY_COVERAGE < DUPLICATE_COVERAGE <= 1.0
    assert 0.0 < DUPLICATE_SIMILARITY <= 1.0


def test_fully_covered_verbatim_pair_is_a_duplicate() -> None:
    assert name_relation(1.0, 1.0, [passage(500, 1.0)]) == "duplicate"
    assert name_relation(DUPLICATE_COVERAGE, DUPLICATE_COVERAGE, [passage(500, 1.0)]) == (
        "duplicate"
    )


def test_one_side_under_duplicate_coverage_is_a_copy() -> None:
    assert name_relation(0.85, 0.95, [passage(500, 1.0)]) == "copy"
    assert name_relation(0.95, 0.85, [passage(500, 1.0)]) == "copy"


def test_fully_covered_but_heavily_edited_is_a_copy_not_a_duplicate() -> None:
    assert name_relation(1.0, 1.0, [passage(500, 0.8)]) == "copy"


def test_similarity_is_weighted_by_passage_length() -> None:
    # one long exact passage and one short poor one: weighted similarity (900 + 50) / 1000 = 0.95
    passages = [passage(900, 1.0), passage(100, 0.5, at=1000)]
    assert name_relation(0.95, 0.95, passages) == "duplicate"
    # the other way round: (100 + 450) / 1000 = 0.55, far under the bar
    passages = [passage(100, 1.0), passage(900, 0.5, at=1000)]
    assert name_relation(0.95, 0.95, passages) == "copy"


def test_copy_depends_on_the_target_coverage() -> None:
    assert name_relation(0.2, COPY_COVERAGE, [passage(200, 1.0)]) == "copy"
    assert name_relation(0.2, 0.75, [passage(200, 1.0)]) == "copy"
    assert name_relation(0.2, 0.69, [passage(200, 1.0)]) == "partial_copy"


def test_a_mostly_covered_source_alone_is_only_a_partial_copy() -> None:
    # the source is almost all reused, but the target is mostly its own material
    assert name_relation(0.95, 0.3, [passage(200, 1.0)]) == "partial_copy"


def test_low_coverage_is_a_partial_copy() -> None:
    assert name_relation(0.1, 0.1, [passage(50, 1.0)]) == "partial_copy"
