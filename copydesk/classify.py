"""Measure a pair's shared passages and name its relation (the contract's vocabulary)."""

from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from functools import lru_cache

from .align import cached_sentences, matching_blocks, union_length, union_spans, weights_of
from .clean import WORD_RE, normalise_word
from .model import CleanArticle, Passage, Span

#: both sides at least this covered, and this similar: the same text twice
DUPLICATE_COVERAGE = 0.9
DUPLICATE_SIMILARITY = 0.9
#: the target at least this covered by the source's passages: a copy
COPY_COVERAGE = 0.7
#: the share of the shared text (target side) in `spun` or `paraphrase` passages that names the
#: pair after that kind of reuse
REWORDED_SHARE = 0.5
#: edited passages less similar than this count as rewritten (paraphrase) when naming a pair
REWRITTEN_SIMILARITY = 0.7
#: a pair's passages (shared quotes aside) covering less than this share of both articles, and
#: fewer words than `ScanOptions.min_reuse_words` on one side, are phrases two reports of one
#: event share ("to add a citizenship question to the census"), not reuse
INCIDENTAL_COVERAGE = 0.2


def overlap_chars(a: Iterable[tuple[int, int]], b: Iterable[tuple[int, int]]) -> int:
    """Characters that lie in both the union of spans `a` and the union of spans `b`."""
    a_union, b_union = union_spans(a), union_spans(b)
    total = 0
    j = 0
    for start, end in a_union:
        while j < len(b_union) and b_union[j][1] <= start:
            j += 1
        k = j
        while k < len(b_union) and b_union[k][0] < end:
            total += min(end, b_union[k][1]) - max(start, b_union[k][0])
            k += 1
    return total


def covered_chars(blocks: Sequence[Span], spans: Iterable[tuple[int, int]]) -> int:
    """Characters of the kept paragraphs `blocks` that fall inside any of `spans`."""
    return overlap_chars(((b.start, b.end) for b in blocks), spans)


def coverage(doc: CleanArticle, spans: Iterable[tuple[int, int]]) -> float:
    """Fraction of the article's text (after removals) inside `spans`."""
    content = doc.content_chars
    return covered_chars(doc.blocks, spans) / content if content else 0.0


def words_inside(doc: CleanArticle, spans: Iterable[tuple[int, int]]) -> int:
    """How many of the article's words start inside `spans`."""
    total = 0
    for start, end in union_spans(spans):
        total += bisect_left(doc.starts, end) - bisect_left(doc.starts, start)
    return total


def _outside(span: tuple[int, int], spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The parts of `span` outside `spans` (sorted and disjoint)."""
    parts, start = [], span[0]
    for s, e in spans:
        if e <= start:
            continue
        if s >= span[1]:
            break
        if s > start:
            parts.append((start, s))
        start = max(start, e)
    if start < span[1]:
        parts.append((start, span[1]))
    return parts


def incidental(
    a: CleanArticle, b: CleanArticle, passages: Sequence[Passage], min_reuse_words: int
) -> bool:
    """Whether a pair's passages (as aligned, before quotes are cut out of them) are too thin
    to be reuse: outside quoted speech, none holds `min_reuse_words` words on both sides and
    together they cover under `INCIDENTAL_COVERAGE` of both articles, words and coverage weighed
    by each passage's similarity (sixteen words copied word for word are reuse; sixteen with a
    third of them changed, a few stock phrases, or one statement both quote are what two
    reports of one event have alike)."""
    if not passages:
        return False
    quotes_a, quotes_b = quoted_spans(a.article.text), quoted_spans(b.article.text)
    kept_a, kept_b = _kept(a), _kept(b)
    covered_a = covered_b = 0.0
    for p in passages:
        weight = p.similarity
        in_a, in_b = _outside(p.source, quotes_a), _outside(p.target, quotes_b)
        if weight * min(words_inside(a, in_a), words_inside(b, in_b)) >= min_reuse_words:
            return False
        covered_a += weight * sum(_chars_inside(part, kept_a) for part in in_a)
        covered_b += weight * sum(_chars_inside(part, kept_b) for part in in_b)
    covered = max(covered_a / max(1, a.content_chars), covered_b / max(1, b.content_chars))
    return covered < INCIDENTAL_COVERAGE


def weighted_coverage(doc: CleanArticle, passages: Sequence[Passage], side: str) -> float:
    """Like `coverage`, each passage counted in proportion to its similarity."""
    content = doc.content_chars
    if not content:
        return 0.0
    kept = _kept(doc)
    total = 0.0
    for p in passages:
        span = p.source if side == "source" else p.target
        total += p.similarity * _chars_inside(span, kept)
    return min(1.0, total / content)


def _kept(doc: CleanArticle) -> list[tuple[int, int]]:
    """The article's kept paragraphs (`blocks`) as sorted spans apart."""
    return union_spans((b.start, b.end) for b in doc.blocks)


