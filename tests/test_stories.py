"""copydesk.stories.build_stories: components, ids, originals and labels."""

from __future__ import annotations

from copydesk.model import Article, Edge, Pair
from copydesk.stories import LABEL_WORDS, build_stories


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
