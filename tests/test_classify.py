"""copydesk.classify: span arithmetic, coverage of the kept text, and relation thresholds."""

from __future__ import annotations

from pathlib import Path

import pytest

from copydesk import compare, scan
from copydesk.classify import (
    COPY_COVERAGE,
    DUPLICATE_COVERAGE,
    DUPLICATE_SIMILARITY,
    coverage,
    covered_chars,
    incidental,
    mark_quotes,
    name_relation,
    quoted_spans,
    split_quotes,
    union_spans,
    weighted_coverage,
    words_inside,
)
from copydesk.clean import clean_article
from copydesk.model import Article, CleanArticle, Passage, ScanOptions, Span

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
    # the other way round: (100 + 630) / 1000 = 0.73, far under the bar
    passages = [passage(100, 1.0), passage(900, 0.7, at=1000)]
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


# --- quoted speech -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, quotes",
    [
        ("He described it as a “political stunt”, adding: “It’s much blah-blah.”",
         ["“political stunt”", "“It’s much blah-blah.”"]),
        ("It's just a political stunt. It's much blah-blah, said one figure closely linked.",
         ["It's just a political stunt. It's much blah-blah"]),
        ("She said \"we will not stop\" and left.", ['"we will not stop"']),
        ("Callis’s officers said ‘we’re coming’ to us.", ["‘we’re coming’"]),
        # a name before ", said" is the speaker, not speech
        ("The finance director, Priya Castellane, said the cost was high.", []),
        ("Callis’s officers and the mayor’s staff were there.", []),
        ("", []),
        # what may stand before a mark: the text's start, not a word character or a mark
        ('"We will not stop," she said.', ['"We will not stop,"']),
        ('a 12" screen and 15" one', []),
        ('""We go" now"', []),  # a mark right after a mark opens nothing
        ("‘Go now’ he said, then ‘go’.", ["‘Go now’", "‘go’"]),
        ("word‘not a quote’ here", []),
        # speech attributed after it, the verb on the next line
        ("It is over,\nsaid the coach.", ["It is over"]),
    ],
)  # fmt: skip
def test_quoted_spans(text: str, quotes: list[str]) -> None:
    assert [text[s:e] for s, e in quoted_spans(text)] == quotes


NARRATION = (
    "The council met on Tuesday evening to discuss the closure of the bridge over the river, "
    "and the leader of the opposition asked when it would reopen."
)
SPEECH = "“We will not reopen it until the divers have examined every one of the three piers.”"


def test_split_quotes_cuts_the_shared_quote_out_of_a_passage() -> None:
    source = f"{NARRATION} The engineer replied: {SPEECH}"
    target = f"Intro line here. {NARRATION} The engineer said: {SPEECH} End."
    passage = Passage((0, len(source)), (17, target.index(" End.")), "edited", 0.9)
    pieces = split_quotes(source, target, passage)
    assert [p.quote for p in pieces] == [False, True]
    quote = pieces[1]
    assert source[quote.source[0] : quote.source[1]] == SPEECH[1:-2]
    assert target[quote.target[0] : quote.target[1]] == SPEECH[1:-2]
    assert source[pieces[0].source[0] : pieces[0].source[1]].startswith("The council met")


def test_split_quotes_measures_each_piece_and_drops_narration_that_shares_nothing() -> None:
    # The aligner bridged a copied quote and a stray "the city" after it: the quote alone is
    # shared, so it becomes a verbatim passage and the narration after it goes.
    quote = "“Nobody will be allowed to cross the bridge before the spring inspection.”"
    source = f"{quote} she said. Traders say the closure costs them dearly in the city"
    target = f"{quote} in a statement. Officials later denied any delay to works in the city"
    passage = Passage((0, len(source)), (0, len(target)), "edited", 0.55)
    pieces = split_quotes(source, target, passage)
    assert len(pieces) == 1
    (piece,) = pieces
    assert piece.quote and piece.kind == "verbatim" and piece.similarity == 1.0
    assert source[piece.source[0] : piece.source[1]] == quote[1:-2]
    # Narration that does share its words stays, measured on its own.
    source = f"{quote} she said. {NARRATION}"
    target = f"{quote} in a statement. {NARRATION.replace('Tuesday', 'Monday')}"
    passage = Passage((0, len(source)), (0, len(target)), "edited", 0.8)
    quoted, narration = split_quotes(source, target, passage)
    assert quoted.kind == "verbatim" and not narration.quote
    assert narration.kind == "edited" and 0.8 < narration.similarity < 1.0
    # Words compare as the aligner compares them: a curly apostrophe is a straight one.
    curly, straight = f"{quote} she’s said. {NARRATION}", f"{quote} she's said. {NARRATION}"
    passage = Passage((0, len(curly)), (0, len(straight)), "edited", 0.8)
    assert {p.kind for p in split_quotes(curly, straight, passage)} == {"verbatim"}
    # A paraphrase is no word match to cut: it stays whole.
    passage = Passage((0, len(source)), (0, len(target)), "paraphrase", 0.4)
    assert split_quotes(source, target, passage) == [passage]


