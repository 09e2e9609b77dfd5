"""copydesk.synthetic: seeded corpora whose truth is exact, and the scorer that uses it."""

from __future__ import annotations

from collections import defaultdict

import pytest

from copydesk.model import Pair, Passage
from copydesk.read import parse_date
from copydesk.synthetic import SyntheticCorpus, TruthPassage, evaluate, make_corpus

SMALL = {"n_articles": 14, "words": (60, 120)}


@pytest.fixture(scope="module")
def corpus() -> SyntheticCorpus:
    return make_corpus(seed=7, **SMALL)


@pytest.fixture(scope="module")
def edited_corpus() -> SyntheticCorpus:
    return make_corpus(seed=7, edit_rate=0.15, **SMALL)


def as_pairs(truth: list[TruthPassage]) -> list[Pair]:
    """The truth as a scan would report it: one Pair per (source, target), its passages."""
    grouped: dict[tuple[str, str], list[Passage]] = defaultdict(list)
    for t in truth:
        grouped[(t.source, t.target)].append(Passage(t.source_span, t.target_span, t.kind, 1.0))
    return [
        Pair(s, t, "copy", "source_to_target", 1.0, 1.0, 1.0, ps) for (s, t), ps in grouped.items()
    ]


def snapshot(c: SyntheticCorpus) -> tuple:
    return (
        [(a.id, a.text, a.source, a.published) for a in c.articles],
        [(t.source, t.target, t.source_span, t.target_span, t.kind) for t in c.truth],
    )


# ---------------------------------------------------------------------------------------------
# make_corpus


def test_same_seed_gives_the_same_corpus(corpus: SyntheticCorpus) -> None:
    again = make_corpus(seed=7, **SMALL)
    assert snapshot(again) == snapshot(corpus)


def test_same_seed_with_edits_gives_the_same_corpus(edited_corpus: SyntheticCorpus) -> None:
    assert snapshot(make_corpus(seed=7, edit_rate=0.15, **SMALL)) == snapshot(edited_corpus)


def test_different_seeds_give_different_texts(corpus: SyntheticCorpus) -> None:
    other = make_corpus(seed=8, **SMALL)
    texts = {a.text for a in corpus.articles}
    assert texts.isdisjoint(a.text for a in other.articles)
    assert {a.id for a in corpus.articles}.isdisjoint(a.id for a in other.articles)


def test_corpus_shape(corpus: SyntheticCorpus) -> None:
    assert len(corpus.articles) == SMALL["n_articles"]
    ids = [a.id for a in corpus.articles]
    assert len(set(ids)) == len(ids)
    assert corpus.truth, "a seeded corpus with reuse_share=0.5 should contain reuse"
    assert all(a.text.strip() for a in corpus.articles)
    # dates are one hour apart, in id order
    dates = [parse_date(a.published) for a in corpus.articles]
    assert all(d is not None for d in dates)
    assert dates == sorted(dates) and len(set(dates)) == len(dates)


def test_truth_pairs_are_unordered_and_cover_the_truth(corpus: SyntheticCorpus) -> None:
    assert corpus.truth_pairs == {tuple(sorted((t.source, t.target))) for t in corpus.truth}
    assert all(a < b for a, b in corpus.truth_pairs)


@pytest.mark.parametrize("which", ["corpus", "edited_corpus"])
def test_truth_spans_lie_inside_both_texts(which: str, request: pytest.FixtureRequest) -> None:
    c: SyntheticCorpus = request.getfixturevalue(which)
    texts = {a.id: a.text for a in c.articles}
    for t in c.truth:
        for aid, (start, end) in ((t.source, t.source_span), (t.target, t.target_span)):
            assert 0 <= start < end <= len(texts[aid]), (t, len(texts[aid]))
            piece = texts[aid][start:end]
            assert piece == piece.strip()
        # a span runs from a sentence's start to a sentence's end (edits may drop the last word)
        assert texts[t.source][t.source_span[1] - 1] == "."
        before = texts[t.source][: t.source_span[0]]
        assert before == "" or before.endswith((". ", ".\n\n"))


def test_the_source_is_published_before_its_reuse(corpus: SyntheticCorpus) -> None:
    published = {a.id: parse_date(a.published) for a in corpus.articles}
    for t in corpus.truth:
        assert published[t.source] < published[t.target]