def name_relation(
    coverage_source: float, coverage_target: float, passages: Sequence[Passage]
) -> str:
    """The contract's relation of a pair, from how much of each side its passages cover and how
    the shared text was reused: mostly `spun` passages covering most of the target make a
    `spun_copy`, mostly rewritten ones (`paraphrase`, or `edited` below `REWRITTEN_SIMILARITY`)
    a `paraphrase`; otherwise `duplicate`, `copy` or `partial_copy` by coverage."""
    by_kind: dict[str, list[tuple[int, int]]] = {"matched": [], "spun": [], "paraphrase": []}
    for p in passages:
        # An "edited" passage this far from its source was rewritten more than edited.
        rewritten = p.kind == "edited" and p.similarity < REWRITTEN_SIMILARITY
        if p.kind == "spun":
            by_kind["spun"].append(p.target)
        elif p.kind == "paraphrase" or rewritten:
            by_kind["paraphrase"].append(p.target)
        else:
            by_kind["matched"].append(p.target)
    # Text in passages of several kinds counts once, as the closest match: a sentence paired as
    # a paraphrase around a quote copied word for word is reworded only outside the quote.
    chars = union_length(p.target for p in passages) or 1
    matched = union_spans(by_kind["matched"])
    spun = union_spans(by_kind["spun"])
    spun_chars = union_length(spun) - overlap_chars(spun, matched)
    if spun_chars / chars >= REWORDED_SHARE and coverage_target >= COPY_COVERAGE:
        # A spun copy is the source run through a spinner; spun passages next to the target's
        # own material are a partial copy (the spin score still flags the article).
        return "spun_copy"
    reworded = union_spans(by_kind["paraphrase"])
    reworded_chars = union_length(reworded) - overlap_chars(reworded, matched + spun)
    if reworded_chars / chars >= REWORDED_SHARE:
        return "paraphrase"
    lengths = [p.target[1] - p.target[0] for p in passages]
    similarity = sum(p.similarity * n for p, n in zip(passages, lengths, strict=True)) / (
        sum(lengths) or 1
    )
    if (
        min(coverage_source, coverage_target) >= DUPLICATE_COVERAGE
        and similarity >= DUPLICATE_SIMILARITY
    ):
        return "duplicate"
    if coverage_target >= COPY_COVERAGE:
        return "copy"
    return "partial_copy"


# --- quoted speech -----------------------------------------------------------------------------

#: a passage side this much inside quoted speech (on both sides) is a shared quote
QUOTE_SHARE = 0.6
#: fewest words of a quote worth reporting as a passage of its own
QUOTE_MIN_WORDS = 3
#: narration left beside a quote with fewer words ("the minister said") is dropped
NARRATION_MIN_WORDS = 6
_SPEECH_VERBS = (
    "said|says|remarked|added|explained|warned|insisted|claimed|noted|stressed|argued|admitted"
)
# Each pattern opens with its quote mark, which lets `re` skip ahead to the marks; what may not
# stand before the mark is checked after it ("(?<![\w"]")": not a word character or a quote
# mark, then this one).
QUOTE_RES = (
    re.compile(r"“[^”\n]{2,2000}”"),
    re.compile(r"\"(?<![\w\"]\")[^\"\n]{2,2000}\"(?!\w)"),
    re.compile(r"‘(?<![\w‘’']‘)[^‘\n]{2,2000}?’(?![\w])"),
    re.compile(r"«[^»\n]{2,2000}»"),
    # speech without quote marks, attributed after it: "It's a stunt, said one figure."
    re.compile(
        rf"(?m)^[^\S\n]*(?P<speech>[^\n,]{{1,300}}(?:,[^\n,]{{1,300}})*?),\s+(?:{_SPEECH_VERBS})\s"
    ),
)
#: what the last pattern must find: a text without it is not searched line by line
_SPEECH_HINT = re.compile(rf",\s+(?:{_SPEECH_VERBS})\s")


