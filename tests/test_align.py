"""copydesk.align: seed, extend, merge, on small texts whose shared passages are known."""

from __future__ import annotations

import random
import re
import time
from difflib import Match, SequenceMatcher

import numpy as np
import pytest

from copydesk.align import (
    _ABBREVIATIONS,
    _BOUNDARY_RE,
    LONG_MATCH,
    MAX_SEED_REPEATS,
    _fragments,
    _sentence_ends,
    align_paraphrases,
    align_passages,
    align_words,
    matching_blocks,
    sentence_bounds,
    sentence_openings,
)
from copydesk.clean import clean_article, clean_articles
from copydesk.model import Article, CleanArticle

WORD_RE = re.compile(r"[^\W_]+")


def words(tag: str, n: int) -> list[str]:
    """`n` words found in no other call's output: tag0, tag1, ..."""
    return [f"{tag}{i}" for i in range(n)]


def clean(text: str, aid: str = "x") -> CleanArticle:
    return clean_article(Article(aid, text))


def first_to_last_word(passage: str) -> str:
    """`passage` trimmed to run from its first word to its last (punctuation around dropped)."""
    found = list(WORD_RE.finditer(passage))
    return passage[found[0].start() : found[-1].end()]


COPIED = (
    "The regional transport minister told reporters on Tuesday that the northern rail extension "
    "would open in the spring of 2027, almost two years later than planned, because tunnelling "
    "costs had risen sharply."
)
SOURCE_TEXT = (
    "Flooding closed three bridges across the valley overnight, and emergency crews worked "
    "until dawn to clear fallen trees from the main road.\n\n"
    + COPIED
    + "\n\nLocal shopkeepers complained bitterly about lost trade during the long closures."
)
TARGET_TEXT = (
    "Opposition councillors demanded an inquiry yesterday into spending by the infrastructure "
    "agency, calling its accounts opaque. " + COPIED + " Critics described this delay as "
    "embarrassing for a government elected on promises of quick delivery."
)
#: a second text sharing nothing with SOURCE_TEXT
UNRELATED_TEXT = (
    "Scientists at a marine laboratory have recorded whales singing unusual songs near polar ice, "
    "suggesting migrating pods may be adapting their calls. Researchers plan further voyages "
    "next winter, hoping underwater microphones capture longer recordings."
)

# ---------------------------------------------------------------------------------------------
# align_words: word indices


def test_identical_word_lists_give_one_verbatim_passage_over_everything() -> None:
    text = words("w", 50)
    found = align_words(text, list(text))
    assert len(found) == 1
    p = found[0]
    assert (p.a0, p.a1, p.b0, p.b1) == (0, 50, 0, 50)
    assert p.verbatim
    assert p.similarity == 1.0
    assert p.matched == 50


def test_copied_run_in_the_middle_is_found_at_its_word_indices() -> None:
    shared = words("s", 30)
    a = words("a", 40) + shared + words("aa", 40)
    b = words("b", 25) + shared + words("bb", 25)
    found = align_words(a, b)
    assert [(p.a0, p.a1, p.b0, p.b1) for p in found] == [(40, 70, 25, 55)]
    assert found[0].verbatim


def _edited(kind: str, shared: list[str]) -> list[str]:
    edited = list(shared)
    if kind == "substitution":
        edited[15] = "changed"
    elif kind == "insertion":
        edited.insert(15, "inserted")
    else:
        del edited[15]
    return edited


@pytest.mark.parametrize("kind", ["substitution", "insertion", "deletion"])
def test_one_word_edit_inside_a_passage_keeps_one_edited_passage(kind: str) -> None:
    shared = words("s", 30)
    a = words("a", 20) + shared + words("aa", 20)
    b = words("b", 20) + _edited(kind, shared) + words("bb", 20)
    found = align_words(a, b)
    assert len(found) == 1, found
    p = found[0]
    assert not p.verbatim
    assert 0.8 < p.similarity < 1.0
    # the passage spans the whole shared run on both sides, not just one half of it
    assert (p.a0, p.a1) == (20, 50)
    assert (p.b0, p.b1) == (20, 20 + len(_edited(kind, shared)))


