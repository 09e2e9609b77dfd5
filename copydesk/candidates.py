"""Find the pairs of articles worth aligning, without comparing all pairs.

The index is the one passim made popular: every word n-gram of every article is hashed; n-grams
found in only one article say nothing, and n-grams found in very many are stock phrases or
leftover boilerplate, so only those shared by 2..`max_df` articles link articles. Two articles
sharing at least `min_shared` such n-grams are a candidate pair. This finds whole copies and a
few reused sentences inside a long article alike, which MinHash over whole documents does not.

A second, cheap signal reaches rewrites, which share few exact 5-grams: sentence sketches. Each
sentence's content words (stemmed, function words dropped, numbers normalised: the terms of the
paraphrase aligner) that are not too common in the run (document frequency up to `max_df`) are
ordered by a stable hash; the first `sketch_terms` of them are a MinHash-style sample of the
sentence, and every pair of sampled words is one sketch. Two sentences that say the same thing
keep most of their rare words (names, numbers, unusual words), so they often sample a pair in
common; unrelated sentences almost never do. Articles with at least `min_sketch_sentences`
sentence pairs sharing a sketch are candidates too.

Everything is vectorised with NumPy and keyed by stable hashes, so the same input always gives
the same candidates, in the same order, on any machine.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from itertools import combinations
from typing import Any

import numpy as np

from .align import sentence_bounds, word_term
from .model import Candidate, CleanArticle, Fingerprint

_MASK = (1 << 64) - 1
_MULTIPLIER = np.uint64(0x100000001B3)  # FNV-1a's prime: odd, so the rolling hash mixes
_word_hashes: dict[str, int] = {}


def word_hash(word: str) -> int:
    """A stable 64-bit hash of a word (the same in every process and on every machine)."""
    value = _word_hashes.get(word)
    if value is None:
        value = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")
        if len(_word_hashes) < 2_000_000:
            _word_hashes[word] = value
    return value


def ngram_hashes(words: Sequence[str], n: int) -> np.ndarray:
    """The distinct hashes of the word n-grams of `words` (sorted, uint64)."""
    hashes = np.fromiter((word_hash(w) for w in words), dtype=np.uint64, count=len(words))
    return _ngrams_of(hashes, n)


def _ngrams_of(hashes: np.ndarray, n: int) -> np.ndarray:
    """The distinct n-gram hashes of a run of word hashes (sorted)."""
    if len(hashes) < n:
        return np.empty(0, dtype=np.uint64)
    count = len(hashes) - n + 1
    combined = np.zeros(count, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for offset in range(n):
            combined = combined * _MULTIPLIER + hashes[offset : offset + count]
            # Rotate so that n-grams of the same words in another order hash apart.
            combined = (combined << np.uint64(7)) | (combined >> np.uint64(57))
    return np.unique(combined)


_term_hashes: dict[str, int] = {}


def _term_hash(word: str) -> int:
    """The hash of a normalised word's content term (`align.word_term`); 0 for function words."""
    value = _term_hashes.get(word)
    if value is None:
        term = word_term(word)
        value = 0 if term is None else word_hash(term)
        if len(_term_hashes) < 2_000_000:
            _term_hashes[word] = value
    return value


def fingerprint(doc: CleanArticle, ngram: int = 5) -> Fingerprint:
    """What the candidate search needs of one article: its rare-n-gram keys, the content terms
    of its sentences (for sketches) and its names. Costs well under a millisecond an article."""
    words = doc.words
    count = len(words)
    hashes = np.fromiter((word_hash(w) for w in words), dtype=np.uint64, count=count)
    terms = np.fromiter((_term_hash(w) for w in words), dtype=np.uint64, count=count)
    bounds = np.asarray(sentence_bounds(doc), dtype=np.int64)
    sentence_of = np.repeat(np.arange(len(bounds) - 1, dtype=np.int32), np.diff(bounds))
    content = terms != 0
    terms, sentence_of = terms[content], sentence_of[content]
    # Each term once per sentence; sentences with too many distinct terms are not sketched.
    order = np.lexsort((terms, sentence_of))
    terms, sentence_of = terms[order], sentence_of[order]
    distinct = np.ones(len(terms), dtype=bool)
    distinct[1:] = (terms[1:] != terms[:-1]) | (sentence_of[1:] != sentence_of[:-1])
    terms, sentence_of = terms[distinct], sentence_of[distinct]
    if len(sentence_of):
        per_sentence = np.bincount(sentence_of)
        short = per_sentence[sentence_of] <= MAX_SKETCH_WORDS
        terms, sentence_of = terms[short], sentence_of[short]
    return Fingerprint(_ngrams_of(hashes, ngram), terms, sentence_of, name_hashes(doc))