def test_quotes_are_split_only_when_quoted_on_both_sides() -> None:
    source = f"{NARRATION} The engineer replied: {SPEECH}"
    target = f"{NARRATION} The engineer replied: {SPEECH[1:-1]}"  # quote marks lost
    passage = Passage((0, len(source)), (0, len(target)), "verbatim", 1.0)
    assert split_quotes(source, target, passage) == [passage]


def test_without_split_a_mostly_quoted_passage_is_flagged() -> None:
    text = f"Intro. {SPEECH}"
    start = text.index(SPEECH)
    quoted = Passage((start, len(text)), (start, len(text)), "verbatim", 1.0)
    narration = Passage((0, 6), (0, 6), "verbatim", 1.0)
    flagged = mark_quotes(text, text, [narration, quoted], split=False)
    assert [p.quote for p in flagged] == [False, True]


def test_texts_sharing_only_a_quote_point_to_a_common_source() -> None:
    minister = (
        "“The bridge will stay closed until divers can examine the foundations, and that will not "
        "happen before the current slows down in the spring,” the minister said."
    )
    a = Article(
        "a",
        f"The Valley Gazette asked about the bridge on Monday. {minister} Traders "
        "in the town centre said they were losing business.",
        published="2026-01-01",
    )
    b = Article(
        "b",
        f"A radio phone-in was dominated by the closure of the old crossing. "
        f"{minister} Listeners were unimpressed.",
        published="2026-01-02",
    )
    pair = compare(a, b)
    assert pair is not None and pair.passages
    assert all(p.quote for p in pair.passages)
    assert pair.direction == "common_source"
    # Quoting one source is no reuse between the two: the same story, the quote as evidence.
    assert pair.relation == "same_story"
    every = compare(a, b, ScanOptions(min_reuse_words=0))
    assert every is not None and every.relation == "partial_copy"
    assert every.passages == pair.passages


def test_seeds_000_001_share_the_blah_blah_quote(seeds_dir: Path, seed_ids: dict[str, str]) -> None:
    result = scan(seeds_dir)
    pair = next(
        p for p in result.pairs if {p.source, p.target} == {seed_ids["000"], seed_ids["001"]}
    )
    texts = {r.article.id: r.article.text for r in result.articles}
    quotes = [texts[pair.source][p.source[0] : p.source[1]] for p in pair.passages if p.quote]
    assert any("blah-blah" in q for q in quotes)
    assert not any("France is backing away" in q for q in quotes)


@pytest.mark.parametrize(
    "kinds, coverage, relation",
    [
        (["paraphrase", "paraphrase", "verbatim"], 0.3, "paraphrase"),
        (["spun", "spun", "paraphrase"], 0.8, "spun_copy"),
        # spun passages beside the target's own material: a partial copy, spun
        (["spun", "spun", "paraphrase"], 0.3, "partial_copy"),
        (["verbatim", "verbatim", "paraphrase"], 0.3, "partial_copy"),
        (["spun", "paraphrase", "verbatim"], 0.3, "partial_copy"),
    ],
)
def test_reworded_passages_name_the_relation(
    kinds: list[str], coverage: float, relation: str
) -> None:
    # three passages of 100 characters each
    passages = [
        Passage((i * 100, i * 100 + 100), (i * 100, i * 100 + 100), kind, 0.6)
        for i, kind in enumerate(kinds)
    ]
    assert name_relation(coverage, coverage, passages) == relation


def test_heavily_edited_passages_count_as_rewritten() -> None:
    light = [Passage((0, 300), (0, 300), "edited", 0.9)]
    heavy = [Passage((0, 300), (0, 300), "edited", 0.6)]
    assert name_relation(0.3, 0.3, light) == "partial_copy"
    assert name_relation(0.3, 0.3, heavy) == "paraphrase"