def test_verbatim_truth_has_the_same_words_on_both_sides(corpus: SyntheticCorpus) -> None:
    texts = {a.id: a.text for a in corpus.articles}
    for t in corpus.truth:
        assert t.kind == "verbatim"
        source = texts[t.source][t.source_span[0] : t.source_span[1]]
        target = texts[t.target][t.target_span[0] : t.target_span[1]]
        assert source.split() == target.split()
        assert texts[t.target][t.target_span[1] - 1] == "."


def test_verbatim_truth_is_the_same_text_on_both_sides(corpus: SyntheticCorpus) -> None:
    texts = {a.id: a.text for a in corpus.articles}
    for t in corpus.truth:
        source = texts[t.source][t.source_span[0] : t.source_span[1]]
        target = texts[t.target][t.target_span[0] : t.target_span[1]]
        assert source == target, (t, source, target)


def test_edited_truth_is_marked_and_differs(edited_corpus: SyntheticCorpus) -> None:
    texts = {a.id: a.text for a in edited_corpus.articles}
    assert edited_corpus.truth
    assert all(t.kind == "edited" for t in edited_corpus.truth)
    changed = [
        t
        for t in edited_corpus.truth
        if texts[t.source][slice(*t.source_span)] != texts[t.target][slice(*t.target_span)]
    ]
    assert changed, "edit_rate=0.15 should change at least one copied passage"


def test_a_whole_copy_ends_with_the_source_text() -> None:
    c = make_corpus(n_articles=8, seed=3, kinds=("copy",), words=(40, 80))
    texts = {a.id: a.text for a in c.articles}
    assert c.truth_pairs
    for source, target in c.truth_pairs:
        assert texts[target].endswith("\n\n" + texts[source])


def test_partial_reuse_is_one_passage_per_pair() -> None:
    c = make_corpus(n_articles=8, seed=3, kinds=("partial",), words=(40, 80))
    assert c.truth
    per_pair: dict[tuple[str, str], int] = defaultdict(int)
    for t in c.truth:
        per_pair[(t.source, t.target)] += 1
    assert set(per_pair.values()) == {1}


def test_no_reuse_share_means_no_truth() -> None:
    c = make_corpus(n_articles=5, seed=1, reuse_share=0.0, words=(40, 80))
    assert c.truth == [] and c.truth_pairs == set()


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown reuse kind"):
        make_corpus(n_articles=6, seed=1, kinds=("bogus",), reuse_share=1.0, words=(40, 80))


# ---------------------------------------------------------------------------------------------
# evaluate


def test_the_truth_scores_perfectly(corpus: SyntheticCorpus) -> None:
    score = evaluate(corpus, as_pairs(corpus.truth))
    assert score.precision == pytest.approx(1.0)
    assert score.recall == pytest.approx(1.0)
    assert score.pair_precision == 1.0 and score.pair_recall == 1.0
    assert score.f1 == pytest.approx(1.0)


def test_pairs_reported_the_other_way_round_still_count(corpus: SyntheticCorpus) -> None:
    swapped = [
        Pair(p.target, p.source, p.relation, p.direction, p.score, 1.0, 1.0,
             [q.swapped() for q in p.passages])
        for p in as_pairs(corpus.truth)
    ]  # fmt: skip
    score = evaluate(corpus, swapped)
    assert score.precision == pytest.approx(1.0)
    assert score.recall == pytest.approx(1.0)


def test_dropping_half_the_passages_lowers_recall_only(corpus: SyntheticCorpus) -> None:
    kept = corpus.truth[::2]
    assert len(kept) < len(corpus.truth)
    score = evaluate(corpus, as_pairs(kept))
    assert score.precision == pytest.approx(1.0)
    assert 0.0 < score.recall < 1.0
    assert score.pair_precision == 1.0


def test_finding_nothing_has_zero_recall(corpus: SyntheticCorpus) -> None:
    score = evaluate(corpus, [])
    assert score.recall == 0.0 and score.pair_recall == 0.0
    assert score.f1 == 0.0


def test_false_pairs_lower_precision(corpus: SyntheticCorpus) -> None:
    truth_pairs = corpus.truth_pairs
    ids = [a.id for a in corpus.articles]
    a, b = next(
        (x, y) for x in ids for y in ids if x < y and (x, y) not in truth_pairs
    )  # an unrelated pair
    wrong = Pair(a, b, "copy", "source_to_target", 1.0, 1.0, 1.0,
                 [Passage((0, 50), (0, 50), "verbatim", 1.0)])  # fmt: skip
    score = evaluate(corpus, as_pairs(corpus.truth) + [wrong])
    assert score.recall == pytest.approx(1.0)
    assert score.precision < 1.0
    assert score.pair_precision < 1.0
    assert score.pair_recall == 1.0