def test_a_passage_does_not_reach_across_a_long_gap_to_a_stray_match() -> None:
    # A copied run, then nine words apart on each side, then "the u s" in both: merging bridges
    # the gap (max_gap 12), but the passage ends with the run.
    shared = words("s", 10)
    stray = ["the", "u", "s"]
    a = words("a", 10) + shared + words("aa", 9) + stray + words("aaa", 10)
    b = words("b", 10) + shared + words("bb", 11) + stray + words("bbb", 10)
    found = align_words(a, b)
    assert [(p.a0, p.a1, p.b0, p.b1) for p in found] == [(10, 20, 10, 20)]
    assert found[0].similarity == 1.0
    assert found[0].verbatim  # what is left is one exact run
    # A few words changed between runs are bridged as before.
    b = words("b", 10) + shared + words("bb", 2) + a[22:32] + words("bbb", 10)
    found = align_words(a, b)
    assert [(p.a0, p.a1, p.b0, p.b1) for p in found] == [(10, 32, 10, 32)]


def test_a_loose_passage_needs_an_exact_run_of_five_words() -> None:
    # Two reports of one event sharing only short phrases of its vocabulary ("role in the",
    # "a citizenship question", "the court"): similarity 0.64, no run of five words. Not reuse.
    a = "role in the plan made by the mayor to add a citizenship question as the court said"
    b = "role in the wider effort by officials to put a citizenship question while the court ruled"
    padded_a = words("a", 10) + a.split() + words("aa", 10)
    assert align_words(padded_a, words("b", 10) + b.split()) == []
    # With a run of seven ("a citizenship question as the court said") it is reuse.
    b = "role in the wider effort by officials to put a citizenship question as the court said"
    found = align_words(padded_a, words("b", 10) + b.split())
    assert len(found) == 1 and 0.7 < found[0].similarity < 0.75


def test_a_clause_inserted_into_one_text_stays_bridged() -> None:
    # "officials said the bridge [, shut since a lorry struck it last friday ,] would reopen in
    # march after repairs": a gap in one text only is an insertion, not different text.
    sentence = "officials said the bridge would reopen in march after repairs".split()
    clause = "shut since a lorry struck it last friday and".split()
    a = words("a", 15) + sentence + words("aa", 15)
    b = words("b", 3) + sentence[:4] + clause + sentence[4:] + words("bb", 12)
    found = align_words(a, b)
    assert [(p.a0, p.a1, p.b0, p.b1) for p in found] == [(15, 25, 3, 22)]
    assert not found[0].verbatim and 0.6 < found[0].similarity < 0.7


def test_reordered_runs_stay_separate_passages_with_crossed_indices() -> None:
    first, second = words("p", 20), words("q", 20)
    a = first + words("a", 5) + second
    b = second + words("b", 5) + first
    found = align_words(a, b)
    assert [(p.a0, p.a1, p.b0, p.b1) for p in found] == [(0, 20, 25, 45), (25, 45, 0, 20)]


def test_short_runs_need_a_lower_min_words() -> None:
    a = words("a", 10) + words("s", 5) + words("aa", 10)
    b = words("b", 10) + words("s", 5) + words("bb", 10)
    assert align_words(a, b) == []
    found = align_words(a, b, min_words=4)
    assert [(p.a0, p.a1, p.b0, p.b1) for p in found] == [(10, 15, 10, 15)]


def test_nothing_shared_gives_nothing() -> None:
    assert align_words(words("a", 100), words("b", 100)) == []
    assert align_words([], words("b", 10)) == []


def test_breaks_cut_an_otherwise_continuous_run() -> None:
    a = words("s", 40)
    whole = align_words(a, list(a))
    assert len(whole) == 1
    cut = align_words(a, list(a), a_breaks=[20])
    assert [(p.a0, p.a1) for p in cut] == [(0, 20), (20, 40)]
    cut_b = align_words(a, list(a), b_breaks=[20])
    assert [(p.b0, p.b1) for p in cut_b] == [(0, 20), (20, 40)]