@lru_cache(maxsize=4)  # an article is compared with each of its candidates in turn
def quoted_spans(text: str) -> tuple[tuple[int, int], ...]:
    """Spans of `text` that are quoted speech: between quote marks, or a paragraph opening that
    ends in ", said ..." (sorted, apart). Remembered for the last few texts (the two of the
    pair being compared): each of its passages asks again."""
    spans = []
    for pattern in QUOTE_RES:
        if "speech" in pattern.groupindex and not _SPEECH_HINT.search(text):
            continue
        for m in pattern.finditer(text):
            if "speech" in pattern.groupindex:
                # "The finance director, Priya Castellane, said": a name, not speech, before it
                last = m["speech"].split()[-1] if m["speech"].split() else ""
                if last[:1].islower():
                    spans.append((m.start("speech"), m.end("speech")))
            else:
                spans.append((m.start(), m.end()))
    return tuple(union_spans(spans))


def _words(text: str, start: int, end: int) -> list[tuple[str, int, int]]:
    """The words of `text[start:end]` as the aligner compares them, with their offsets."""
    return [(normalise_word(m[0]), m.start(), m.end()) for m in WORD_RE.finditer(text, start, end)]


def _inside(at: int, spans: Sequence[tuple[int, int]]) -> bool:
    """Whether `at` lies in one of `spans` (sorted, apart)."""
    k = bisect_right(spans, (at, math.inf)) - 1
    return k >= 0 and at < spans[k][1]


def _chars_inside(span: tuple[int, int], spans: Sequence[tuple[int, int]]) -> int:
    """Characters of `span` inside `spans` (sorted, apart)."""
    start, end = span
    total = 0
    for s, e in spans[max(0, bisect_right(spans, (start, math.inf)) - 1) :]:
        if s >= end:
            break
        total += max(0, min(e, end) - max(s, start))
    return total


def split_quotes(
    source_text: str, target_text: str, passage: Passage, min_similarity: float = 0.5
) -> list[Passage]:
    """A `verbatim` or `edited` passage cut so that speech quoted on both sides becomes passages
    of its own with `quote=True`; the narration around it stays (short leftovers dropped).

    Each piece is measured again (a quote copied word for word is `verbatim` even inside an
    edited passage), and narration left less similar than `min_similarity` is dropped: what
    made the passage may lie all in the quote. Other passages are returned as they are."""
    if passage.kind not in ("verbatim", "edited"):
        return [passage]
    s_quotes = quoted_spans(source_text)
    t_quotes = quoted_spans(target_text)
    s_words = _words(source_text, *passage.source)
    t_words = _words(target_text, *passage.target)
    if not s_words or not t_words or not s_quotes or not t_quotes:
        return [passage]
    mapping: dict[int, int] = {}
    for block in matching_blocks([w for w, _, _ in s_words], [w for w, _, _ in t_words]):
        for k in range(block.size):
            mapping[block.a + k] = block.b + k
    # Label each source word: quoted on both sides (its match inside a quote in the target).
    labels = [
        i in mapping
        and _inside(s_words[i][1], s_quotes)
        and _inside(t_words[mapping[i]][1], t_quotes)
        for i in range(len(s_words))
    ]
    if not any(labels):
        return [passage]
    pieces: list[Passage] = []
    i = 0
    while i < len(labels):
        j = i
        while j < len(labels) and labels[j] == labels[i]:
            j += 1
        mapped = [mapping[k] for k in range(i, j) if k in mapping]
        if j - i >= (QUOTE_MIN_WORDS if labels[i] else NARRATION_MIN_WORDS) and mapped:
            t_lo = min(mapped) if labels[i] else _target_cut(mapping, i, j, len(t_words), True)
            t_hi = max(mapped) if labels[i] else _target_cut(mapping, i, j, len(t_words), False)
            matched = sum(1 for t in mapped if t_lo <= t <= t_hi)
            similarity = round(2.0 * matched / max(1, j - i + t_hi - t_lo + 1), 3)
            kind = "verbatim" if matched == j - i == t_hi - t_lo + 1 else "edited"
            if t_hi >= t_lo and (labels[i] or similarity >= min_similarity):
                pieces.append(
                    Passage(
                        (s_words[i][1], s_words[j - 1][2]),
                        (t_words[t_lo][1], t_words[t_hi][2]),
                        kind,
                        similarity,
                        quote=labels[i],
                    )
                )
        i = j
    return pieces or [passage]


def _target_cut(mapping: dict[int, int], i: int, j: int, n_target: int, first: bool) -> int:
    """Target word index where the narration piece of source words [i, j) starts (or ends):
    reaching to the neighbouring quote's match, so target words between matches are kept."""
    if first:
        before = [mapping[k] for k in range(i - 1, -1, -1) if k in mapping][:1]
        return before[0] + 1 if before else 0
    after = [mapping[k] for k in range(j, max(mapping) + 1) if k in mapping][:1]
    return after[0] - 1 if after else n_target - 1


