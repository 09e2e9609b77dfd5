"""The whole flow on the real seeds and on the bundled examples, against what a reader expects."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fixtures.stories import (
    COMMUTER_REPORT,
    COUNCIL_REPORT,
    COUNCIL_SENTENCE,
    FESTIVAL,
    FLOOD_REPORT,
    STOCK_PHRASE,
    TRADERS_REPORT,
)

import copydesk
from copydesk import Article, ScanResult


def _norm(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.replace("’", "'").lower()))


@pytest.fixture(scope="module")
def seeds(seeds_dir: Path) -> ScanResult:
    return copydesk.scan(seeds_dir)


@pytest.fixture(scope="module")
def examples(examples_dir: Path) -> ScanResult:
    return copydesk.scan(examples_dir)


def _pair(result: ScanResult, a: str, b: str):
    for pair in result.pairs:
        if {pair.source, pair.target} == {a, b}:
            return pair
    return None


def _id(result: ScanResult, prefix: str) -> str:
    return next(r.article.id for r in result.articles if r.article.id.startswith(prefix))


def _texts(result: ScanResult) -> dict[str, str]:
    return {r.article.id: r.article.text for r in result.articles}


def _shared_texts(result: ScanResult, a: str, b: str) -> list[str]:
    pair = _pair(result, a, b)
    assert pair is not None, f"{a} and {b} are not paired"
    texts = _texts(result)
    return [_norm(texts[pair.source][p.source[0] : p.source[1]]) for p in pair.passages] + [
        _norm(texts[pair.target][p.target[0] : p.target[1]]) for p in pair.passages
    ]


def test_seeds_000_001_share_their_opening_sentences(seeds: ScanResult) -> None:
    a, b = _id(seeds, "000"), _id(seeds, "001")
    shared = " | ".join(_shared_texts(seeds, a, b))
    assert (
        _norm("France is backing away from a recent commitment to intervene more forcefully")
        in shared
    )
    assert (
        _norm("partly to blame, but it will come as a blow to the UK government's attempts")
        in shared
    )
    pair = _pair(seeds, a, b)
    assert pair is not None and min(pair.coverage_source, pair.coverage_target) >= 0.3


@pytest.mark.parametrize("other", ["000", "001"])
def test_seed_002_is_paired_with_000_and_001(seeds: ScanResult, other: str) -> None:
    assert _pair(seeds, _id(seeds, "002"), _id(seeds, other)) is not None


def test_seed_002_shares_the_named_passages_with_000(seeds: ScanResult) -> None:
    shared = " | ".join(_shared_texts(seeds, _id(seeds, "002"), _id(seeds, "000")))
    assert _norm("One figure closely linked to French maritime security") in shared
    assert _norm("in charge of border security in the UK") in shared  # Hewitt
    assert _norm("Former Interior Minister Bruno Retailleau") in shared


def test_seed_004_is_paired_with_nothing(seeds: ScanResult) -> None:
    spun = _id(seeds, "004")
    assert all(spun not in (p.source, p.target) for p in seeds.pairs)


def test_seed_003_shares_no_passage_with_the_rewrites(seeds: ScanResult) -> None:
    scraped = _id(seeds, "003")
    assert all(scraped not in (p.source, p.target) for p in seeds.pairs)


def test_every_offset_points_into_the_text_as_read(seeds: ScanResult) -> None:
    texts = _texts(seeds)
    for pair in seeds.pairs:
        for p in pair.passages:
            for article_id, (start, end) in ((pair.source, p.source), (pair.target, p.target)):
                piece = texts[article_id][start:end]
                assert 0 <= start < end <= len(texts[article_id])
                assert piece == piece.strip() and re.match(r"\w", piece)


def test_reused_fraction_is_coverage_of_any_pair(seeds: ScanResult) -> None:
    by_id = {r.article.id: r for r in seeds.articles}
    for pair in seeds.pairs:
        assert by_id[pair.source].reused_fraction >= pair.coverage_source - 1e-3
        assert by_id[pair.target].reused_fraction >= pair.coverage_target - 1e-3
    assert by_id[_id(seeds, "004")].reused_fraction == 0.0


def test_scan_is_deterministic(seeds_dir: Path) -> None:
    first, second = copydesk.scan(seeds_dir), copydesk.scan(seeds_dir)
    assert [(p.source, p.target, p.passages) for p in first.pairs] == [
        (p.source, p.target, p.passages) for p in second.pairs
    ]


# The bundled examples have known truth (examples/README.md).


def test_examples_relations_and_directions(examples: ScanResult) -> None:
    duplicate = _pair(examples, "wire-flood", "daily-flood")
    assert duplicate is not None and duplicate.relation == "duplicate"
    assert (duplicate.source, duplicate.direction) == ("wire-flood", "source_to_target")
    copy = _pair(examples, "wire-flood", "gazette-flood")
    assert copy is not None and copy.relation == "copy" and copy.source == "wire-flood"
    partial = _pair(examples, "wire-flood", "courier-budget")
    assert partial is not None and partial.relation == "partial_copy"
    assert (partial.source, partial.target) == ("wire-flood", "courier-budget")


def test_examples_partial_copy_is_exactly_the_three_sentences(examples: ScanResult) -> None:
    pair = _pair(examples, "wire-flood", "courier-budget")
    assert pair is not None and len(pair.passages) == 1
    text = _texts(examples)["courier-budget"]
    start, end = pair.passages[0].target
    assert text[start:end].startswith("The council's finance director, Priya Castellane")
    assert text[start:end].endswith("from central government flood relief")
    assert pair.passages[0].kind == "verbatim"


def test_examples_shared_footer_makes_no_pair(examples: ScanResult) -> None:
    harbour = {"daily-flood", "daily-festival", "daily-school"}
    assert not [p for p in examples.pairs if {p.source, p.target} <= harbour]
    for report in examples.articles:
        if report.article.id in harbour:
            assert [s.reason for s in report.removed] == ["boilerplate"]


def test_examples_unrelated_articles_stay_alone(examples: ScanResult) -> None:
    linked = {p.source for p in examples.pairs} | {p.target for p in examples.pairs}
    assert not linked & {"daily-festival", "daily-school", "blog-rail", "notice-parking"}


def test_examples_story_original_is_the_wire(examples: ScanResult) -> None:
    (story,) = examples.stories
    assert story.original == "wire-flood"
    assert set(story.articles) == {
        "wire-flood", "daily-flood", "gazette-flood", "courier-budget", "letter-bridge",
        "kestle-post-bridge",
    }  # fmt: skip


def test_examples_web_page_is_extracted_credited_and_oriented(examples: ScanResult) -> None:
    page = next(r for r in examples.articles if r.article.id == "kestle-post-bridge")
    assert page.article.extracted and page.article.source == "Kestle Evening Post"
    assert page.article.author == "Morwenna Tallis"
    for chrome in ("Accept all", "Related stories", "RiverWatcher", "All rights reserved"):
        assert chrome not in page.article.text
    assert page.clues.credits == ["Northfield Press Agency"]
    pair = _pair(examples, "wire-flood", "kestle-post-bridge")
    assert pair is not None
    # the page gives a date without a time, on the wire's day: the credit decides
    assert (pair.source, pair.direction) == ("wire-flood", "source_to_target")
    shared = _shared_texts(examples, "wire-flood", "kestle-post-bridge")
    assert any(_norm("Buses that normally use the bridge are being diverted") in t for t in shared)
    assert any(_norm("Borough engineer Tomasz Everly said inspectors") in t for t in shared)


# The Python API.


def test_compare_keeps_the_given_order_and_finds_the_passage() -> None:
    shared = "The bridge will stay closed until divers have examined all three stone piers."
    source = f"Rain fell all night. {shared} Traffic was diverted."
    target = f"Our letter page today. {shared}"
    pair = copydesk.compare(source, target)
    assert pair is not None and (pair.source, pair.target) == ("source", "target")
    (passage,) = pair.passages
    assert source[passage.source[0] : passage.source[1]] == shared.rstrip(".")
    assert target[passage.target[0] : passage.target[1]] == shared.rstrip(".")


def test_compare_returns_none_when_nothing_is_shared() -> None:
    assert copydesk.compare("One text about rivers.", "Another about trains.") is None


def test_scan_accepts_articles_and_paths_together(examples_dir: Path) -> None:
    extra = Article("extra", "Completely different words that appear in no other article here.")
    result = copydesk.scan([examples_dir / "letters", extra])
    assert {r.article.id for r in result.articles} == {"letter-bridge", "notice-parking", "extra"}


def test_min_words_option_changes_what_counts(examples_dir: Path) -> None:
    strict = copydesk.scan(examples_dir, copydesk.ScanOptions(min_words=80))
    assert _pair(strict, "wire-flood", "courier-budget") is None
    assert _pair(strict, "wire-flood", "daily-flood") is not None


def _fingerprint(result: ScanResult) -> list[tuple]:
    return [
        (p.source, p.target, p.relation, p.direction, p.score,
         [(q.source, q.target, q.kind, q.similarity, q.quote) for q in p.passages])
        for p in result.pairs
    ]  # fmt: skip


def test_workers_give_the_same_output_as_one(monkeypatch: pytest.MonkeyPatch) -> None:
    from copydesk import pipeline
    from copydesk.synthetic import make_corpus

    monkeypatch.setattr(pipeline, "ALIGN_CHUNK", 8)  # many chunks, so order could go wrong
    corpus = make_corpus(120, seed=11)
    one = copydesk.scan(corpus.articles, copydesk.ScanOptions(workers=1))
    three = copydesk.scan(corpus.articles, copydesk.ScanOptions(workers=3))
    assert len(one.pairs) > 20
    assert _fingerprint(one) == _fingerprint(three)
    assert [s.articles for s in one.stories] == [s.articles for s in three.stories]


# Spun copies.

NEWS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "news"


@pytest.fixture(scope="module")
def news_article() -> Article:
    import json

    path = NEWS / "census.jsonl"
    if not path.exists():
        pytest.skip(f"news corpus not found at {path}")
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    record = next(r for r in records if 800 <= len(r["text"].split()) <= 2500)
    return Article(record["id"], record["text"])


@pytest.mark.parametrize("rate", [0.3, 0.5])
def test_a_spun_copy_is_paired_with_its_original(news_article: Article, rate: float) -> None:
    from copydesk.spin import spin_swaps

    spun_text, swaps = spin_swaps(news_article.text, rate=rate, seed=7)
    assert len(swaps) > 50
    # the spun copy is dated first: the spinning, not the date, decides the direction
    spun = Article("spun", spun_text, published="2026-01-01")
    original = Article(news_article.id, news_article.text, published="2026-01-02")
    result = copydesk.scan([spun, original])
    (pair,) = result.pairs
    assert (pair.source, pair.target) == (original.id, "spun")
    assert (pair.relation, pair.direction) == ("spun_copy", "source_to_target")
    assert pair.coverage_target >= 0.9
    assert {p.kind for p in pair.passages} >= {"spun"}
    report = next(r for r in result.articles if r.article.id == "spun")
    assert report.spin is not None and report.spin["spun"]
    changes = report.spin["changes"]
    swapped_at = {(c.start, c.end) for c in swaps}
    right = [c for c in changes if (c["start"], c["end"]) in swapped_at]
    assert len(right) >= 0.4 * len(swaps)  # most restorations sit on swapped words
    for change in changes:
        assert spun_text[change["start"] : change["end"]] == change["spun"]
    plain = next(r for r in result.articles if r.article.id == original.id)
    assert plain.spin is not None and not plain.spin["spun"] and "changes" not in plain.spin


@pytest.mark.parametrize("rate, seed", [(0.3, 7), (0.05, 4)])
def test_compare_in_the_order_given_names_only_the_target_a_spun_copy(
    news_article: Article, rate: float, seed: int
) -> None:
    """`compare` keeps its order. Original first: `spun_copy`. The spun copy first (read as
    spun alone at 30 %, told by the pair at 5 %): the target is its original, no spinner's copy,
    so the pair is named by what they share, and its direction is unknown."""
    from copydesk.spin import spin_text

    spun = spin_text(news_article.text, rate, seed)
    forward = copydesk.compare(news_article.text, spun)
    assert forward is not None
    assert (forward.relation, forward.direction) == ("spun_copy", "source_to_target")
    backward = copydesk.compare(spun, news_article.text)
    assert backward is not None
    assert backward.relation in ("duplicate", "copy") and backward.direction == "unknown"
    assert {p.kind for p in backward.passages} == {p.kind for p in forward.passages} == {"spun"}


def test_two_copies_of_one_spun_text_are_duplicates_not_spun(news_article: Article) -> None:
    from copydesk.spin import spin_text

    spun_text = spin_text(news_article.text, rate=0.4, seed=9)
    result = copydesk.scan([Article("site-a", spun_text), Article("site-b", spun_text)])
    (pair,) = result.pairs
    assert pair.relation == "duplicate"
    assert {p.kind for p in pair.passages} == {"verbatim"}


def test_a_spun_part_beside_new_material_is_a_partial_copy(news_article: Article) -> None:
    from copydesk.spin import spin_text

    paragraphs = news_article.text.split("\n")
    half = "\n".join(paragraphs[: len(paragraphs) // 3])
    own = " ".join(f"Our reporter visited district {n} and heard a different account of the count." for n in range(40))  # noqa: E501
    copy = Article("partial-spun", spin_text(half, rate=0.4, seed=3) + "\n\n" + own)
    result = copydesk.scan([news_article, copy])
    (pair,) = result.pairs
    assert (pair.source, pair.target) == (news_article.id, "partial-spun")
    assert pair.coverage_target < 0.7
    assert pair.relation == "partial_copy" and "spun" in {p.kind for p in pair.passages}


def test_seed_004_is_spun_and_the_others_are_not(seeds: ScanResult) -> None:
    spins = {r.article.id[:3]: r.spin for r in seeds.articles}
    assert spins["004"] is not None and spins["004"]["spun"] and spins["004"]["score"] >= 0.8
    for n in ("000", "001", "002", "003"):
        assert spins[n] is not None and not spins[n]["spun"], n


def test_a_story_run_by_more_outlets_than_max_df_pairs_each_copy_with_the_earliest() -> None:
    copies = [
        Article(f"copy{i}", f"Outlet {i} runs the wire.\n\n{FLOOD_REPORT}\n\nMore from {i}.",
                published="2026-03-16")
        for i in range(8)
    ]  # fmt: skip
    wire = Article("wire", FLOOD_REPORT, published="2026-03-15T09:00:00Z")
    articles = [*copies, Article("festival", FESTIVAL), wire]
    every_two = copydesk.scan(articles, copydesk.ScanOptions(max_df=9))
    assert len(every_two.pairs) == 9 * 8 // 2  # up to max_df articles: every two of them
    # Past max_df, each copy is paired with the earliest article alone, found last here.
    hub = copydesk.scan(articles, copydesk.ScanOptions(max_df=5))
    found = {(p.source, p.target, p.relation, p.direction) for p in hub.pairs}
    assert found == {("wire", f"copy{i}", "duplicate", "source_to_target") for i in range(8)}
    (story,) = hub.stories
    assert story.original == "wire" and len(story.articles) == 9


# Same story, no shared passage.


def test_two_reports_of_one_event_in_other_words_are_the_same_story() -> None:
    articles = [
        Article("report", FLOOD_REPORT, published="2026-03-15"),
        Article("traders", TRADERS_REPORT, published="2026-03-16"),
        Article("festival", FESTIVAL, published="2026-03-15"),
    ]
    result = copydesk.scan(articles)
    (pair,) = result.pairs
    assert (pair.source, pair.target, pair.relation) == ("report", "traders", "same_story")
    assert pair.passages == [] and pair.direction == "source_to_target"
    (story,) = result.stories
    assert set(story.articles) == {"report", "traders"}
    off = copydesk.scan(articles, copydesk.ScanOptions(paraphrase=False))
    assert off.pairs == []


# Reuse or the phrases of one story: a pair must share more than stock phrases to be reuse.


def _council_and_commuters(commuters: str = COMMUTER_REPORT) -> tuple[Article, Article]:
    return (
        Article("council", COUNCIL_REPORT, published="2026-03-16"),
        Article("commuters", commuters, published="2026-03-17"),
    )


def test_reports_sharing_only_a_stock_phrase_are_the_same_story() -> None:
    council, commuters = _council_and_commuters()
    pair = copydesk.compare(council, commuters)
    assert pair is not None
    assert (pair.relation, pair.passages) == ("same_story", [])
    # Counting every passage as reuse, as copydesk did before: the phrase (and the sentences
    # around it, loosely paired) made a pair of reuse.
    every = copydesk.compare(council, commuters, copydesk.ScanOptions(min_reuse_words=0))
    assert every is not None and every.relation in ("partial_copy", "paraphrase")
    verbatim = [p for p in every.passages if p.kind == "verbatim"]
    assert [_norm(COUNCIL_REPORT[p.source[0] : p.source[1]]) for p in verbatim] == [
        _norm(STOCK_PHRASE)
    ]
    result = copydesk.scan([council, commuters])
    assert [(p.source, p.target, p.relation) for p in result.pairs] == [
        ("council", "commuters", "same_story")
    ]
    assert [set(s.articles) for s in result.stories] == [{"council", "commuters"}]


def test_a_sentence_copied_word_for_word_is_reuse_beside_the_stock_phrase() -> None:
    council, commuters = _council_and_commuters(COMMUTER_REPORT + "\n\n" + COUNCIL_SENTENCE)
    pair = copydesk.compare(council, commuters)
    assert pair is not None and pair.relation == "partial_copy"
    verbatim = {_norm(COUNCIL_REPORT[p.source[0] : p.source[1]]) for p in pair.passages
                if p.kind == "verbatim"}  # fmt: skip
    assert verbatim == {_norm(STOCK_PHRASE), _norm(COUNCIL_SENTENCE)}


def test_real_pages_sharing_only_a_story_phrase_are_the_same_story(
    census_articles: dict[str, Article],
) -> None:
    """A Slate and an NBC News page share "to add a citizenship question to the census" and
    nothing else; two outlets running one AP story stay duplicates."""
    news = census_articles
    phrase = copydesk.compare(news["census-604"], news["census-3581"])
    assert phrase is not None and (phrase.relation, phrase.passages) == ("same_story", [])
    every = copydesk.compare(
        news["census-604"], news["census-3581"], copydesk.ScanOptions(min_reuse_words=0)
    )
    assert every is not None and every.relation == "partial_copy"
    (passage,) = every.passages
    text = news["census-604"].text[passage.source[0] : passage.source[1]]
    assert _norm(text) == "to add a citizenship question to the census"
    wire = copydesk.compare(news["census-2313"], news["census-12769"])
    assert wire is not None and wire.relation == "duplicate"


_STATEMENT = (
    "We will not reopen the crossing until every pier has been examined by divers and every "
    "crack in the masonry has been repaired, however long that takes"
)
_QUOTED_PARAGRAPH = (
    "The borough engineer, speaking outside the flooded boatyard on Sunday, said: "
    f'"{_STATEMENT}." He would not be drawn on a date for the reopening of the bridge.'
)


def test_a_paragraph_copied_around_a_quote_is_reuse() -> None:
    """Cutting the quote out leaves narration of 11 and 14 words: one copied paragraph."""
    # Long pages: the paragraph covers under a fifth of either.
    market = " ".join(f"Stall {i} at the market sold {i + 3} loaves by noon." for i in range(40))
    ferry = " ".join(f"Ferry trip {i} carried {i + 9} umbrellas across." for i in range(40))
    a = Article("council", f"{COUNCIL_REPORT}\n\n{_QUOTED_PARAGRAPH}\n\n{market}")
    b = Article("commuters", f"{_QUOTED_PARAGRAPH}\n\n{COMMUTER_REPORT}\n\n{ferry}")
    pair = copydesk.compare(a, b)
    assert pair is not None and pair.relation == "partial_copy"
    assert any(p.quote for p in pair.passages) and any(not p.quote for p in pair.passages)


def test_a_whole_copy_is_named_and_oriented_as_without_the_reuse_rule() -> None:
    """A page of quoted statements and one short line of narration, run whole inside another
    page: a copy, its passages and direction as when every passage counts."""
    quotes = [
        f'"{_STATEMENT}."',
        '"Divers found two cracks in the eastern pier and a loose capstone on the parapet, which '
        'a crane will lift off before any repair can begin next week."',
        '"Our engineers worked through the night with pumps borrowed from Stanning fire station '
        'to keep the boatyard from flooding a second time in three days."',
        '"Buses will run every twelve minutes on the Kestle diversion, and the ferry will carry '
        'pupils to Stanning Primary free of charge until the bridge reopens."',
        '"The insurance claims of the Wharf Row shops will be handled by a single adjuster, so '
        'that no trader has to tell the story of the flood more than once."',
        '"We expect the river to stay high until Wednesday, when the tide turns and the rain '
        'forecast for the hills above Corran should have passed."',
    ]
    lone = "The council will meet again on Thursday evening at the town hall."
    inserted = [
        f"Paragraph {i} of the longer page: {word} queues on the Kestle road again today."
        for i, word in enumerate("long slow endless angry quiet short familiar".split())
    ]
    item = [*quotes[:3], lone, *quotes[3:]]
    page = [x for pair in zip(item, inserted, strict=True) for x in pair]
    articles = [Article("item", "\n\n".join(item)), Article("page", "\n\n".join(page))]
    (pair,) = copydesk.scan(articles).pairs
    (every,) = copydesk.scan(articles, copydesk.ScanOptions(min_reuse_words=0)).pairs
    assert pair == every
    assert (pair.source, pair.target, pair.relation) == ("page", "item", "copy")
    assert pair.direction == "source_to_target" and not all(p.quote for p in pair.passages)