def test_one_word_repeated_thousands_of_times_is_fast_and_quiet() -> None:
    start = time.perf_counter()
    found = align_words(["again"] * 5000, ["again"] * 5000)
    elapsed = time.perf_counter() - start
    assert found == []  # a stock phrase everywhere is not evidence of reuse
    assert elapsed < 2.0


def test_stock_phrase_repeats_do_not_hide_a_real_passage() -> None:
    shared = words("s", 30)
    a = ["again"] * 3000 + shared
    b = ["again"] * 3000 + words("b", 10) + shared
    start = time.perf_counter()
    found = align_words(a, b)
    assert time.perf_counter() - start < 2.0
    assert [(p.a0, p.a1, p.b0, p.b1) for p in found] == [(3000, 3030, 3010, 3040)]


# ---------------------------------------------------------------------------------------------
# align_passages: character offsets into the texts as read


def test_identical_texts_give_one_verbatim_passage_over_all_words() -> None:
    doc = clean(SOURCE_TEXT)
    other = clean(SOURCE_TEXT, "y")
    passages = align_passages(doc, other)
    assert len(passages) == 1
    p = passages[0]
    assert p.kind == "verbatim"
    assert p.similarity == 1.0
    expected = (doc.starts[0], doc.ends[-1])
    assert p.source == expected and p.target == expected
    assert SOURCE_TEXT[p.source[0] : p.source[1]] == first_to_last_word(SOURCE_TEXT)


def test_copied_passage_offsets_give_exactly_the_copied_words() -> None:
    passages = align_passages(clean(SOURCE_TEXT), clean(TARGET_TEXT, "y"))
    assert len(passages) == 1
    p = passages[0]
    assert p.kind == "verbatim"
    expected = first_to_last_word(COPIED)  # "The regional ... risen sharply" (no full stop)
    assert SOURCE_TEXT[p.source[0] : p.source[1]] == expected
    assert TARGET_TEXT[p.target[0] : p.target[1]] == expected
    assert p.source == (SOURCE_TEXT.index(COPIED), SOURCE_TEXT.index(COPIED) + len(expected))
    assert p.target[0] == TARGET_TEXT.index(COPIED)


def test_edited_copy_is_one_edited_passage_in_character_offsets() -> None:
    edited = COPIED.replace("told reporters", "informed reporters")
    target = "Breaking news from the capital. " + edited + " More follows."
    passages = align_passages(clean(SOURCE_TEXT), clean(target, "y"))
    assert len(passages) == 1
    p = passages[0]
    assert p.kind == "edited"
    assert 0.8 < p.similarity < 1.0
    assert target[p.target[0] : p.target[1]] == first_to_last_word(edited)
    assert SOURCE_TEXT[p.source[0] : p.source[1]] == first_to_last_word(COPIED)


def test_reordered_paragraphs_give_two_passages_with_crossed_offsets() -> None:
    one = (
        "Harbour authorities confirmed that a container vessel ran aground near the eastern pier "
        "shortly after midnight, spilling diesel into shallow water."
    )
    two = (
        "Wildlife volunteers gathered along nearby beaches at sunrise, rescuing oiled seabirds "
        "and carrying them to a temporary cleaning station."
    )
    source = one + "\n\n" + two
    target = two + "\n\n" + one
    passages = align_passages(clean(source), clean(target, "y"))
    assert len(passages) == 2
    by_source = sorted(passages, key=lambda p: p.source)
    first, second = by_source
    assert source[first.source[0] : first.source[1]] == first_to_last_word(one)
    assert target[first.target[0] : first.target[1]] == first_to_last_word(one)
    assert source[second.source[0] : second.source[1]] == first_to_last_word(two)
    assert target[second.target[0] : second.target[1]] == first_to_last_word(two)
    # crossed: the first paragraph of the source is the second of the target
    assert first.source[0] == 0 and second.target[0] == 0
    assert first.target[0] > second.target[1]
    assert all(p.kind == "verbatim" for p in passages)