def test_text_in_passages_of_two_kinds_counts_once_as_the_closer_match() -> None:
    # A sentence paired as a paraphrase (0-300) around a quote copied word for word (100-250),
    # and a second quote alone (400-500): 400 shared characters, 150 of them reworded.
    passages = [
        Passage((0, 300), (0, 300), "paraphrase", 0.5),
        Passage((100, 250), (100, 250), "verbatim", 1.0),
        Passage((400, 500), (400, 500), "verbatim", 1.0),
    ]
    assert name_relation(0.3, 0.3, passages) == "partial_copy"
    # Reworded outside the quotes on most of the shared text: a paraphrase.
    passages[2] = Passage((400, 450), (400, 450), "verbatim", 1.0)
    passages.append(Passage((600, 700), (600, 700), "paraphrase", 0.5))
    assert name_relation(0.3, 0.3, passages) == "paraphrase"


def test_a_reworded_passage_is_not_cut_at_its_quotes() -> None:
    # The paraphrase aligner paired the sentences around a quote the word aligner had matched:
    # cut at the quote, the paraphrase would give the quote again, and fragments around it.
    quote = "“We are moving away from a policy around the conduct of our artists.”"
    source = f"In a post on Friday, the company wrote that {quote}"
    target = f"The firm, in a note to staff, was blunt. {quote}"
    s_at, t_at = source.index(quote) + 1, target.index(quote) + 1
    length = len(quote) - 3  # from its first word to its last
    word_matched = Passage((s_at, s_at + length), (t_at, t_at + length), "verbatim", 1.0)
    for kind in ("paraphrase", "spun"):
        reworded = Passage((0, len(source)), (0, len(target)), kind, 0.45)
        marked = mark_quotes(source, target, [reworded, word_matched])
        assert [(p.source, p.target, p.kind, p.quote) for p in marked] == [
            (reworded.source, reworded.target, kind, True),
            (word_matched.source, word_matched.target, "verbatim", True),
        ]


def _report(opening: str, sentences: int) -> CleanArticle:
    filler = (f"Sentence {n} of this report says something of its own." for n in range(sentences))
    return clean_article(Article("x", " ".join([opening, *filler])))


def test_thin_passages_are_incidental_unless_long_close_or_covering() -> None:
    shared = "the decision to keep the old bridge closed to traffic until the divers report back"

    def passage(a: CleanArticle, b: CleanArticle, similarity: float) -> Passage:
        s_a, s_b = a.article.text.index(shared), b.article.text.index(shared)
        kind = "verbatim" if similarity == 1.0 else "edited"
        return Passage((s_a, s_a + len(shared)), (s_b, s_b + len(shared)), kind, similarity)

    long_a = _report(f"The council defended {shared} on Sunday.", 60)
    long_b = _report(f"A petition opposes {shared} this week.", 60)
    exact, close = passage(long_a, long_b, 1.0), passage(long_a, long_b, 0.9)
    assert words_inside(long_a, [exact.source]) == 15
    # Fifteen words copied word for word are reuse; at 0.9 they weigh 13.5: a shared phrase.
    assert not incidental(long_a, long_b, [exact], 15)
    assert incidental(long_a, long_b, [close], 15)
    assert not incidental(long_a, long_b, [close], 13)
    # A fifth of a short article is reuse, however few its words.
    short_a = _report(f"The council defended {shared} on Sunday.", 3)
    short_b = _report(f"A petition opposes {shared} this week.", 3)
    assert not incidental(short_a, short_b, [passage(short_a, short_b, 0.9)], 15)


def test_words_in_quoted_speech_are_no_evidence_of_reuse() -> None:
    """Two reports quoting one statement share it, not each other's text; narration copied
    around a quote is, even when cutting the quote out leaves two short pieces."""
    statement = (
        "We will not reopen the crossing until every pier has been examined by divers and "
        "every crack in the masonry has been repaired, however long that takes"
    )
    before = "The borough engineer, speaking outside the flooded boatyard on Sunday, said:"
    after = "He would not be drawn on a date for the reopening of the bridge."
    a = _report(f'{before} "{statement}." {after}', 60)
    b = _report(f'Our reporter heard a blunt message. {before} "{statement}." {after}', 60)

    def span(doc: CleanArticle, text: str) -> tuple[int, int]:
        start = doc.article.text.index(text)
        return start, start + len(text)

    quote_only = Passage(span(a, statement), span(b, statement), "verbatim", 1.0)
    assert words_inside(a, [quote_only.source]) == 27
    assert incidental(a, b, [quote_only], 15)
    paragraph = f'{before} "{statement}." {after}'
    whole = Passage(span(a, paragraph), span(b, paragraph), "verbatim", 1.0)
    assert not incidental(a, b, [whole], 15)  # 11 + 14 words of narration
    assert incidental(a, b, [whole], 26)
