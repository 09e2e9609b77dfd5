"""copydesk.stories.build_stories: components, ids, originals and labels."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from copydesk import scan
from copydesk.clean import clean_article
from copydesk.model import Article, Clues, Edge, Pair
from copydesk.stories import LABEL_WORDS, MIN_UNIQUE_CHARS, build_stories, unique_spans


def art(
    aid: str, published: str | None = None, title: str | None = None, text: str = ""
) -> Article:
    return Article(aid, text or f"Body of article {aid}.", title=title, published=published)


def pair(source: str, target: str, direction: str = "source_to_target") -> Pair:
    return Pair(source, target, "copy", direction, 0.8, 0.8, 0.8, [])


def day(n: int) -> str:
    return f"2026-01-{n:02d}T09:00:00+00:00"


def test_no_pairs_no_stories() -> None:
    assert build_stories([art("a"), art("b")], []) == []
    assert build_stories([], []) == []


def test_connected_components_in_order_of_first_member() -> None:
    articles = [art(x) for x in "abcdefg"]
    # {a, c, e} through a chain, {b, f}, d and g alone
    pairs = [pair("e", "c"), pair("b", "f"), pair("c", "a")]
    stories = build_stories(articles, pairs)
    assert [s.id for s in stories] == ["s1", "s2"]
    assert [s.articles for s in stories] == [["a", "c", "e"], ["b", "f"]]


def test_component_order_follows_input_order_not_ids() -> None:
    articles = [art("z"), art("y"), art("b"), art("a")]
    stories = build_stories(articles, [pair("a", "b"), pair("y", "z")])
    assert [s.articles for s in stories] == [["z", "y"], ["b", "a"]]
    assert [s.id for s in stories] == ["s1", "s2"]


def test_transitive_links_join_one_story() -> None:
    articles = [art(x) for x in "abcd"]
    stories = build_stories(articles, [pair("a", "b"), pair("c", "d"), pair("d", "b")])
    assert len(stories) == 1
    assert stories[0].articles == ["a", "b", "c", "d"]


def test_singletons_get_no_story() -> None:
    articles = [art("a"), art("b"), art("c")]
    stories = build_stories(articles, [pair("a", "c")])
    members = {m for s in stories for m in s.articles}
    assert members == {"a", "c"}
    assert "b" not in members


def test_edges_are_the_pairs_of_the_story() -> None:
    articles = [art(x) for x in "abcd"]
    pairs = [pair("a", "b"), pair("c", "d", "unknown")]
    stories = build_stories(articles, pairs)
    assert stories[0].edges == [Edge("a", "b", "copy")]
    assert stories[1].edges == [Edge("c", "d", "copy")]


def test_original_is_the_earliest_when_all_are_dated() -> None:
    articles = [art("a", day(3)), art("b", day(1)), art("c", day(2))]
    # the edges say otherwise (and are undirected): the dates decide
    pairs = [pair("a", "b", "unknown"), pair("c", "b", "unknown")]
    (story,) = build_stories(articles, pairs)
    assert story.original == "b"


def test_earliest_compares_instants_across_time_zones() -> None:
    # 08:00+05:00 is 03:00 UTC, before 04:00Z
    articles = [art("a", "2026-01-01T04:00:00Z"), art("b", "2026-01-01T08:00:00+05:00")]
    (story,) = build_stories(articles, [pair("a", "b", "unknown")])
    assert story.original == "b"


def test_without_dates_the_only_root_of_directed_edges_is_the_original() -> None:
    articles = [art("a"), art("b"), art("c")]
    pairs = [pair("b", "a"), pair("b", "c")]
    (story,) = build_stories(articles, pairs)
    assert story.original == "b"


def test_a_chain_has_its_head_as_original() -> None:
    articles = [art("a"), art("b"), art("c")]
    (story,) = build_stories(articles, [pair("c", "b"), pair("b", "a")])
    assert story.original == "c"


def test_undirected_edges_do_not_make_roots() -> None:
    articles = [art("a"), art("b"), art("c")]
    # a -> b is known; b ? c is not, so c is no root, and a stays the only one
    (story,) = build_stories(articles, [pair("a", "b"), pair("c", "b", "unknown")])
    assert story.original == "a"
    (story,) = build_stories(articles, [pair("a", "b", "unknown"), pair("c", "b", "unknown")])
    assert story.original is None


def test_two_roots_is_ambiguous() -> None:
    articles = [art("a"), art("b"), art("c")]
    (story,) = build_stories(articles, [pair("a", "c"), pair("b", "c")])
    assert story.original is None


def test_a_patchwork_of_two_dated_sources_has_no_one_original() -> None:
    # the roundup copies two earlier reports that share nothing: the earliest is not its only origin
    articles = [art("ferry", day(1)), art("power", day(2)), art("roundup", day(3))]
    pairs = [pair("ferry", "roundup"), pair("power", "roundup")]
    (story,) = build_stories(articles, pairs)
    assert story.original is None
    # the earliest shares a credited passage with the roundup, "power" is the one root left
    pairs = [pair("ferry", "roundup", "common_source"), pair("power", "roundup")]
    (story,) = build_stories(articles, pairs)
    assert story.original is None


def test_texts_following_one_outside_source_have_no_original_whatever_their_dates() -> None:
    articles = [art("national", day(1)), art("local", day(2))]
    quoted = replace(pair("national", "local", "common_source"), relation="same_story")
    (story,) = build_stories(articles, [quoted])
    assert story.original is None
    (story,) = build_stories(articles, [pair("national", "local", "common_source")])
    assert story.original is None


def test_an_earliest_member_that_nobody_copied_is_not_the_original() -> None:
    # "early" only reports the same story; the directed edges all lead from "wire"
    articles = [art("early", day(1)), art("wire", day(2)), art("copy", day(3))]
    same = replace(pair("early", "copy", "source_to_target"), relation="same_story")
    (story,) = build_stories(articles, [same, pair("wire", "copy")])
    assert story.original == "wire"


def test_a_cycle_has_no_original() -> None:
    articles = [art("a"), art("b")]
    (story,) = build_stories(articles, [pair("a", "b"), pair("b", "a")])
    assert story.original is None


def test_partly_dated_stories_fall_back_to_edges() -> None:
    # c is the earliest dated, but a has no date: the edges decide
    articles = [art("a"), art("b", day(5)), art("c", day(1))]
    (story,) = build_stories(articles, [pair("a", "b"), pair("a", "c")])
    assert story.original == "a"
    (story,) = build_stories(articles, [pair("a", "b"), pair("c", "b")])
    assert story.original is None


def test_a_tie_for_earliest_falls_back_to_edges() -> None:
    articles = [art("a", day(1)), art("b", day(1)), art("c", day(2))]
    (story,) = build_stories(articles, [pair("b", "a"), pair("b", "c")])
    assert story.original == "b"
    (story,) = build_stories(articles, [pair("a", "c", "unknown"), pair("b", "c", "unknown")])
    assert story.original is None


def test_label_is_the_original_title() -> None:
    articles = [art("a", title="First seen"), art("b", title="  Copied headline  ")]
    (story,) = build_stories(articles, [pair("b", "a")])
    assert story.original == "b"
    assert story.label == "Copied headline"


def test_label_falls_back_to_the_first_words() -> None:
    words = [f"word{i}" for i in range(LABEL_WORDS + 5)]
    articles = [art("a", text="  " + "\n".join(words)), art("b")]
    (story,) = build_stories(articles, [pair("a", "b")])
    assert story.label == " ".join(words[:LABEL_WORDS]) + " ..."


def test_short_text_label_has_no_ellipsis() -> None:
    articles = [art("a", text="Short piece."), art("b")]
    (story,) = build_stories(articles, [pair("a", "b")])
    assert story.label == "Short piece."


def test_label_of_a_story_without_original_comes_from_its_first_member() -> None:
    articles = [art("a", title="Headline A"), art("b", title="Headline B")]
    (story,) = build_stories(articles, [pair("b", "a", "unknown")])
    assert story.original is None
    assert story.label == "Headline A"
    # a headline rather than the first words of an untitled text (a checked page, maybe spun)
    articles = [art("checked", text="Like umteen people on the north bank"), art("b", title="B")]
    (story,) = build_stories(articles, [pair("b", "checked", "unknown")])
    assert story.label == "B"


# --- originals from credits, common sources ----------------------------------------------------




def test_the_member_the_others_credit_is_the_original_even_if_dated_later() -> None:
    articles = [art("copy1", day(1)), art("copy2", day(2)), art("bbc", day(3))]
    articles[2].source = "BBC News"
    clues = {"copy1": Clues(credits=["BBC"]), "copy2": Clues(credits=["BBC"]), "bbc": Clues()}
    pairs = [pair("copy1", "copy2"), pair("copy1", "bbc", "unknown")]
    (story,) = build_stories(articles, pairs, clues)
    assert story.original == "bbc"
    assert story.common_source is None


@pytest.mark.parametrize(("crediting", "original"), [(4, "wire"), (3, "copy0")])
def test_the_credited_member_needs_more_than_half_the_others(crediting: int, original: str) -> None:
    copies = [art(f"copy{i}", day(1)) for i in range(6)]
    wire = art("wire", day(2))  # the copies are dated earlier: dates alone name copy0
    wire.source = "Wire"
    copies[0].published = "2026-01-01T00:00:00Z"
    clues = {a.id: Clues(credits=["Wire"] if i < crediting else []) for i, a in enumerate(copies)}
    clues["wire"] = Clues()
    pairs = [pair("wire", c.id, "unknown") for c in copies]
    (story,) = build_stories([*copies, wire], pairs, clues)
    assert story.original == original


def test_members_crediting_an_absent_outlet_have_it_as_common_source() -> None:
    articles = [art("a", day(1)), art("b", day(2)), art("c", day(3))]
    articles[1].source = "Herald"  # a Herald page carrying a Reuters dateline
    clues = {
        "a": Clues(credits=["Reuters"]),
        "b": Clues(agency="Reuters"),
        "c": Clues(credits=["Sky News", "Reuters"]),
    }
    pairs = [pair("a", "b", "common_source"), pair("b", "c", "common_source")]
    (story,) = build_stories(articles, pairs, clues)
    # a is the earliest, but it credits Reuters itself: the original is not in the run
    assert (story.original, story.common_source) == (None, "Reuters")


def test_a_text_under_an_agency_dateline_is_that_agencys_story() -> None:
    # no source, site or byline: "LONDON (Reuters) -" is all it says of itself
    articles = [art("wire", day(2)), art("chronicle", day(1))]
    clues = {
        "wire": Clues(agency="Reuters", credits=["Reuters"]),
        "chronicle": Clues(credits=["Reuters"]),
    }
    (story,) = build_stories(articles, [pair("wire", "chronicle")], clues)
    assert (story.original, story.common_source) == ("wire", None)


def test_one_credit_is_not_a_common_source() -> None:
    articles = [art("a"), art("b")]
    clues = {"a": Clues(credits=["Reuters"]), "b": Clues()}
    (story,) = build_stories(articles, [pair("a", "b", "unknown")], clues)
    assert story.common_source is None


# --- unique: what each member adds -------------------------------------------------------------


def test_unique_spans_are_the_text_outside_shared_passages() -> None:
    own1 = "The council met late on Tuesday and agreed a new budget for the town."
    shared = "The river burst its banks before dawn and closed the main bridge for days."
    own2 = "Residents queued outside the hall to hear what would happen to the library."
    text = f"{own1}\n\n{shared} {own2}\n"
    doc = clean_article(Article("x", text))
    start = text.index(shared)
    spans = unique_spans(doc, [(start, start + len(shared))])
    assert [text[s.start : s.end] for s in spans] == [own1, own2]


def test_short_leftovers_between_passages_are_not_additions() -> None:
    a = "The river burst its banks before dawn and closed the main bridge for days"
    b = "Residents queued outside the hall to hear what would happen to the library"
    text = f"{a}, said one official. {b}."
    doc = clean_article(Article("x", text))
    spans = unique_spans(doc, [(0, len(a)), (text.index(b), len(text))])
    assert spans == []
    assert len(", said one official. ") < MIN_UNIQUE_CHARS


def test_removed_text_is_never_an_addition() -> None:
    body = "The river burst its banks before dawn and closed the main bridge for days."
    footer = "Read more stories like this one on our website and follow us for updates."
    doc = clean_article(Article("x", f"{body}\n\nLATEST DEVELOPMENTS:\n- {footer}\n"))
    assert doc.removed, "the link list is removed"
    spans = unique_spans(doc, [])
    assert spans and spans[0].start == 0
    kept = [(s.start, s.end) for s in spans]
    for start, end in kept:
        assert all(end <= r.start or start >= r.end for r in doc.removed)


def test_seed_002_adds_the_arrival_figures_and_the_home_office_statement(
    seeds_dir: Path, seed_ids: dict[str, str]
) -> None:
    result = scan(seeds_dir)
    report = next(r for r in result.articles if r.article.id == seed_ids["002"])
    assert report.unique
    text = report.article.text
    added = " ".join(text[s.start : s.end] for s in report.unique)
    assert "36,956" in added
    assert "The Home Office described France" in added
    # the sentences it shares with 000 are not additions
    assert "intervene more forcefully at sea" not in added
    outside = [r for r in result.articles if r.story is None]
    assert outside and all(r.unique is None for r in outside)


def test_a_plain_date_on_the_same_day_is_not_the_earliest() -> None:
    articles = [
        art("dated", "2026-03-14"), art("timed", "2026-03-14T06:10:00Z"), art("late", "2026-03-20")
    ]
    pairs = [pair("timed", "dated", "unknown"), pair("timed", "late")]
    (story,) = build_stories(articles, pairs)
    # "dated" is not earlier than "timed" for sure; the edges make "timed" the only root
    assert story.original == "timed"
