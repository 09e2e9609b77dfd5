"""copydesk.provenance.orient: dates first, then containment, else unknown."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from copydesk import scan
from copydesk.clean import clean_article
from copydesk.model import Article, Clues, Pair, Passage
from copydesk.provenance import (
    CONTAINED_COVERAGE,
    CONTAINMENT_MARGIN,
    explained_by_a_common_source,
    find_byline,
    find_credits,
    find_dateline,
    find_declared_source,
    orient,
    outlet_key,
    read_clues,
)


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


# --- clues: bylines, datelines, credits, declared sources --------------------------------------




@pytest.mark.parametrize(
    "text, expected",
    [
        ("By Lucy Williamson / BBC News, Calais, France\n\nBody.", ("Lucy Williamson", "BBC", "Calais, France")),  # noqa: E501
        ("By Lucy Williamson\nBBC News, Calais, France\nBody.", ("Lucy Williamson", "BBC", "Calais, France")),  # noqa: E501
        ("By John Smith and Jane Doe, Associated Press\nBody.", ("John Smith and Jane Doe", "Associated Press", None)),  # noqa: E501
        ("By Ana de la Cruz\n\nThe ministry said on Monday.", ("Ana de la Cruz", None, None)),
        ("Written by nobody in particular.\nBy the sea, the town waits.", (None, None, None)),
    ],
)  # fmt: skip
def test_byline(text: str, expected: tuple[str | None, str | None, str | None]) -> None:
    assert find_byline(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("LONDON (Reuters) - Shares fell on Monday.", ("LONDON", "Reuters")),
        ("WASHINGTON (AP) — The president said.", ("WASHINGTON", "Associated Press")),
        ("(AFP) - Paris was calm.", (None, "AFP")),
        ("BOISE, Idaho (AP) — A wildfire grew.", ("BOISE, Idaho", "Associated Press")),
        ("The ministry (which was closed) said - nothing.", (None, None)),
    ],
)
def test_dateline(text: str, expected: tuple[str | None, str | None]) -> None:
    assert find_dateline(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("It will stop, according to multiple sources contacted by the BBC.", ["BBC"]),
        ("The prefecture told the BBC that it was studying it.", ["BBC"]),
        ("Boats leave from the beach, the BBC reports.", ["BBC"]),
        ("Speaking to BBC, Colonel Alary said: 'no'.", ["BBC"]),
        ("An expert told the BBC so. Another source told the broadcaster: 'no'.", ["BBC"]),
        ("The mayor spoke first. Later he told the newspaper, the Calais Tribune reports.", ["Calais Tribune"]),  # noqa: E501
        ("PARIS (Reuters) - Police said.", ["Reuters"]),
        ("Reporting by the Associated Press; editing by staff.", ["Associated Press"]),
        ("Fire crews held the line.\nThe Associated Press contributed to this report.", ["Associated Press"]),  # noqa: E501
        ("Fire crews held the line.\n© 2026 Reuters", ["Reuters"]),
        # a sentence that only mentions an agency credits nothing
        ("A retired Reuters photographer saw the flames from his porch.", []),
        ("Sky News understands that the talks failed; he told Le Monde otherwise.", ["Sky News", "Le Monde"]),  # noqa: E501
        # people and bodies told things are not outlets
        ("He told reporters and the House of Commons, then told the UN and MPs.", []),
        ("The channel was calm and the paper boats floated.", []),
        ("", []),
    ],
)  # fmt: skip
def test_credits(text: str, expected: list[str]) -> None:
    assert find_credits(text) == expected


def test_told_the_broadcaster_without_a_named_outlet_credits_nothing() -> None:
    assert find_credits("A source told the broadcaster that it was over.") == []


@pytest.mark.parametrize(
    "text, url, canonical, expected",
    [
        ("Body.\nThis article was originally published by a www.dailymail.co.uk . Read it.", None, None, "dailymail.co.uk"),  # noqa: E501
        ("Body.\nThis story originally appeared in The Conversation.", None, None, "Conversation"),
        ("Body. Republished with permission from Calais Tribune.", None, None, "Calais Tribune"),
        ("Body.", "https://scraper.example/a", "https://www.bbc.co.uk/news/x", "bbc.co.uk"),
        ("Body.", "https://www.bbc.co.uk/news/x", "https://bbc.co.uk/news/x?amp", None),
        ("Body.", None, "https://www.bbc.co.uk/news/x", None),
        ("The law was first published in 1990 and then forgotten.", None, None, None),
    ],
)  # fmt: skip
def test_declared_source(
    text: str, url: str | None, canonical: str | None, expected: str | None
) -> None:
    assert find_declared_source(text, url, canonical) == expected


@pytest.mark.parametrize(
    "a, b",
    [
        ("BBC", "bbc.co.uk"), ("BBC News", "https://www.bbc.com/news/articles/x"),
        ("Daily Mail", "www.dailymail.co.uk"), ("The Guardian", "theguardian.com"),
        ("AP", "Associated Press"), ("MailOnline", "Daily Mail"),
    ],
)  # fmt: skip
def test_outlet_spellings_meet(a: str, b: str) -> None:
    assert outlet_key(a) == outlet_key(b)


def test_a_byline_outlet_is_the_articles_own_not_a_credit() -> None:
    doc = clean_article(Article("x", "By Jo Bloggs\nBBC News, Paris\n\nThe BBC has learned a lot."))
    clues = read_clues(doc)
    assert (clues.author, clues.outlet, clues.place) == ("Jo Bloggs", "BBC", "Paris")
    assert clues.credits == []


def test_a_wire_text_with_nothing_else_to_say_of_itself_is_the_agencys() -> None:
    wire = clean_article(Article("wire", "LONDON (Reuters) - Shares fell sharply on Monday."))
    copy = clean_article(Article("copy", "Shares fell sharply on Monday, according to Reuters."))
    wire_clues, copy_clues = read_clues(wire), read_clues(copy)
    assert (wire_clues.agency, wire_clues.credits) == ("Reuters", [])
    assert copy_clues.credits == ["Reuters"]
    # the copy, dated earlier, credits the wire's agency: the wire is the source
    copy.article.published = EARLY
    assert orient(copy.article, wire.article, 0.9, 0.9, copy_clues, wire_clues) == (
        True,
        "source_to_target",
    )
    # a page of an outlet that carries the dateline is that outlet's, and credits the agency
    syndicated = clean_article(Article("s", wire.article.text, source="Herald"))
    assert read_clues(syndicated).credits == ["Reuters"]


def test_orient_declared_origin_beats_dates() -> None:
    # the scraper page is dated earlier, but it declares the Daily Mail as its origin
    scraper = Article("scraper", "x", published=EARLY, url="https://scraper.example/p")
    mail = Article("mail", "x", published=LATE, source="Daily Mail")
    declared = Clues(declared_source="dailymail.co.uk")
    assert orient(scraper, mail, 0.5, 0.5, declared, Clues()) == (True, "source_to_target")
    assert orient(mail, scraper, 0.5, 0.5, Clues(), declared) == (False, "source_to_target")


def test_orient_crediting_the_others_outlet_makes_it_the_source() -> None:
    bbc = Article("bbc", "x", source="BBC News")
    rewrite = Article("rewrite", "x", published=EARLY)
    assert orient(rewrite, bbc, 0.9, 0.3, Clues(credits=["BBC"]), Clues()) == (
        True,
        "source_to_target",
    )


def test_orient_shared_credit_of_an_absent_outlet_is_a_common_source() -> None:
    a, b = Article("a", "x", published=EARLY), Article("b", "x", published=LATE)
    clues = Clues(credits=["BBC"])
    assert orient(a, b, 0.5, 0.6, clues, clues)[1] == "common_source"
    # both credit the BBC, but b *is* the BBC: then b is the source
    b_bbc = Article("b", "x", published=LATE, source="BBC")
    assert orient(a, b_bbc, 0.5, 0.6, clues, Clues())[1] == "source_to_target"
    # different credits decide nothing: dates do
    assert orient(a, b, 0.5, 0.6, clues, Clues(credits=["Reuters"])) == (False, "source_to_target")


def test_seeds_credits_declared_source_and_byline(
    seeds_dir: Path, seed_ids: dict[str, str]
) -> None:
    result = scan(seeds_dir)
    by_id = {r.article.id: r.clues for r in result.articles}
    for n in ("000", "001", "002", "003"):
        assert by_id[seed_ids[n]].credits == ["BBC"], n
    assert by_id[seed_ids["003"]].declared_source == "dailymail.co.uk"
    assert all(by_id[seed_ids[n]].declared_source is None for n in ("000", "001", "002", "004"))
    spun = by_id[seed_ids["004"]]
    assert (spun.author, spun.outlet, spun.place) == ("Lucy Williamson", "BBC", "Calais, France")
    assert spun.credits == []


def test_seeds_000_and_001_share_the_bbc_as_common_source(
    seeds_dir: Path, seed_ids: dict[str, str]
) -> None:
    result = scan(seeds_dir)
    pair = next(
        p for p in result.pairs if {p.source, p.target} == {seed_ids["000"], seed_ids["001"]}
    )
    assert pair.direction == "common_source"
    story = next(s for s in result.stories if seed_ids["000"] in s.articles)
    assert story.common_source == "BBC"
    assert story.original is None


def test_a_page_declaring_another_site_is_never_its_original() -> None:
    body = " ".join(f"word{i} sentence{i % 7} runs on" for i in range(60))
    original = Article("mail", body, source="Daily Mail", published=LATE)
    copy = Article(
        "scraped",
        body + "\n\nThis article was originally published by a www.dailymail.co.uk . Read it.",
        published=EARLY,
    )
    result = scan([copy, original])
    (pair,) = result.pairs
    assert (pair.source, pair.target, pair.direction) == ("mail", "scraped", "source_to_target")
    assert result.stories[0].original == "mail"


def test_site_names_that_differ_from_the_outlet() -> None:
    assert outlet_key("https://apnews.com/article/x") == outlet_key("AP")
    assert outlet_key("nytimes.com") == outlet_key("New York Times")


def test_a_plain_date_does_not_order_against_a_time_on_the_same_day() -> None:
    a, b = art("a", "2026-03-14"), art("b", "2026-03-14T06:10:00Z")
    assert orient(a, b, 0.5, 0.5)[1] == "unknown"
    # a day apart, it does
    assert orient(art("a", "2026-03-13"), b, 0.5, 0.5) == (False, "source_to_target")


def _copy(source: str, target: str, spans: list[tuple[tuple[int, int], tuple[int, int]]]) -> Pair:
    passages = [Passage(a, b, "verbatim", 1.0) for a, b in spans]
    return Pair(source, target, "partial_copy", "source_to_target", 0.5, 0.5, 0.5, passages)


def test_two_copies_of_a_wire_in_the_run_follow_it_and_copy_nothing_of_each_other() -> None:
    wire_to_a = _copy("wire", "a", [((0, 500), (100, 600))])
    wire_to_b = _copy("wire", "b", [((0, 500), (0, 500))])
    a_to_b = _copy("a", "b", [((100, 600), (0, 500))])  # by dates, a is earlier than b
    told = explained_by_a_common_source([wire_to_a, wire_to_b, a_to_b])
    assert [p.direction for p in told] == ["source_to_target"] * 2 + ["common_source"]
    # what a added to the wire and b took as well: b copied a
    a_adds = _copy("a", "b", [((100, 600), (0, 500)), ((700, 900), (600, 800))])
    told = explained_by_a_common_source([wire_to_a, wire_to_b, a_adds])
    assert told[2].direction == "source_to_target"
    # undated copies of the wire (direction unknown between them) follow it too
    undated = replace(a_to_b, direction="unknown")
    assert explained_by_a_common_source([wire_to_a, wire_to_b, undated])[2].direction == (
        "common_source"
    )