def find_candidates(
    docs: Sequence[CleanArticle],
    ngram: int = 5,
    max_df: int = 100,
    min_shared: int = 2,
    **settings: Any,
) -> list[Candidate]:
    """Pairs of articles (by index in `docs`) worth aligning, sorted by `(a, b)`: the
    `fingerprint` of each, then `candidates_of` (which the keyword `settings` go to)."""
    return candidates_of([fingerprint(d, ngram) for d in docs], max_df, min_shared, **settings)


def candidates_of(
    prints: Sequence[Fingerprint],
    max_df: int = 100,
    min_shared: int = 2,
    *,
    sketches: bool = True,
    sketch_terms: int = 6,
    min_sketch_sentences: int = 2,
    names: bool = True,
    min_shared_names: int = 4,
) -> list[Candidate]:
    """Pairs of articles (by index in `prints`) worth aligning, sorted by `(a, b)`.

    A pair is a candidate when it shares at least `min_shared` rare n-grams, or (with
    `sketches`) when at least `min_sketch_sentences` of its sentence pairs share a sketch of
    rare content words (see the module docstring). `Candidate.shared` is the number of rare
    n-grams shared, below `min_shared` for pairs found by sketches alone. With `names`, pairs
    naming at least `min_shared_names` of the same rare names and numbers are candidates too:
    two reports of one event written apart (`same_story`).
    """
    pair_keys, counts = _pair_counts([p.ngrams for p in prints], max_df)
    n_docs = np.int64(max(len(prints), 1))
    chosen = counts >= min_shared
    keys, shared = pair_keys[chosen], counts[chosen]
    more = []
    if sketches and len(prints) >= 2:
        more.append(sketch_pairs(prints, max_df, sketch_terms, min_sketch_sentences))
    if names and len(prints) >= 2:
        name_keys, name_counts = _pair_counts([p.names for p in prints], max_df)
        more.append(name_keys[name_counts >= min_shared_names])
    if more:
        extra = np.unique(np.concatenate(more))
        extra = extra[~np.isin(extra, keys)]
        if len(extra):
            # their n-gram counts, below min_shared (0 when they share none)
            extra_counts = np.zeros(len(extra), dtype=np.int64)
            if len(pair_keys):
                where = np.minimum(np.searchsorted(pair_keys, extra), len(pair_keys) - 1)
                hit = pair_keys[where] == extra
                extra_counts[hit] = counts[where[hit]]
            keys = np.concatenate((keys, extra))
            shared = np.concatenate((shared, extra_counts))
            order = np.argsort(keys, kind="stable")
            keys, shared = keys[order], shared[order]
    return [
        Candidate(int(k // n_docs), int(k % n_docs), int(c))
        for k, c in zip(keys.tolist(), shared.tolist(), strict=True)
    ]


_SENTENCE_END = re.compile(r"[.!?:;\n\"“”]")


def name_hashes(doc: CleanArticle) -> np.ndarray:
    """Hashes of the names (capitalised words not opening a sentence) and multi-digit numbers
    an article mentions: what two reports of one event share even in other words."""
    text = doc.article.text
    found = set()
    previous_end = 0
    for word, start, end in zip(doc.words, doc.starts, doc.ends, strict=True):
        first = text[start]
        if (first.isdigit() and len(word) >= 2) or (
            first.isupper() and not _SENTENCE_END.search(text, previous_end, start)
            and previous_end > 0
        ):
            found.add(word)
        previous_end = end
    return np.array(sorted(word_hash(w) for w in found), dtype=np.uint64)


def pairs_from_fingerprints(
    fingerprints: Sequence[np.ndarray], max_df: int = 100, min_shared: int = 2
) -> list[Candidate]:
    """Candidate pairs from each article's distinct n-gram hashes (the inverted-index step)."""
    pair_keys, counts = _pair_counts(fingerprints, max_df)
    n_docs = np.int64(max(len(fingerprints), 1))
    chosen = counts >= min_shared
    return [
        Candidate(int(k // n_docs), int(k % n_docs), int(c))
        for k, c in zip(pair_keys[chosen], counts[chosen], strict=True)
    ]


def _run_pairs(
    hashes: np.ndarray, owners: np.ndarray, max_size: int, n_owners: int
) -> list[np.ndarray]:
    """For runs of equal `hashes` (sorted) of 2..`max_size` entries: every pair of their
    `owners`, each as `low * n_owners + high` (owners sorted within each run)."""
    boundaries = np.flatnonzero(np.diff(hashes)) + 1
    run_starts = np.concatenate(([0], boundaries))
    run_lengths = np.diff(np.concatenate((run_starts, [len(hashes)])))
    keys: list[np.ndarray] = []
    n = np.int64(n_owners)
    for size in np.unique(run_lengths):
        if size < 2 or size > max_size:
            continue
        starts = run_starts[run_lengths == size]
        members = owners[starts[:, None] + np.arange(size)[None, :]]  # (runs, size), sorted rows
        left, right = np.triu_indices(int(size), k=1)
        keys.append((members[:, left] * n + members[:, right]).ravel())
    return keys


def _pair_counts(fingerprints: Sequence[np.ndarray], max_df: int) -> tuple[np.ndarray, np.ndarray]:
    """Every pair of articles sharing a hash found in 2..`max_df` of them: pair keys
    (`a * n + b`, sorted) and how many distinct such hashes each pair shares."""
    empty = (np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64))
    if len(fingerprints) < 2:
        return empty
    lengths = np.fromiter((len(f) for f in fingerprints), dtype=np.int64, count=len(fingerprints))
    if lengths.sum() == 0:
        return empty
    hashes = np.concatenate(fingerprints)
    owners = np.repeat(np.arange(len(fingerprints), dtype=np.int64), lengths)
    order = np.lexsort((owners, hashes))
    # Runs of equal hashes are the posting lists; their length is the n-gram's document frequency.
    keys = _run_pairs(hashes[order], owners[order], max_df, len(fingerprints))
    if not keys:
        return empty
    pair_keys, counts = np.unique(np.concatenate(keys), return_counts=True)
    return pair_keys, counts.astype(np.int64)


_PAIR_MIX = np.uint64(0x9E3779B97F4A7C15)
#: words per sketch
SKETCH_SIZE = 3
#: "sentences" with more distinct content words are lists, tables or unpunctuated text: a
#: sample of their many words matches other such runs by chance, so they are not sketched
MAX_SKETCH_WORDS = 40


def sketches_of(
    hashes: np.ndarray, sentences: np.ndarray, sketch_terms: int = 6
) -> tuple[np.ndarray, np.ndarray]:
    """Sketches from rare content-word hashes and their sentence numbers: per sentence, every
    `SKETCH_SIZE` combination of its `sketch_terms` lowest hashes, mixed into one uint64.
    Returns `(sketches, sentences)`, one row per distinct (sketch, sentence), sorted."""
    empty = np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.int64)
    if len(hashes) == 0:
        return empty
    order = np.lexsort((hashes, sentences))
    hashes, sentences = hashes[order], sentences[order]
    group_start = np.ones(len(sentences), dtype=bool)
    group_start[1:] = sentences[1:] != sentences[:-1]
    starts = np.flatnonzero(group_start)
    sizes = np.diff(np.concatenate((starts, [len(sentences)])))
    out_hashes: list[np.ndarray] = []
    out_sentences: list[np.ndarray] = []
    for ranks in combinations(range(sketch_terms), SKETCH_SIZE):
        has = sizes > ranks[-1]
        mixed = np.zeros(int(has.sum()), dtype=np.uint64)
        with np.errstate(over="ignore"):
            for rank in ranks:
                word = hashes[starts[has] + rank]
                mixed = (mixed * _PAIR_MIX) ^ ((word << np.uint64(17)) | (word >> np.uint64(47)))
        out_hashes.append(mixed)
        out_sentences.append(sentences[starts[has]])
    if not out_hashes:
        return empty
    all_hashes, all_sentences = np.concatenate(out_hashes), np.concatenate(out_sentences)
    order = np.lexsort((all_sentences, all_hashes))
    all_hashes, all_sentences = all_hashes[order], all_sentences[order]
    distinct = np.ones(len(order), dtype=bool)
    distinct[1:] = (all_hashes[1:] != all_hashes[:-1]) | (all_sentences[1:] != all_sentences[:-1])
    return all_hashes[distinct], all_sentences[distinct]


def sentence_sketches(
    prints: Sequence[Fingerprint], max_df: int = 100, sketch_terms: int = 6
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The sketches of every sentence of the fingerprinted articles: `(hashes, doc_index,
    sentence_index)`, one row per distinct (sketch, sentence); sentence indices count across
    all articles, in order.

    A sketch is an unordered triple (`SKETCH_SIZE`) among the `sketch_terms` content words of
    a sentence with the lowest hashes, leaving out words found in more than `max_df` articles
    (`fingerprint` has left out sentences of more than `MAX_SKETCH_WORDS` distinct words).
    """
    empty = np.empty(0, dtype=np.int64)
    lengths = np.fromiter((len(p.terms) for p in prints), dtype=np.int64, count=len(prints))
    if lengths.sum() == 0:
        return np.empty(0, dtype=np.uint64), empty, empty
    hashes = np.concatenate([p.terms for p in prints])
    term_docs = np.repeat(np.arange(len(prints), dtype=np.int64), lengths)
    spans = np.fromiter(
        (int(p.sentences[-1]) + 1 if len(p.sentences) else 0 for p in prints),
        dtype=np.int64, count=len(prints),
    )  # fmt: skip
    first_sentence = np.concatenate(([0], np.cumsum(spans)[:-1]))
    sentences = np.concatenate([p.sentences for p in prints]).astype(np.int64)
    sentences += first_sentence[term_docs]
    # Document frequency of each word: its distinct articles (a word recurs across sentences).
    distinct_terms = np.concatenate([np.unique(p.terms) for p in prints])
    words, df = np.unique(distinct_terms, return_counts=True)
    keep = df[np.searchsorted(words, hashes)] <= max_df
    all_hashes, all_sentences = sketches_of(hashes[keep], sentences[keep], sketch_terms)
    owner = np.repeat(np.arange(len(prints), dtype=np.int64), spans)
    return all_hashes, owner[all_sentences], all_sentences


def sketch_pairs(
    prints: Sequence[Fingerprint],
    max_df: int = 100,
    sketch_terms: int = 6,
    min_sketch_sentences: int = 2,
) -> np.ndarray:
    """Pairs of articles (as sorted keys `a * len(prints) + b`) with at least
    `min_sketch_sentences` sentence pairs sharing a sketch."""
    hashes, doc_of, sentences = sentence_sketches(prints, max_df, sketch_terms)
    if len(hashes) == 0:
        return np.empty(0, dtype=np.int64)
    n_sentences = int(sentences.max()) + 1
    sentence_doc = np.zeros(n_sentences, dtype=np.int64)
    sentence_doc[sentences] = doc_of
    # A sketch in too many articles is a stock pairing; skip those before pairing sentences.
    order = np.lexsort((doc_of, hashes))
    hashes, doc_of, sentences = hashes[order], doc_of[order], sentences[order]
    new_doc = np.ones(len(hashes), dtype=bool)
    new_doc[1:] = (hashes[1:] != hashes[:-1]) | (doc_of[1:] != doc_of[:-1])
    run = np.concatenate(([0], np.cumsum(hashes[1:] != hashes[:-1])))
    docs_per_run = np.bincount(run, weights=new_doc).astype(np.int64)
    common = docs_per_run[run] > max_df
    hashes, sentences = hashes[~common], sentences[~common]
    order = np.lexsort((sentences, hashes))
    keys = _run_pairs(hashes[order], sentences[order], 2 * max_df, n_sentences)
    if not keys:
        return np.empty(0, dtype=np.int64)
    sentence_pairs = np.unique(np.concatenate(keys))
    first, second = sentence_pairs // n_sentences, sentence_pairs % n_sentences
    doc_a, doc_b = sentence_doc[first], sentence_doc[second]
    across = doc_a != doc_b
    n_docs = np.int64(len(prints))
    doc_keys = np.minimum(doc_a, doc_b)[across] * n_docs + np.maximum(doc_a, doc_b)[across]
    pair_keys, counts = np.unique(doc_keys, return_counts=True)
    return pair_keys[counts >= min_sketch_sentences]