def test_overreaching_passages_lower_precision(corpus: SyntheticCorpus) -> None:
    texts = {a.id: a.text for a in corpus.articles}
    # a reuse whose target has material of its own around the copied passages
    t = max(
        corpus.truth, key=lambda x: len(texts[x.target]) - (x.target_span[1] - x.target_span[0])
    )
    assert len(texts[t.target]) > 2 * (t.target_span[1] - t.target_span[0])
    # the right pair, but a passage stretched over the whole of both texts
    whole = Passage((0, len(texts[t.source])), (0, len(texts[t.target])), "edited", 0.5)
    pairs = as_pairs(corpus.truth) + [
        Pair(t.source, t.target, "copy", "source_to_target", 1.0, 1.0, 1.0, [whole])
    ]
    score = evaluate(corpus, pairs)
    assert score.recall == pytest.approx(1.0)
    assert score.pair_precision == 1.0
    assert score.precision < 1.0


# ---------------------------------------------------------------------------------------------
# rewritten reuse: the same sentences in other words


@pytest.fixture(scope="module")
def rewritten() -> SyntheticCorpus:
    return make_corpus(n_articles=16, seed=9, kinds=("rewritten",), words=(80, 160))


def _trigrams(text: str) -> set[tuple[str, ...]]:
    words = text.lower().replace(".", "").split()
    return {tuple(words[i : i + 3]) for i in range(len(words) - 2)}


def test_rewritten_truth_is_marked_and_lies_inside_both_texts(rewritten: SyntheticCorpus) -> None:
    texts = {a.id: a.text for a in rewritten.articles}
    assert rewritten.truth
    assert all(t.kind == "paraphrase" for t in rewritten.truth)
    for t in rewritten.truth:
        for aid, (start, end) in ((t.source, t.source_span), (t.target, t.target_span)):
            piece = texts[aid][start:end]
            assert 0 <= start < end <= len(texts[aid])
            assert piece == piece.strip() and piece.endswith(".")
            assert start == 0 or texts[aid][start - 2 : start] == "\n\n"  # whole paragraphs


def test_rewritten_passages_share_few_word_trigrams(rewritten: SyntheticCorpus) -> None:
    texts = {a.id: a.text for a in rewritten.articles}
    shares = []
    for t in rewritten.truth:
        source = _trigrams(texts[t.source][slice(*t.source_span)])
        target = _trigrams(texts[t.target][slice(*t.target_span)])
        shares.append(len(source & target) / max(1, len(source)))
    # verbatim copies share all their trigrams; rewrites keep only scattered ones
    assert sum(shares) / len(shares) < 0.35


def test_rewritten_keeps_numbers_and_many_content_words(rewritten: SyntheticCorpus) -> None:
    texts = {a.id: a.text for a in rewritten.articles}
    kept = []
    for t in rewritten.truth:
        source = texts[t.source][slice(*t.source_span)].lower().replace(".", "").split()
        target = set(texts[t.target][slice(*t.target_span)].lower().replace(".", "").split())
        assert {w for w in source if w.isdigit()} <= target
        kept.append(sum(w in target for w in source) / len(source))
    assert 0.4 < sum(kept) / len(kept) < 0.9


def test_same_seed_gives_the_same_rewrites(rewritten: SyntheticCorpus) -> None:
    again = make_corpus(n_articles=16, seed=9, kinds=("rewritten",), words=(80, 160))
    assert snapshot(again) == snapshot(rewritten)


def test_rewrite_rate_leaves_other_kinds_alone(corpus: SyntheticCorpus) -> None:
    assert snapshot(make_corpus(seed=7, rewrite_rate=0.9, **SMALL)) == snapshot(corpus)


def test_a_higher_rewrite_rate_changes_more_words() -> None:
    def kept_share(rate: float) -> float:
        c = make_corpus(12, seed=2, kinds=("rewritten",), words=(80, 160), rewrite_rate=rate)
        texts = {a.id: a.text for a in c.articles}
        shares = []
        for t in c.truth:
            source = texts[t.source][slice(*t.source_span)].split()
            target = set(texts[t.target][slice(*t.target_span)].split())
            shares.append(sum(w in target for w in source) / len(source))
        return sum(shares) / len(shares)

    assert kept_share(0.6) < kept_share(0.2)