def test_short_shared_phrase_needs_a_lower_min_words() -> None:
    source = "Witnesses saw a bright green meteor streak across evening skies above farmland."
    target = "Police dismissed claims about bright green meteor streak sightings as pranks."
    assert align_passages(clean(source), clean(target, "y")) == []
    found = align_passages(clean(source), clean(target, "y"), min_words=4)
    assert len(found) == 1
    p = found[0]
    assert source[p.source[0] : p.source[1]] == "bright green meteor streak"
    assert target[p.target[0] : p.target[1]] == "bright green meteor streak"


def test_unrelated_texts_share_no_passage() -> None:
    assert align_passages(clean(SOURCE_TEXT), clean(UNRELATED_TEXT, "y")) == []


def test_a_passage_does_not_run_across_removed_text() -> None:
    one = (
        "The city council voted late on Monday to ban private cars from the historic centre "
        "from next summer, after months of heated debate among residents."
    )
    two = (
        "Delivery vans will still be allowed in the early morning, and residents with permits "
        "may park in designated zones outside the old walls."
    )
    links = (
        "LATEST NEWS:\n- Mayor unveils new cycling strategy\n- Bus fares frozen for another year"
    )
    with_list = one + "\n\n" + links + "\n\n" + two
    without = one + "\n\n" + two
    docs = clean_articles([Article("a", with_list), Article("b", without)])
    list_start = with_list.index("LATEST NEWS:")
    list_end = list_start + len(links)
    assert any(s.start <= list_start and list_end <= s.end for s in docs[0].removed)
    passages = align_passages(docs[0], docs[1])
    assert len(passages) == 2
    for p in passages:
        assert not (p.source[0] < list_end and list_start < p.source[1]), p
        assert "LATEST" not in with_list[p.source[0] : p.source[1]]
    spans = sorted(with_list[p.source[0] : p.source[1]] for p in passages)
    assert spans == sorted([first_to_last_word(one), first_to_last_word(two)])
    # the same holds with the articles the other way round (the break is on the target side)
    swapped = align_passages(docs[1], docs[0])
    assert len(swapped) == 2
    for p in swapped:
        assert not (p.target[0] < list_end and list_start < p.target[1]), p


# ---------------------------------------------------------------------------------------------
# align_paraphrases: the same text in other words (more in test_paraphrase.py)


def test_paraphrase_passages_do_not_run_across_removed_text() -> None:
    one = (
        "The city council voted late on Monday to ban private cars from the historic centre "
        "from next summer, after months of heated debate among residents."
    )
    one_reworded = (
        "After months of fierce argument among locals, councillors decided on Monday evening "
        "that private cars will be banned from the historic centre starting next summer."
    )
    two = (
        "Delivery vans will still be allowed in the early morning, and residents with permits "
        "may park in designated zones outside the old walls."
    )
    two_reworded = (
        "Residents holding permits may still park in marked zones beyond the old walls, and "
        "delivery vans will keep early-morning access."
    )
    links = "LATEST NEWS:\n- Mayor unveils new cycling strategy\n- Bus fares frozen again"
    with_list = one + "\n\n" + links + "\n\n" + two
    reworded = one_reworded + "\n\n" + two_reworded
    docs = clean_articles([Article("a", with_list), Article("b", reworded)])
    assert align_passages(docs[0], docs[1]) == []
    found = align_paraphrases(docs[0], docs[1])
    assert len(found) == 2
    list_start = with_list.index("LATEST NEWS:")
    list_end = list_start + len(links)
    for p in found:
        assert p.kind == "paraphrase"
        assert not (p.source[0] < list_end and list_start < p.source[1]), p
    assert [with_list[slice(*p.source)] for p in found] == [
        first_to_last_word(one),
        first_to_last_word(two),
    ]


def test_a_break_after_the_last_word_opens_no_sentence() -> None:
    # A copyright line is removed, then comes a paragraph without words: the removal leaves a
    # break after the last word (this crashed every scan holding such an article).
    text = (
        "Rescue boats left the harbour at dawn on Sunday and returned with forty people.\n\n"
        "© 2024 Harbour Daily\n\n.\n"
    )
    doc = clean_article(Article("a", text))
    assert doc.breaks == [len(doc.words)] and [s.reason for s in doc.removed] == ["boilerplate"]
    assert sentence_bounds(doc) == [0, len(doc.words)]
    copy = clean_article(Article("b", text))
    assert len(align_paraphrases(doc, copy)) == 1