def mark_quotes(
    source_text: str,
    target_text: str,
    passages: Sequence[Passage],
    split: bool = True,
    min_similarity: float = 0.5,
) -> list[Passage]:
    """Every passage with its shared quoted speech split out and flagged `quote=True`.

    Without `split` (for whole copies, where quotes are copied with the rest), and for reworded
    passages (`paraphrase`, `spun`: no word-for-word match tells where to cut them), a passage
    is only flagged when quoted speech makes up most of it on both sides.
    """
    s_quotes, t_quotes = quoted_spans(source_text), quoted_spans(target_text)
    out = []
    for p in passages:
        if split and p.kind in ("verbatim", "edited"):
            out.extend(split_quotes(source_text, target_text, p, min_similarity))
            continue
        s_share = _chars_inside(p.source, s_quotes) / max(1, p.source[1] - p.source[0])
        t_share = _chars_inside(p.target, t_quotes) / max(1, p.target[1] - p.target[0])
        quote = min(s_share, t_share) >= QUOTE_SHARE
        out.append(Passage(p.source, p.target, p.kind, p.similarity, quote=quote))
    return out


# --- spun copies -------------------------------------------------------------------------------


def restored_inside(doc: CleanArticle, span: tuple[int, int]) -> int:
    """How many of the article's restored (spun) words lie inside the character `span`."""
    if not doc.restored:
        return 0
    first = bisect_left(doc.starts, span[0])
    last = bisect_left(doc.starts, span[1])
    return sum(1 for i in doc.restored if first <= i < last)


def mark_spun(
    source: CleanArticle, target: CleanArticle, passages: Sequence[Passage]
) -> list[Passage]:
    """Passages that matched only once a side's spun words were restored become kind `spun`.

    A passage written alike on both sides (two copies of one spun text) matched as written:
    its kind stays."""
    if not source.restored and not target.restored:
        return list(passages)
    return [
        replace(p, kind="spun")
        if (restored_inside(source, p.source) or restored_inside(target, p.target))
        and _written_words(source, p.source) != _written_words(target, p.target)
        else p
        for p in passages
    ]


def _written_words(doc: CleanArticle, span: tuple[int, int]) -> list[str]:
    """The words of `span` as the article writes them (not as restored), normalised."""
    return [normalise_word(w) for w in WORD_RE.findall(doc.article.text, span[0], span[1])]


# --- same story --------------------------------------------------------------------------------

#: articles with no passage in common whose content words are this close report one event
SAME_STORY_SIMILARITY = 0.35


def story_similarity(a: CleanArticle, b: CleanArticle, idf: Mapping[str, float]) -> float:
    """Cosine of the two articles' tf-idf vectors of content words (names and numbers weigh
    more): how far they are about the same thing, in [0, 1]."""
    (va, squares_a), (vb, squares_b) = _cached_story_vector(a, idf), _cached_story_vector(b, idf)
    dot = sum(w * vb[t] for t, w in va.items() if t in vb)
    norm = math.sqrt(squares_a * squares_b)
    return dot / norm if norm else 0.0


#: articles whose story vectors are remembered: an article is compared with each of its
#: candidates in turn
STORY_CACHE = 128
#: a story vector and the sum of its squared weights
_Story = tuple[dict[str, float], float]
_story_cache: OrderedDict[int, tuple[CleanArticle, Mapping[str, float], _Story]] = OrderedDict()


def _cached_story_vector(doc: CleanArticle, idf: Mapping[str, float]) -> _Story:
    """`_story_vector` of the article and the sum of its squared weights, remembered."""
    cached = _story_cache.get(id(doc))
    if cached is not None and cached[0] is doc and cached[1] is idf:
        _story_cache.move_to_end(id(doc))
        return cached[2]
    vector = _story_vector(doc, idf)
    found = vector, sum(w * w for w in vector.values())
    _story_cache[id(doc)] = (doc, idf, found)
    _story_cache.move_to_end(id(doc))  # the place of another article (or idf) it replaces
    while len(_story_cache) > STORY_CACHE:
        _story_cache.popitem(last=False)
    return found


def _story_vector(doc: CleanArticle, idf: Mapping[str, float]) -> dict[str, float]:
    counts: dict[str, float] = {}
    # Words and the phrases they make ("a+b") alike: `SAME_STORY_SIMILARITY` was set with both.
    for sentence in cached_sentences(doc):
        for term, weight in sentence.terms.items():
            counts[term] = counts.get(term, 0.0) + weight
    weights = weights_of(idf, counts)
    return {t: (1.0 + math.log(c)) * weights[t] for t, c in counts.items() if c > 0}