def test_articles_read_as_one_keep_their_own_sentences() -> None:
    # Joined by line ends, no sentence runs from one article into the next, whether an
    # article ends mid-sentence, on an initial, on removed text or with no words at all.
    texts = [
        "Talks resumed in Geneva on Monday, officials said, and went on",
        "late into the night. Mr. Dunmer, who leads the team, said J.",
        "",
        "K. Rowling was not there.\n\n© 2024 Harbour Daily\n\n.\n",
        "Prices rose 3.5 percent. Wheat led",
    ]
    docs = [clean(t, f"a{i}") for i, t in enumerate(texts)]
    one_by_one = [sentence_openings([d], d.article.text, np.asarray(d.starts)) for d in docs]
    # each article's words' offsets into the joined text
    bases = np.cumsum([0] + [len(d.article.text) + 1 for d in docs[:-1]])
    starts = np.concatenate([np.asarray(d.starts) + b for d, b in zip(docs, bases, strict=True)])
    read_as_one = sentence_openings(docs, "\n".join(d.article.text for d in docs), starts)
    assert read_as_one.tolist() == np.concatenate(one_by_one).tolist()
    for doc, opens in zip(docs, one_by_one, strict=True):
        assert sentence_bounds(doc) == [*np.flatnonzero(opens).tolist(), len(doc.words)]
    # An initial does not end the sentence; a full stop after a word does.
    assert sentence_bounds(docs[1]) == [0, 4, len(docs[1].words)] == [0, 4, 12]


def _plain_fragments(a: list[str], b: list[str], k: int) -> list[tuple[int, int, int, int]]:
    """Every k-gram of `b` found in `a` (at most `MAX_SEED_REPEATS` times there), as (i, j);
    runs of them on one diagonal that touch, chained: (a0, a1, b0, b1) by diagonal, then a0."""
    places: dict[tuple[str, ...], list[int]] = {}
    for i in range(len(a) - k + 1):
        places.setdefault(tuple(a[i : i + k]), []).append(i)
    seeds = sorted(
        ((j - i, i) for j in range(len(b) - k + 1)
         for i in places.get(tuple(b[j : j + k]), [])
         if len(places[tuple(b[j : j + k])]) <= MAX_SEED_REPEATS),
    )  # fmt: skip
    runs: list[list[int]] = []  # [diagonal, a0, a1]
    for diagonal, i in seeds:
        if runs and runs[-1][0] == diagonal and i <= runs[-1][2]:
            runs[-1][2] = i + k
        else:
            runs.append([diagonal, i, i + k])
    return [(a0, a1, a0 + d, a1 + d) for d, a0, a1 in runs]


def test_fragments_are_the_runs_of_shared_grams_on_each_diagonal() -> None:
    rnd = random.Random(5)
    for _ in range(3000):
        vocabulary = [f"w{x}" for x in range(rnd.choice([2, 4, 30]))]
        a = rnd.choices(vocabulary, k=rnd.randint(0, 50))
        # a copy of a part, edited here and there, or a text of its own
        b = a[rnd.randint(0, len(a)) :] if rnd.random() < 0.6 else []
        b = [w if rnd.random() > 0.1 else rnd.choice(vocabulary) for w in b]
        b += rnd.choices(vocabulary, k=rnd.randint(0, 30))
        k = rnd.choice([1, 2, 3, 5])
        found = [(f.a0, f.a1, f.b0, f.b1) for f in _fragments(a, b, k)]
        assert found == _plain_fragments(a, b, k), (a, b, k)
        assert all(f.matched == f.a1 - f.a0 for f in _fragments(a, b, k))
    # A stock phrase said over and over in one text seeds nothing.
    stock = ["in", "the", "end"] * (MAX_SEED_REPEATS + 1)
    assert _fragments(stock, ["in", "the", "end"], 3) == []


def test_a_clause_the_copy_dropped_is_not_a_paraphrase() -> None:
    # The copy ends its verbatim paragraph with the first clause of a long wire sentence and
    # drops the rest: the dropped rest is no reworded passage of the copy's last sentence.
    lead = "Crews from four counties spent the night digging fire lines above the valley town. "
    shared = (
        "Investigators have not determined the cause of the blaze near the old sawmill on Carver"
        " Road. The area had gone 38 days without measurable rain"
    )
    wire = Article(
        "wire",
        f"{lead}{shared}, and the National Weather Service issued a red flag warning for much of"
        " southwestern Idaho through Tuesday evening, predicting humidity below 10% and"
        " continued strong winds.\n\nOfficials urged residents to stay away until further notice.",
    )
    porches = "Residents watched the glow from their porches late into the night."
    copy = Article("copy", f"{porches}\n\n{lead}{shared}.")
    a, b = clean_article(wire), clean_article(copy)
    known = align_passages(a, b)
    assert [p.kind for p in known] == ["verbatim"]
    assert align_paraphrases(a, b, known=known) == []


def test_sentences_end_after_words_not_after_abbreviations_or_initials() -> None:
    text = (
        "Mr. Smith met Sen. Warren in Washington. Officials in the U.S. agreed. "
        "J. R. Doe left at 10 p.m. on Friday. They sold 2024. Prices rose!\n"
        "Another line etc. and more (really.) Then silence… Done."
    )
    doc = clean(text)
    bounds = sentence_bounds(doc)
    firsts = [doc.words[k] for k in bounds[:-1]]
    # "Mr.", "Sen.", "U.S.", "J.", "R." and "etc." end no sentence; "p.m." does ("m" is lower
    # case, not an initial); a word of five letters or more, a number, a line end and a
    # bracket closing after the point all do.
    assert firsts == ["mr", "officials", "j", "on", "they", "prices", "another", "then", "done"]


def _sentence_ends_one_by_one(text: str) -> list[int]:
    """Sentence ends as `sentence_bounds` defines them, boundary by boundary."""
    ends = []
    for match in _BOUNDARY_RE.finditer(text):
        at = match.start()
        if text[at] not in "\n\r":
            word = re.search(r"([^\W_]*)[.!?…]*$", text[max(0, at - 12) : at + 1])
            found = word.group(1) if word else ""
            if found.casefold() in _ABBREVIATIONS or (len(found) == 1 and found.isupper()):
                continue
        ends.append(match.end())
    return ends


def test_sentence_ends_found_at_once_are_those_found_one_by_one() -> None:
    # `_sentence_ends` decides on the five characters before each boundary, remembered: it must
    # end the sentences a plain scan ends, abbreviations, initials, line ends and long words
    # alike, and remembering must not carry one text's answer into another's.
    rng = random.Random(5)
    pieces = [*"ab .!?…\n\r\"')]”’\tAé1_İſ", "Mr", "mrs", "ETC", "U.S", "Dr", "J", "K", "no",
              "Sept", "Smith", "words", "12345", ". ", "...", "  ", " (really.) "]  # fmt: skip
    texts = ["", ".", "A. b", "Mr. Smith. Went", "x\n.\n. y", "J.\nK. Rowling"]
    texts += ["".join(rng.choices(pieces, k=rng.randint(1, 60))) for _ in range(4000)]
    for text in texts:
        assert _sentence_ends(text).tolist() == _sentence_ends_one_by_one(text), repr(text)


def test_matching_blocks_of_long_lists_are_difflibs() -> None:
    # Long lists are matched piece by piece, cut at runs found once in each: the blocks must be
    # those difflib finds on the whole, here with words changed, dropped and inserted.
    rng = random.Random(3)
    left = [f"w{rng.randrange(4000)}" for _ in range(5000)]
    right = list(left)
    for i in range(9, len(right), 10):
        right[i] = "changed"
    del right[2500:2530]
    right[4000:4000] = ["inserted"] * 12
    whole = SequenceMatcher(None, left, right, autojunk=False).get_matching_blocks()
    assert len(left) > LONG_MATCH
    assert matching_blocks(left, right) == [m for m in whole if m.size]
    # Lists without a run found once in each are matched whole.
    assert matching_blocks(["a", "b"] * 1500, ["a", "b"] * 1400) == [Match(0, 0, 2800)]
