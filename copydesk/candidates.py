"""Find the pairs of articles worth aligning, without comparing all pairs.

The index is the one passim made popular: every word n-gram of every article is hashed; n-grams
found in only one article say nothing, and n-grams found in very many are stock phrases or a
story syndicated widely, so those shared by 2..`max_df` articles link every two of them, and
those shared by more (hubs) link each article only to the first holding them: a wire story run
by five hundred outlets makes five hundred candidates, not 125,000, and a stock phrase or two
in common links nothing (`HUB_MIN_SHARED`). Two articles sharing at least `min_shared` rare
n-grams are a candidate pair. This finds whole copies and a few reused sentences inside a long
article alike, which MinHash over whole documents does not.

A second, cheap signal reaches rewrites, which share few exact 5-grams: sentence sketches. Each
sentence's content words (stemmed, function words dropped, numbers normalised: the terms of the
paraphrase aligner) that are not too common in the run (document frequency up to `max_df`) are
ordered by a stable hash; the first `sketch_terms` of them are a MinHash-style sample of the
sentence, and every triple of sampled words is one sketch. Two sentences that say the same thing
keep most of their rare words (names, numbers, unusual words), so they often sample a triple in
common; unrelated sentences almost never do. Articles with at least `min_sketch_sentences`
sentence pairs sharing a sketch are candidates too.

Everything is vectorised with NumPy and keyed by stable hashes, so the same input always gives
the same candidates, in the same order, on any machine.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import threading
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from itertools import chain, combinations, pairwise
from typing import Any

import numpy as np

from .align import sentence_openings, sentence_tokens, token_term, word_term
from .clean import reading
from .model import Candidate, CleanArticle, Fingerprint
from .read import parse_date

_MASK = (1 << 64) - 1
_MULTIPLIER = np.uint64(0x100000001B3)  # FNV-1a's prime: odd, so the rolling hash mixes
#: terms whose weights an `Idf` remembers (per process)
KNOWN_TERMS = 500_000
#: bits of a content term's hash kept in fingerprints (a million terms collide about once)
TERM_BITS = 40
#: words whose hashes are remembered (a few hundred MB at most)
TABLE_LIMIT = 2_000_000
#: hub n-grams (found in more than `max_df` articles) an article must share with the first
#: article holding them to pair with it: a copied passage of a dozen words or more, where
#: stock phrases ("at the end of the") give one or two
HUB_MIN_SHARED = 10


class _Remembered(dict[str, int]):
    """`compute(key)` for any key, remembered for the first `TABLE_LIMIT` keys: looked up with
    `table[key]` (at a plain dict's speed) over a whole article at once."""

    def __init__(self, compute: Callable[[str], int]) -> None:
        super().__init__()
        self.compute = compute

    def __missing__(self, key: str) -> int:
        value = self.compute(key)
        if len(self) < TABLE_LIMIT:
            self[key] = value
        return value


def _blake_hash(word: str) -> int:
    return int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")


_word_hashes = _Remembered(_blake_hash)


def word_hash(word: str) -> int:
    """A stable 64-bit hash of a word (the same in every process and on every machine)."""
    return _word_hashes[word]


def ngram_hashes(words: Sequence[str], n: int) -> np.ndarray:
    """The distinct hashes of the word n-grams of `words` (sorted, uint64)."""
    return _ngrams_of(_hashes_of(words, _word_hashes), n)


def _ngrams_of(hashes: np.ndarray, n: int) -> np.ndarray:
    """The distinct n-gram hashes of a run of word hashes (sorted)."""
    return _distinct(_rolled(hashes, n))


def _ngrams_each(hashes: np.ndarray, counts: np.ndarray, n: int) -> list[np.ndarray]:
    """`_ngrams_of` each article's words, whose hashes come one article after another in
    `hashes` (`counts[k]` of them for article `k`): rolled all at once."""
    rolled = _rolled(hashes, n)
    found = []
    start = 0
    for count in counts.tolist():
        # (`_distinct` sorts each article's slice in place: the slices do not overlap.)
        found.append(_distinct(rolled[start : start + count - n + 1]) if count >= n else _NO_WORDS)
        start += count
    return found


def _rolled(hashes: np.ndarray, n: int) -> np.ndarray:
    """The hash of each word n-gram of a run of word hashes, in order."""
    if len(hashes) < n:
        return np.empty(0, dtype=np.uint64)
    count = len(hashes) - n + 1
    # Rolling: hash = rotate(... rotate(rotate(h0) * M + h1) ... * M + h(n-1)), in place.
    combined = hashes[:count].copy()
    with np.errstate(over="ignore"):
        for offset in range(n):
            if offset:
                combined *= _MULTIPLIER
                combined += hashes[offset : offset + count]
            # Rotate so that n-grams of the same words in another order hash apart.
            combined = (combined << np.uint64(7)) | (combined >> np.uint64(57))
    return combined


def _distinct(values: np.ndarray) -> np.ndarray:
    """The distinct `values`, sorted, in place of `values`: for the few hundred values of one
    article, a plain sort is several times faster than `np.unique`, which hashes."""
    if len(values) < 2:
        return values
    values.sort()
    keep = np.empty(len(values), dtype=bool)
    keep[0] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


def _hashes_of(words: Sequence[str], table: _Remembered) -> np.ndarray:
    """`table[w]` for each word, as uint64."""
    return np.fromiter(map(table.__getitem__, words), dtype=np.uint64, count=len(words))


def _token_term_hash(token: str) -> int:
    term = word_term(token)
    return 0 if term is None else word_hash(term)


#: the hash of each token's content term (`word_hash(align.word_term(token))`), 0 for a
#: function word: one lookup a token instead of two
_token_term_hashes = _Remembered(_token_term_hash)


#: `_word_term_hash` of a word of digits and other characters
_MIXED = 1
_DIGIT_RE = re.compile(r"\d")


def _word_term_hash(word: str) -> int:
    """`_token_term_hash` of a word read as one token; `_MIXED` for a word of digits and
    letters ("3d", "covid19"), which the aligner reads as several."""
    # (Layers of remembering cut out: a worker meets a hundred thousand new words.)
    if not word.isalpha() and _DIGIT_RE.search(word) and not word.isdecimal():
        return _MIXED
    found = token_term(word)
    return 0 if found is None else _word_hashes[found[0]]


class _WordTable(dict[str, int]):
    """A number for each word seen, and by that number the word's `word_hash`, its
    `_word_term_hash` and whether it is a number (`str.isdecimal`): one lookup a word finds
    all three. Starts afresh past `TABLE_LIMIT` words. One thread at a time reads it (`fields`):
    it grows as it is read, and the web service fingerprints in several threads."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._start_afresh()

    def _start_afresh(self) -> None:
        self.clear()
        self.hashes, self.terms, self.numbers = array("Q"), array("Q"), array("B")

    def __missing__(self, word: str) -> int:
        number = len(self.hashes)
        self.hashes.append(_word_hashes[word])
        self.terms.append(_word_term_hash(word))
        self.numbers.append(word.isdecimal())
        self[word] = number
        return number

    def fields(self, words: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each word's `word_hash`, `_word_term_hash` and whether it is a number."""
        if not words:
            return _NO_WORDS, _NO_WORDS, np.empty(0, dtype=bool)
        with self._lock:
            if len(self) > TABLE_LIMIT:
                self._start_afresh()
            at = np.fromiter(map(self.__getitem__, words), dtype=np.intp, count=len(words))
            return (
                np.frombuffer(self.hashes, dtype=np.uint64)[at],
                np.frombuffer(self.terms, dtype=np.uint64)[at],
                np.frombuffer(self.numbers, dtype=np.bool_)[at],
            )

    def after_fork(self) -> None:
        """A child process starts with a free lock (another thread may hold the parent's)."""
        self._lock = threading.Lock()


_NO_WORDS = np.empty(0, dtype=np.uint64)
_word_table = _WordTable()
os.register_at_fork(after_in_child=_word_table.after_fork)


#: the most articles, and words, `fingerprints` reads as one batch: their sentences are
#: numbered together in the `64 - TERM_BITS` bits above a term (a sentence holds a word)
BATCH_ARTICLES = 256
BATCH_WORDS = 1 << 20


@dataclass
class _Batch:
    """Articles read as one: their words one after another, their texts joined by line ends."""

    docs: Sequence[CleanArticle]
    #: each article's number of words, and where its words start among all of them
    counts: np.ndarray
    word_starts: np.ndarray
    words: list[str]
    joined: str
    #: each word's `[start, end)` offsets into `joined`
    starts: np.ndarray
    ends: np.ndarray

    @classmethod
    def of(cls, docs: Sequence[CleanArticle]) -> _Batch:
        counts = np.fromiter((len(d.words) for d in docs), dtype=np.int64, count=len(docs))
        word_starts = np.cumsum(counts) - counts
        joined = "\n".join(d.article.text for d in docs)
        text_starts = np.cumsum([0, *(len(d.article.text) + 1 for d in docs[:-1])])
        shift = np.repeat(text_starts.astype(np.int64), counts)
        starts = np.concatenate([np.asarray(d.starts, dtype=np.int64) for d in docs]) + shift
        ends = np.concatenate([np.asarray(d.ends, dtype=np.int64) for d in docs]) + shift
        words = list(chain.from_iterable(d.words for d in docs))
        return cls(docs, counts, word_starts, words, joined, starts, ends)

    def doc_of_words(self) -> np.ndarray:
        return np.repeat(np.arange(len(self.docs)), self.counts)

    def kinds(self) -> tuple[list[str], np.ndarray]:
        """`clean.reading` of each text (its kind; the joined text's code points)."""
        kind, codes = reading(self.joined)
        # A joined text read as ASCII is made of texts read so (see `clean.reading`).
        if kind == "ascii":
            return ["ascii"] * len(self.docs), codes
        return [reading(d.article.text)[0] for d in self.docs], codes


def _batches(docs: Sequence[CleanArticle]) -> Iterator[Sequence[CleanArticle]]:
    start, words = 0, 0
    for i, doc in enumerate(docs):
        if i > start and (i - start >= BATCH_ARTICLES or words + len(doc.words) > BATCH_WORDS):
            yield docs[start:i]
            start, words = i, 0
        words += len(doc.words)
    if start < len(docs):
        yield docs[start:]


def _sentence_terms(doc: CleanArticle) -> tuple[np.ndarray, np.ndarray, int]:
    """The term hash (`_token_term_hashes`) of each token the paraphrase aligner reads in the
    article's sentences (`align.split_sentences`), its sentence's number, and how many
    sentences there are (`_batch_sentence_terms` of one article)."""
    batch = _Batch.of([doc])
    every, sentence_of, counts = _batch_sentence_terms(batch, *_word_table.fields(batch.words)[1:])
    return every, sentence_of, int(counts[0])


def _batch_sentence_terms(
    batch: _Batch, terms: np.ndarray, decimal: np.ndarray, kinds: list[str] | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The term hash (`_token_term_hashes`) of each token the paraphrase aligner reads in the
    articles' sentences (`align.split_sentences`), in order; its sentence's number (sentences
    numbered across the batch); and how many sentences each article has.

    A word is one token, but for words of digits and letters and numbers joined by a point or
    a comma; when all the word characters are ASCII, its term is that of the word as cleaned.
    Only the sentences holding such words (or every sentence, when the text holds mojibake)
    are read again. `terms` and `decimal`: the words' terms and number flags
    (`_WordTable.fields`); `kinds`: `_Batch.kinds`, when known."""
    docs = batch.docs
    kinds = kinds if kinds is not None else batch.kinds()[0]
    opens = sentence_openings(docs, batch.joined, batch.starts)
    sentence_of = (np.cumsum(opens) - 1).astype(np.uint64)
    opened = np.concatenate(([0], np.cumsum(opens)))
    word_ends = batch.word_starts + batch.counts
    n_sentences = opened[word_ends] - opened[batch.word_starts]
    every, decimal = terms.copy(), decimal.copy()
    mojibake = []
    for k, (doc, kind) in enumerate(zip(docs, kinds, strict=True)):
        if kind == "mojibake":
            mojibake.append(k)
        elif kind != "ascii" or doc.restored:
            text, starts, ends = doc.article.text, doc.starts, doc.ends
            if kind == "ascii":  # the aligner reads the words as written, spun or not
                words = list(doc.words)
                for i in doc.restored:
                    words[i] = text[starts[i] : ends[i]]
            else:  # the word as written, as the aligner reads it ("ﬁnal", not "final")
                words = list(map(text.__getitem__, map(slice, starts, ends)))
            at = slice(batch.word_starts[k], word_ends[k])
            every[at], decimal[at] = _word_table.fields(words)[1:]
    unlike = every == _MIXED  # words that are not one token each
    if decimal[1:].any():
        # Numbers joined by a point or comma ("1,000", "3.5") are one token.
        touching = decimal[:-1] & decimal[1:] & (batch.starts[1:] == batch.ends[:-1] + 1)
        openings = batch.word_starts[1:]
        # never across two articles
        touching[openings[(openings > 0) & (openings < len(touching) + 1)] - 1] = False
        for i in np.flatnonzero(touching).tolist():
            unlike[i] |= batch.joined[batch.ends[i]] in ".,"
    if mojibake:  # every sentence read again
        unlike[np.isin(batch.doc_of_words(), mojibake)] = True
    again = np.unique(sentence_of[unlike])
    if not len(again):
        return every, sentence_of, n_sentences
    keep = ~np.isin(sentence_of, again)
    first_sentence = opened[batch.word_starts]
    read_terms, read_sentences = [every[keep]], [sentence_of[keep]]
    doc_of_again = np.searchsorted(first_sentence, again, side="right") - 1
    for k in np.unique(doc_of_again).tolist():
        doc, base = docs[k], int(first_sentence[k])
        local = opens[batch.word_starts[k] : word_ends[k]]
        bounds = [*np.flatnonzero(local).tolist(), len(doc.words)]
        found, sentences = _tokens_read_again(doc, bounds, again[doc_of_again == k] - base)
        read_terms.append(found)
        read_sentences.append(sentences + np.uint64(base))
    every, sentence_of = np.concatenate(read_terms), np.concatenate(read_sentences)
    order = np.argsort(sentence_of, kind="stable")  # sentences back in order, tokens in place
    return every[order], sentence_of[order], n_sentences


def _tokens_read_again(
    doc: CleanArticle, bounds: Sequence[int], sentences: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """`_sentence_terms` of some sentences (numbers, in order), read from the text."""
    starts, ends = doc.starts, doc.ends
    chosen = sentences.tolist()
    spans = [(starts[bounds[k]], ends[bounds[k + 1] - 1]) for k in chosen]
    tokens = sentence_tokens(doc.article.text, spans)
    terms = _hashes_of(list(chain.from_iterable(tokens)), _token_term_hashes)
    return terms, np.repeat(np.asarray(chosen, dtype=np.uint64), [len(t) for t in tokens])


def fingerprint(doc: CleanArticle, ngram: int = 5, *, rewrites: bool = True) -> Fingerprint:
    """What the candidate search needs of one article: its rare-n-gram keys and, with
    `rewrites` (what reaches paraphrases: see `candidate_settings`), the content terms of its
    sentences (for sketches, and with the phrases they make for the run's idf) and its names.
    Costs under a millisecond an article, a tenth of that without `rewrites`; `fingerprints`
    of many articles costs about half as much each."""
    return _batch_fingerprints(_Batch.of([doc]), ngram, rewrites)[0]


def fingerprints(
    docs: Sequence[CleanArticle], ngram: int = 5, *, rewrites: bool = True, vocabulary: bool = True
) -> list[Fingerprint]:
    """`fingerprint` of each article, worked out a batch of articles at a time: each NumPy call
    costs about a microsecond whatever its size, and one by one they make half of an
    article's time. Without `vocabulary`, their vocabularies are left empty: only the run's
    idf needs them, not the candidate search."""
    found: list[Fingerprint] = []
    for batch in _batches(docs):
        found.extend(_batch_fingerprints(_Batch.of(batch), ngram, rewrites, vocabulary))
    return found


def _batch_fingerprints(
    batch: _Batch, ngram: int, rewrites: bool, with_vocabulary: bool = True
) -> list[Fingerprint]:
    nothing = np.empty(0, dtype=np.uint64)
    if not rewrites:
        # The hashes alone: the word table would stem every new word for nothing.
        hashes = _hashes_of(batch.words, _word_hashes)
        return [
            Fingerprint(found, nothing, np.empty(0, np.int32), nothing)
            for found in _ngrams_each(hashes, batch.counts, ngram)
        ]
    hashes, terms, decimal = _word_table.fields(batch.words)
    kinds, codes = batch.kinds()
    every, sentence_of, n_sentences = _batch_sentence_terms(batch, terms, decimal, kinds)
    content = every != 0  # function words have no term
    terms, sentence_of = every[content], sentence_of[content]
    first_sentence = np.cumsum(n_sentences) - n_sentences
    doc_of_sentence = np.repeat(np.arange(len(batch.docs)), n_sentences)
    vocabulary = (
        _batch_vocabulary(terms, sentence_of, doc_of_sentence, len(batch.docs))
        if with_vocabulary
        else [_NO_WORDS] * len(batch.docs)
    )
    # Each term once per sentence, in order of sentence then term: one sort of one array,
    # sentence number in the high bits, the term's top TERM_BITS bits below (its hash from
    # here on). A batch holds fewer than 2 ** (64 - TERM_BITS) sentences.
    keys = _distinct((sentence_of << np.uint64(TERM_BITS)) | (terms >> np.uint64(64 - TERM_BITS)))
    sentence_of = (keys >> np.uint64(TERM_BITS)).astype(np.int64)
    terms = (keys & np.uint64((1 << TERM_BITS) - 1)) << np.uint64(64 - TERM_BITS)
    if len(sentence_of):
        # Sentences with too many distinct terms are lists or tables: not sketched.
        short = np.bincount(sentence_of)[sentence_of] <= MAX_SKETCH_WORDS
        terms, sentence_of = terms[short], sentence_of[short]
    doc_of_term = doc_of_sentence[sentence_of]
    sentence_of -= first_sentence[doc_of_term]
    # int16 where the article allows it: a hundred thousand articles hold forty million terms
    small = n_sentences < 2**15
    if small.all():
        sentence_of = sentence_of.astype(np.int16)
    else:
        sentence_of = sentence_of.astype(np.int32)
    term_ends = np.searchsorted(doc_of_term, np.arange(1, len(batch.docs) + 1))
    names = _batch_names(batch, codes, hashes)
    ngrams = _ngrams_each(hashes, batch.counts, ngram)
    found = []
    term_start = 0
    for k, term_end in enumerate(term_ends.tolist()):
        sentences = sentence_of[term_start:term_end]
        if small[k] and sentences.dtype != np.int16:
            sentences = sentences.astype(np.int16)
        found.append(Fingerprint(ngrams[k], terms[term_start:term_end], sentences, names[k],
                                 vocabulary[k]))  # fmt: skip
        term_start = term_end
    return found


def _batch_vocabulary(
    terms: np.ndarray, sentences: np.ndarray, doc_of_sentence: np.ndarray, n_docs: int
) -> list[np.ndarray]:
    """Each article's distinct `term_key`s of its terms and phrases (two content terms in a
    row in one sentence, as `align.sentence_terms` pairs them), from the batch's terms in text
    order and their sentences (numbered across the batch)."""
    follows = (sentences[1:] == sentences[:-1]) & (terms[1:] != terms[:-1])
    phrases = _phrase_keys(terms[:-1][follows], terms[1:][follows])
    term_doc = doc_of_sentence[sentences]
    phrase_doc = term_doc[:-1][follows]
    edges = np.arange(1, n_docs)
    term_ends = [*np.searchsorted(term_doc, edges).tolist(), len(terms)]
    phrase_ends = [*np.searchsorted(phrase_doc, edges).tolist(), len(phrases)]
    found = []
    term_start = phrase_start = 0
    for term_end, phrase_end in zip(term_ends, phrase_ends, strict=True):
        found.append(_distinct(np.concatenate((terms[term_start:term_end],
                                               phrases[phrase_start:phrase_end]))))  # fmt: skip
        term_start, phrase_start = term_end, phrase_end
    return found


_PHRASE_MIX = 0xD6E8FEB86659FD93


def _phrase_keys(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """The key of each phrase of two term hashes, the same in either order."""
    low, high = np.minimum(first, second), np.maximum(first, second)
    with np.errstate(over="ignore"):
        return (low * np.uint64(_PHRASE_MIX)) ^ ((high << np.uint64(29)) | (high >> np.uint64(35)))


def term_key(term: str) -> int:
    """The hash under which `Idf` counts a term of `align.sentence_terms`: a word's own hash,
    or for a phrase `a+b` a mix of its two words' hashes, in either order."""
    first, plus, second = term.partition("+")
    if not plus:
        return word_hash(term)
    a, b = word_hash(first), word_hash(second)
    low, high = min(a, b), max(a, b)
    return ((low * _PHRASE_MIX) & _MASK) ^ (((high << 29) | (high >> 35)) & _MASK)


def idf_weight(df: int, n_docs: int) -> float:
    """The weight of a term found in `df` of `n_docs` articles (`align.idf_from_term_sets`)."""
    return 1.0 + math.log((n_docs + 1) / (df + 1))


def term_keys(terms: Sequence[str]) -> np.ndarray:
    """`term_key` of many terms at once."""
    parts = [t.partition("+") for t in terms]
    firsts = [p[0] for p in parts]
    seconds = [p[2] for p in parts if p[2]]
    keys = _hashes_of(firsts, _word_hashes)
    if seconds:
        phrase = np.fromiter((bool(p[2]) for p in parts), dtype=bool, count=len(parts))
        other = _hashes_of(seconds, _word_hashes)
        keys[phrase] = _phrase_keys(keys[phrase], other)
    return keys


class Idf(Mapping[str, float]):
    """The inverse document frequency of a run's terms, `1 + ln((N + 1) / (df + 1))` as
    `align.idf_from_term_sets` gives it, kept as two arrays (term keys, sorted, and document
    counts): a dict of the millions of word pairs of a large run would not fit in memory.

    Look terms up by name (`idf[term]`, `idf.get(term)`); the names themselves are not kept,
    so the mapping cannot list them. `rarest` is the largest weight, given to unknown terms.
    """

    def __init__(
        self, keys: np.ndarray, counts: np.ndarray, n_docs: int, rarest: float | None = None
    ) -> None:
        self.term_keys, self.counts, self.n_docs = keys, counts, n_docs
        if rarest is None:
            rarest = self.weight(int(counts.min())) if len(counts) else 1.0
        self.rarest: float = rarest
        #: the weights looked up so far (`rarest` for terms the run does not hold)
        self._known: dict[str, float] = {}
        #: the terms looked up so far that the run does not hold
        self._absent: set[str] = set()

    def weight(self, df: int) -> float:
        return idf_weight(df, self.n_docs)

    def _find(self, term: str) -> float | None:
        if term not in self._known:
            self.weights_of([term])
        return None if term in self._absent else self._known[term]

    def weights_of(self, terms: Iterable[str]) -> Mapping[str, float]:
        """A mapping that holds the weight of each of `terms` (and maybe of others), `rarest`
        for those the run does not hold: looked up together (one search of the key array for
        all the terms not seen before, in order, which keeps the search in cache)."""
        known = self._known
        if len(known) > KNOWN_TERMS:
            known.clear()
            self._absent.clear()
        new = [t for t in terms if t not in known]
        if new:
            keys = term_keys(new)
            order = np.argsort(keys)
            at = np.empty(len(keys), dtype=np.intp)
            at[order] = np.searchsorted(self.term_keys, keys[order])
            inside = at < len(self.term_keys)
            hit = np.zeros(len(new), dtype=bool)
            hit[inside] = self.term_keys[at[inside]] == keys[inside]
            found = np.full(len(new), self.rarest)
            found[hit] = 1.0 + np.log((self.n_docs + 1) / (self.counts[at[hit]] + 1.0))
            known.update(zip(new, found.tolist(), strict=True))
            if not hit.all():
                self._absent.update(t for t, h in zip(new, hit.tolist(), strict=True) if not h)
        return known

    def __getitem__(self, term: str) -> float:
        found = self._find(term)
        if found is None:
            raise KeyError(term)
        return found

    def __contains__(self, term: object) -> bool:
        return isinstance(term, str) and self._find(term) is not None

    def __len__(self) -> int:
        return len(self.term_keys)

    def __iter__(self) -> Iterator[str]:
        raise TypeError("an Idf keeps hashes of its terms, not their names: look terms up")

    def values(self) -> Iterator[float]:  # type: ignore[override]
        return (self.weight(int(c)) for c in self.counts)

    @staticmethod
    def joined(first: Idf, second: Idf) -> Idf:
        """The weights of two `Idf`s of one run (each for one article's terms) together."""
        keys = np.concatenate((first.term_keys, second.term_keys))
        counts = np.concatenate((first.counts, second.counts))
        keys, at = np.unique(keys, return_index=True)
        return Idf(keys, counts[at], first.n_docs, first.rarest)


class DocumentFrequencies:
    """Counts, article after article, how many articles hold each term (`Fingerprint.
    vocabulary`): memory follows the distinct terms.

    Counted keys are kept sorted in `BUCKETS` pairs of arrays (keys, counts), split by their top
    bits; the terms seen since are merged in from time to time, bucket by bucket, so that a
    merge copies one bucket at a time and never the whole count (hundreds of MB at 100,000
    articles) while the fingerprints of the run are held too."""

    #: keys gathered before they are merged in
    FOLD = 2_000_000
    BUCKETS = 64

    def __init__(self) -> None:
        self.n_docs = 0
        self._pending: list[np.ndarray] = []
        self._pending_size = 0
        self._keys = [np.empty(0, dtype=np.uint64) for _ in range(self.BUCKETS)]
        self._counts = [np.empty(0, dtype=np.int32) for _ in range(self.BUCKETS)]
        self._joined = False

    def add(self, vocabulary: np.ndarray, articles: int = 1) -> None:
        """The next article's `vocabulary` (or the next `articles` articles', one after
        another: each article's keys are distinct)."""
        if self._joined:
            raise RuntimeError("the counts were handed to an Idf already (it shares them)")
        self.n_docs += articles
        self._pending.append(vocabulary)
        self._pending_size += len(vocabulary)
        if self._pending_size >= self.FOLD:
            self._fold()

    def _fold(self) -> None:
        if not self._pending:
            return
        new = np.concatenate(self._pending)
        self._pending, self._pending_size = [], 0
        new.sort()
        starts, counts = _runs(new)
        new, counts = new[starts], counts.astype(np.int32)
        shift = np.uint64(64 - (self.BUCKETS - 1).bit_length())
        edges = np.searchsorted(new >> shift, np.arange(self.BUCKETS + 1, dtype=np.uint64))
        for bucket, (lo, hi) in enumerate(pairwise(edges.tolist())):
            if lo < hi:
                self._merge(bucket, new[lo:hi], counts[lo:hi])

    def _merge(self, bucket: int, new: np.ndarray, counts: np.ndarray) -> None:
        """Distinct sorted `new` keys, seen in `counts` more articles, into one bucket: keys
        known add to their counts, the others are inserted in place."""
        keys = self._keys[bucket]
        at = np.searchsorted(keys, new)
        known = np.zeros(len(new), dtype=bool)
        inside = at < len(keys)
        known[inside] = keys[at[inside]] == new[inside]
        self._counts[bucket][at[known]] += counts[known]  # `new` is distinct
        fresh = ~known
        self._keys[bucket] = np.insert(keys, at[fresh], new[fresh])
        self._counts[bucket] = np.insert(self._counts[bucket], at[fresh], counts[fresh])

    def idf(self) -> Idf:
        """The counts as an `Idf`, which shares their arrays: nothing more can be added."""
        self._fold()
        self._joined = True
        keys, counts = np.concatenate(self._keys), np.concatenate(self._counts)
        # The buckets become views of the joined arrays: nothing is held twice.
        edges = np.cumsum([len(k) for k in self._keys])[:-1]
        self._keys, self._counts = np.split(keys, edges), np.split(counts, edges)
        return Idf(keys, counts, self.n_docs)


def build_idf(docs: Sequence[CleanArticle]) -> Idf:
    """The idf of content terms over a run's articles (an article is one document).

    Terms absent from it (and every term when no idf is given) weigh as much as the rarest.
    """
    counts = DocumentFrequencies()
    for found in fingerprints(docs):
        counts.add(found.vocabulary)
    return counts.idf()


def find_candidates(
    docs: Sequence[CleanArticle],
    ngram: int = 5,
    max_df: int = 100,
    min_shared: int = 2,
    **settings: Any,
) -> list[Candidate]:
    """Pairs of articles (by index in `docs`) worth aligning, sorted by `(a, b)`: the
    `fingerprint` of each, then `candidates_of` (which the keyword `settings` go to), hubs led
    by the earliest article (`publication_ranks`)."""
    prints = fingerprints(docs, ngram, vocabulary=False)
    ranks = publication_ranks([d.article.published for d in docs])
    return candidates_of(prints, max_df, min_shared, ranks=ranks, **settings)


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
    ngrams: PackedHashes | None = None,
    ranks: np.ndarray | None = None,
) -> list[Candidate]:
    """Pairs of articles (by index in `prints`) worth aligning, sorted by `(a, b)`.

    A pair is a candidate when it shares at least `min_shared` rare n-grams, or (with
    `sketches`) when at least `min_sketch_sentences` of its sentence pairs share a sketch of
    rare content words (see the module docstring). An n-gram found in more than `max_df`
    articles (a hub) pairs each of them with the one of them `ranks` puts first (see
    `publication_ranks`; by default, the first in `prints`) only, and only where they share
    `HUB_MIN_SHARED` (or `min_shared`, when more) such n-grams: a story syndicated to
    thousands of outlets gives one pair a copy, not one pair for every two copies.
    `Candidate.shared` is the number of n-grams shared that link the pair, too few for pairs
    found otherwise. With `names`, pairs
    naming at least `min_shared_names` of the same rare names and numbers are candidates too:
    two reports of one event written apart (`same_story`).

    `ngrams`, when given, holds the n-gram hashes of `prints` packed as they came (see
    `PackedHashes`; their `ngrams` may then be empty) and is emptied.
    """
    packed = ngrams if ngrams is not None else PackedHashes.of([p.ngrams for p in prints])
    n_docs = np.int64(max(len(prints), 1))
    ranks = np.arange(len(prints), dtype=np.int64) if ranks is None else np.asarray(ranks)
    # Sketch pairs are sought beside the n-gram pairs, in a thread: both spend most of their
    # time in NumPy's sorts, which let another thread run.
    with ThreadPoolExecutor(1) as beside:
        sketched = (
            beside.submit(sketch_pairs, prints, max_df, sketch_terms, min_sketch_sentences)
            if sketches and len(prints) >= 2
            else None
        )
        pair_keys, counts, from_hubs = _pair_counts(packed, max_df, ranks)
        more = [] if sketched is None else [sketched.result()]
    chosen = (counts - from_hubs >= min_shared) | (from_hubs >= max(min_shared, HUB_MIN_SHARED))
    keys, shared = pair_keys[chosen], counts[chosen]
    if names and len(prints) >= 2:
        names_packed = PackedHashes.of([p.names for p in prints])
        name_keys, name_counts, _ = _pair_counts(names_packed, max_df)
        more.append(name_keys[name_counts >= min_shared_names])
    if more:
        extra = np.unique(np.concatenate(more))
        extra = extra[~np.isin(extra, keys)]
        if len(extra):
            # their n-gram counts, too few to link them (0 when they share none)
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


def publication_ranks(dates: Sequence[str | None]) -> np.ndarray:
    """Each article's rank by its publication date (`Article.published`), 0 first: the
    earliest leads a hub (see `candidates_of`). Undated articles come after dated ones; ties
    keep the input order."""
    keys = [publication_key(d) for d in dates]
    order = sorted(range(len(dates)), key=lambda i: (keys[i], i))
    ranks = np.empty(len(dates), dtype=np.int64)
    ranks[order] = np.arange(len(dates))
    return ranks


_UNDATED = datetime.max.replace(tzinfo=timezone.utc)


def publication_key(published: str | None) -> datetime:
    """What `publication_ranks` orders articles by (then by their order in the input)."""
    return parse_date(published) or _UNDATED


_SENTENCE_END = re.compile(r"[.!?:;\n\"“”]")
_SENTENCE_END_CODES = np.array([ord(c) for c in ".!?:;\n\"“”"], dtype=np.uint32)


def name_hashes(doc: CleanArticle) -> np.ndarray:
    """Hashes of the names (capitalised words not opening a sentence) and multi-digit numbers
    an article mentions: what two reports of one event share even in other words."""
    batch = _Batch.of([doc])
    hashes = _word_table.fields(batch.words)[0]
    return _batch_names(batch, reading(batch.joined)[1], hashes)[0]


def _batch_names(batch: _Batch, codes: np.ndarray, hashes: np.ndarray) -> list[np.ndarray]:
    """`name_hashes` of each article of a batch; `codes`: the joined text's code points;
    `hashes`: each word's `word_hash`."""
    text, starts, ends = batch.joined, batch.starts, batch.ends
    if not len(starts):
        return [_NO_WORDS] * len(batch.docs)
    # Only words that open with a capital or a digit can count: few, so look at them alone,
    # found among the rest in one pass over their first code points (a to z open most words).
    firsts = codes[starts]
    chosen = np.flatnonzero((firsts < 97) | (firsts > 122))
    first = firsts[chosen]
    digit = (first >= 48) & (first <= 57)
    upper = (first >= 65) & (first <= 90)
    for k in np.flatnonzero(first > 127).tolist():  # ("É", "²": asked of Python)
        letter = text[starts[chosen[k]]]
        digit[k], upper[k] = letter.isdigit(), letter.isupper()
    # A number of two digits or more...
    numbers = chosen[digit]
    if len(numbers):
        long = np.fromiter(map(len, map(batch.words.__getitem__, numbers.tolist())),
                           dtype=np.int64, count=len(numbers))  # fmt: skip
        numbers = numbers[long >= 2]
    # ...or a capitalised word that opens no sentence, nor follows a sentence mark or a quote.
    opening = np.zeros(len(starts), dtype=bool)
    opening[batch.word_starts[batch.counts > 0]] = True
    capitals = chosen[upper]
    capitals = capitals[~opening[capitals]]
    gap_ends = starts[capitals]
    gap_starts = ends[capitals - 1]
    gaps = gap_ends - gap_starts
    # The first and last characters between the words looked up (". ", " " and ", " are most
    # gaps); the middle of longer gaps searched.
    after_mark = np.zeros(len(capitals), dtype=bool)
    some = gaps > 0
    after_mark[some] = np.isin(codes[gap_ends[some] - 1], _SENTENCE_END_CODES) | np.isin(
        codes[gap_starts[some]], _SENTENCE_END_CODES
    )
    for k in np.flatnonzero((gaps > 2) & ~after_mark).tolist():
        after_mark[k] = _SENTENCE_END.search(text, gap_starts[k], gap_ends[k]) is not None
    named = np.concatenate((numbers, capitals[~after_mark]))
    # Each article's distinct hashes, sorted: one sort of (article, hash) for the batch.
    doc_of = np.searchsorted(batch.word_starts, named, side="right") - 1
    found, owners = hashes[named], doc_of
    order = np.lexsort((found, owners))
    found, owners = found[order], owners[order]
    new = np.ones(len(found), dtype=bool)
    new[1:] = (found[1:] != found[:-1]) | (owners[1:] != owners[:-1])
    found, owners = found[new], owners[new]
    edges = np.searchsorted(owners, np.arange(len(batch.docs) + 1))
    return [found[a:b] for a, b in pairwise(edges.tolist())]


def _runs(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each run of equal `values` (sorted) starts, and its length."""
    if len(values) == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    new = np.empty(len(values), dtype=bool)
    new[0] = True
    np.not_equal(values[1:], values[:-1], out=new[1:])
    starts = np.flatnonzero(new)
    return starts, np.diff(np.append(starts, len(values)))


def _run_pairs(
    run_starts: np.ndarray,
    run_lengths: np.ndarray,
    owners: np.ndarray,
    max_size: int,
    n_owners: int,
) -> list[np.ndarray]:
    """For runs (see `_runs`) of 2..`max_size` entries: every pair of their `owners`, each as
    `low * n_owners + high` (owners sorted within each run)."""
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


def _counted(keys: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of `keys` (sorted) and how often each occurs."""
    if not keys:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    every = np.concatenate(keys)
    every.sort()
    starts, counts = _runs(every)
    return every[starts], counts


def owner_bits(n_docs: int) -> int:
    """The low bits of a packed hash that hold its article's number (see `PackedHashes`)."""
    return max(1, (max(n_docs, 2) - 1).bit_length())


def pack_hashes(
    hashes: np.ndarray, counts: np.ndarray, first: int, bits: int, out: np.ndarray | None = None
) -> np.ndarray:
    """Articles `first`, `first + 1`, ...'s hashes (`counts[i]` of them for each, one after
    another), each with its low `bits` replaced by its article's number: into `out` if given."""
    out = np.empty(len(hashes), dtype=np.uint64) if out is None else out
    np.bitwise_and(hashes, ~np.uint64((1 << bits) - 1), out=out)
    if len(counts) == 1:
        out |= np.uint64(first)
    else:
        out |= np.repeat(np.arange(first, first + len(counts), dtype=np.uint64), counts)
    return out


class PackedHashes:
    """Many articles' hashes in one array, as `_pair_counts` sorts them: each hash with its low
    bits replaced by its article's number. Filled as fingerprints arrive, so that the
    per-article arrays need not be kept (a hundred thousand articles hold sixty million
    n-grams). Hashes that differ only in those low bits (at least 44 bits are kept up to a
    million articles) count as one: a rare, harmless extra link."""

    def __init__(self, n_docs: int, capacity: int) -> None:
        self.n_docs = n_docs
        self.bits = owner_bits(n_docs)
        self._keys = np.empty(capacity, dtype=np.uint64)
        self._filled = 0
        self._owner = 0

    def add(self, hashes: np.ndarray) -> None:
        """The next article's hashes (articles are numbered in the order they are added)."""
        first = self._owner
        pack_hashes(hashes, np.array([len(hashes)]), first, self.bits,
                    out=self._segment(len(hashes), 1))  # fmt: skip

    def add_packed(self, keys: np.ndarray, first: int, articles: int) -> None:
        """Articles `first` to `first + articles - 1`, packed already (`pack_hashes`: a worker
        packs its part)."""
        if first != self._owner:
            raise ValueError(f"article {first} given where article {self._owner} is due")
        self._segment(len(keys), articles)[:] = keys

    def _segment(self, size: int, articles: int) -> np.ndarray:
        """Room for the next `articles` articles' `size` keys."""
        if self._owner + articles > self.n_docs:
            raise ValueError(f"more than the {self.n_docs} articles announced")
        end = self._filled + size
        if end > len(self._keys):  # more than announced: grow (a copy, but never wrong)
            grown = np.empty(max(end, 2 * len(self._keys)), dtype=np.uint64)
            grown[: self._filled] = self._keys[: self._filled]
            self._keys = grown
        segment = self._keys[self._filled : end]
        self._filled, self._owner = end, self._owner + articles
        return segment

    def take(self) -> np.ndarray:
        """The packed keys (unsorted), handed over: this object holds them no longer."""
        keys, self._keys = self._keys[: self._filled], np.empty(0, dtype=np.uint64)
        return keys

    @classmethod
    def of(cls, hashes: Sequence[np.ndarray]) -> PackedHashes:
        """Each article's hashes, packed in one go (one NumPy call, not one an article)."""
        counts = np.fromiter(map(len, hashes), dtype=np.int64, count=len(hashes))
        packed = cls(len(hashes), int(counts.sum()))
        if len(hashes):
            every = np.concatenate(hashes).astype(np.uint64, copy=False)
            packed.add_packed(pack_hashes(every, counts, 0, packed.bits), 0, len(hashes))
        return packed


def _pair_counts(
    packed: PackedHashes, max_df: int, ranks: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every pair of articles sharing a hash found in 2..`max_df` of them: pair keys
    (`a * n + b`, sorted), how many distinct hashes each pair shares, and how many of those
    are hub hashes (0 without `ranks`).

    With `ranks` (each article's rank, 0 first: see `publication_ranks`), a hash found in more
    than `max_df` articles (a hub: a passage syndicated widely, or a stock phrase) links each
    of them to the one ranked first alone, not all to all, so that a story copied by thousands
    of outlets costs as many pairs as it has copies.

    The posting lists come from one sort of one array (`PackedHashes`): sorting plain integers
    is several times faster than sorting by two keys, and needs no second array.
    """
    empty = np.empty(0, dtype=np.int64)
    n_docs, bits = packed.n_docs, packed.bits
    keys = packed.take()
    if n_docs < 2 or len(keys) == 0:
        return empty, empty, empty
    low = np.uint64((1 << bits) - 1)
    # (NumPy's default sort of integers, vectorised, beats timsort's merging of the sorted
    # runs they arrive in by a quarter.)
    keys.sort()
    # Most n-grams are in one article: keep only entries whose kept bits recur. Every step
    # below uses masks of bytes and slices, never index arrays as long as the input (a
    # hundred thousand articles hold sixty million n-grams).
    repeated = _new_runs(keys, bits)
    np.logical_not(repeated, out=repeated)  # the same n-gram as the entry before
    shared = repeated.copy()
    shared[:-1] |= repeated[1:]
    del repeated
    keys = keys[shared]
    del shared
    keys = keys[_new_runs(keys, 0)]  # an article holding two hashes that agree in the kept bits
    new = _new_runs(keys, bits)
    starts = np.flatnonzero(new)
    del new
    lengths = np.diff(np.append(starts, len(keys)))
    wanted = (lengths >= 2) & (lengths <= max_df)
    hub = lengths > max_df if ranks is not None else np.zeros(len(lengths), dtype=bool)
    owner_type = np.int32 if n_docs < 2**31 else np.int64
    owners = (keys[np.repeat(wanted, lengths)] & low).astype(owner_type)
    hub_owners = (keys[np.repeat(hub, lengths)] & low).astype(np.int64) if hub.any() else empty
    del keys
    hub_lengths = lengths[hub]
    lengths = lengths[wanted]
    offsets = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    pair_keys, counts = _counted(_run_pairs(offsets, lengths, owners, max_df, n_docs))
    if ranks is None or not len(hub_owners):
        return pair_keys, counts, np.zeros(len(pair_keys), dtype=np.int64)
    hub_keys, hub_counts = _led_pairs(hub_owners, hub_lengths, ranks, n_docs)
    every = np.union1d(pair_keys, hub_keys)
    total = np.zeros(len(every), dtype=np.int64)
    from_hubs = np.zeros(len(every), dtype=np.int64)
    total[np.searchsorted(every, pair_keys)] = counts
    at = np.searchsorted(every, hub_keys)
    from_hubs[at] = hub_counts
    total[at] += hub_counts
    return every, total, from_hubs


def _led_pairs(
    owners: np.ndarray, lengths: np.ndarray, ranks: np.ndarray, n_owners: int
) -> tuple[np.ndarray, np.ndarray]:
    """For runs of `owners` (one after another, of `lengths`): each owner paired with its run's
    lead, the owner `ranks` puts first, as `low * n_owners + high`; the distinct pairs (sorted)
    and how many runs gave each."""
    by_rank = np.empty(len(ranks), dtype=np.int64)
    by_rank[ranks] = np.arange(len(ranks))
    lead_ranks = np.minimum.reduceat(ranks[owners], np.cumsum(lengths) - lengths)
    leads = np.repeat(by_rank[lead_ranks], lengths)
    others = owners != leads
    leads, members = leads[others], owners[others]
    low, high = np.minimum(leads, members), np.maximum(leads, members)
    return _counted([low * np.int64(n_owners) + high])


def _new_runs(keys: np.ndarray, bits: int) -> np.ndarray:
    """Whether each of sorted `keys` opens a new run of keys equal but in their low `bits`,
    found in slices (no second array of eight-byte values)."""
    new = np.empty(len(keys), dtype=bool)
    new[:1] = True
    for at in range(0, len(keys) - 1, 1 << 22):
        end = min(at + (1 << 22), len(keys) - 1)
        np.greater_equal(
            keys[at + 1 : end + 1] ^ keys[at:end], np.uint64(1 << bits), out=new[at + 1 : end + 1]
        )
    return new


_PAIR_MIX = np.uint64(0x9E3779B97F4A7C15)
#: words per sketch (`_sketches_of_sorted` makes triples)
SKETCH_SIZE = 3
#: "sentences" with more distinct content words are lists, tables or unpunctuated text: a
#: sample of their many words matches other such runs by chance, so they are not sketched
MAX_SKETCH_WORDS = 40


def sketches_of(
    hashes: np.ndarray,
    sentences: np.ndarray,
    sketch_terms: int = 6,
    part: tuple[int, int] = (0, 1),
) -> tuple[np.ndarray, np.ndarray]:
    """Sketches from rare content-word hashes and their sentence numbers: per sentence, every
    `SKETCH_SIZE` combination of its `sketch_terms` lowest hashes, mixed into one value (the
    mix's top 40 bits: see `_SENTENCE_BITS`). Returns `(sketches, sentences)`, one row per
    distinct (sketch, sentence), sorted. With `part=(k, n)`, only the sketches equal to k
    modulo n: one n-th of them, to bound memory."""
    if not _sorted_by(sentences, hashes):
        order = np.lexsort((hashes, sentences))
        hashes, sentences = hashes[order], sentences[order]
    return _sketches_of_sorted(hashes, sentences, sketch_terms, part)


def _sketches_of_sorted(
    hashes: np.ndarray, sentences: np.ndarray, sketch_terms: int, part: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray]:
    """`sketches_of` for terms in order of sentence, then hash."""
    empty = np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.int64)
    if len(hashes) == 0:
        return empty
    starts, sizes = _runs(sentences)
    out_hashes: list[np.ndarray] = []
    out_sentences: list[np.ndarray] = []
    # A block of sentences at a time: each holds `sketch_terms` arrays of its words at once.
    for block in range(0, len(starts), _SKETCH_BLOCK):
        end = block + _SKETCH_BLOCK
        for mixed, owners in _block_sketches(hashes, sentences, starts[block:end],
                                             sizes[block:end], sketch_terms):  # fmt: skip
            mixed >>= _SENTENCE_BITS
            if part[1] > 1:
                chosen = mixed % np.uint64(part[1]) == np.uint64(part[0])
                mixed, owners = mixed[chosen], owners[chosen]
            out_hashes.append(mixed)
            out_sentences.append(owners)
    if not out_hashes:
        return empty
    all_hashes, all_sentences = np.concatenate(out_hashes), np.concatenate(out_sentences)
    if not len(all_sentences):
        return all_hashes, all_sentences
    if all_sentences.min() >= 0 and all_sentences.max() < 1 << int(_SENTENCE_BITS):
        # Sketch and sentence in one integer: one plain sort (a quarter of an argsort's time)
        # orders them by both, and equal neighbours are the same row.
        keys = (all_hashes << _SENTENCE_BITS) | all_sentences.astype(np.uint64)
        keys = _distinct(keys)
        return keys >> _SENTENCE_BITS, (keys & _SENTENCE_MASK).astype(all_sentences.dtype)
    order = np.lexsort((all_sentences, all_hashes))
    all_hashes, all_sentences = all_hashes[order], all_sentences[order]
    distinct = np.ones(len(all_hashes), dtype=bool)
    distinct[1:] = (all_hashes[1:] != all_hashes[:-1]) | (all_sentences[1:] != all_sentences[:-1])
    return all_hashes[distinct], all_sentences[distinct]


#: a sketch keeps the top `64 - _SENTENCE_BITS` bits of its mix (40: two sketches of a hundred
#: million agree by chance a few thousand times, and an article pair needs two sentence pairs),
#: so that it packs with a sentence number below `2 ** _SENTENCE_BITS` into one integer
_SENTENCE_BITS = np.uint64(24)
_SENTENCE_MASK = np.uint64((1 << 24) - 1)


#: sentences whose sketches are made at a time (their words take `sketch_terms` arrays)
_SKETCH_BLOCK = 1 << 18


def _block_sketches(
    hashes: np.ndarray, sentences: np.ndarray, starts: np.ndarray, sizes: np.ndarray, terms: int
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """For sentences (their terms from `starts`, `sizes` of them), each triple of their first
    `terms` terms mixed into one sketch, with its sentence: one array of each per triple."""
    # Sentences with the most terms first: those with more than `rank` terms are then the
    # first `reach[rank]`, and each word of a sketch is a slice, not a gather.
    order = np.argsort(-sizes, kind="stable")
    starts, sizes = starts[order], sizes[order]
    owners = sentences[starts]
    reach = [int(np.count_nonzero(sizes > rank)) for rank in range(terms)]
    with np.errstate(over="ignore"):
        words = []
        for rank in range(terms):
            word = hashes[starts[: reach[rank]] + rank]
            words.append((word << np.uint64(17)) | (word >> np.uint64(47)))
        for first, second in combinations(range(terms - 1), 2):
            # the first two words' mix, shared by every third word after them
            two = words[first][: reach[second]] * _PAIR_MIX ^ words[second]
            for third in range(second + 1, terms):
                yield (two[: reach[third]] * _PAIR_MIX) ^ words[third], owners[: reach[third]]


def _sorted_by(first: np.ndarray, second: np.ndarray) -> bool:
    """Whether rows are in order of `first`, then of `second`."""
    if len(first) < 2:
        return True
    rising = first[1:] > first[:-1]
    level = first[1:] == first[:-1]
    return bool(np.all(rising | level) and np.all(second[1:][level] >= second[:-1][level]))


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
    hashes, sentences, owner = _rare_sentence_terms(prints, max_df)
    all_hashes, all_sentences = sketches_of(hashes, sentences, sketch_terms)
    return all_hashes, owner[all_sentences], all_sentences


def _rare_sentence_terms(
    prints: Sequence[Fingerprint], max_df: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The terms of every sentence found in at most `max_df` articles, their sentence numbers
    (counting across articles, in order) and each sentence's article.

    Filled a block of articles at a time into arrays made once: at a hundred thousand articles
    the terms number forty million, and whole-corpus temporaries would cost gigabytes."""
    spans = np.fromiter(
        (int(p.sentences[-1]) + 1 if len(p.sentences) else 0 for p in prints),
        dtype=np.int64, count=len(prints),
    )  # fmt: skip
    n_sentences = int(spans.sum())
    number_type = np.int32 if n_sentences < 2**31 else np.int64
    sentence_doc = np.repeat(np.arange(len(prints), dtype=number_type), spans)
    total = sum(len(p.terms) for p in prints)
    hashes = np.empty(total, dtype=np.uint64)
    sentences = np.empty(total, dtype=number_type)
    if total == 0:
        return hashes, sentences, sentence_doc
    bits, stock = _common_terms(prints, max_df)
    common = HashLookup(stock)
    firsts = np.cumsum(spans) - spans
    filled = 0
    for block in range(0, len(prints), _BLOCK):
        chosen = prints[block : block + _BLOCK]
        terms = np.concatenate([p.terms for p in chosen])
        offsets = np.repeat(firsts[block : block + _BLOCK], [len(p.terms) for p in chosen])
        numbers = (np.concatenate([p.sentences for p in chosen]) + offsets).astype(number_type)
        if len(stock) and len(terms):
            rare = ~common.holds(terms >> np.uint64(bits))
            terms, numbers = terms[rare], numbers[rare]
        end = filled + len(terms)
        hashes[filled:end] = terms
        sentences[filled:end] = numbers
        filled = end
    return hashes[:filled], sentences[:filled], sentence_doc


#: articles whose terms are looked at together (one NumPy call for hundreds of small ones)
_BLOCK = 512


class HashLookup:
    """Which of many uint64 values are among a few thousand (the run's common terms): each
    value's slot in a table of `2 ** SLOT_BITS` (a multiplicative hash of it) holds the member
    falling there, and only values whose slot holds several members are searched for among
    them, sorted. Four to five times faster than searching for every value."""

    SLOT_BITS = 16
    _MIX = np.uint64(0x9E3779B97F4A7C15)  # odd: every bit of a value reaches the top bits

    def __init__(self, members: np.ndarray) -> None:
        self.members = np.unique(members.astype(np.uint64, copy=False))
        slots = self._slots(self.members)
        self.held = np.bincount(slots, minlength=1 << self.SLOT_BITS)
        self.member = np.zeros(1 << self.SLOT_BITS, dtype=np.uint64)
        self.member[slots] = self.members

    def _slots(self, values: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            return ((values * self._MIX) >> np.uint64(64 - self.SLOT_BITS)).astype(np.intp)

    def holds(self, values: np.ndarray) -> np.ndarray:
        """Whether each of `values` (uint64) is a member."""
        slots = self._slots(values)
        held = self.held[slots]
        found = (held == 1) & (self.member[slots] == values)
        crowded = np.flatnonzero(held > 1)
        if len(crowded):
            some = values[crowded]
            at = np.minimum(np.searchsorted(self.members, some), len(self.members) - 1)
            found[crowded] = self.members[at] == some
        return found


def _common_terms(prints: Sequence[Fingerprint], max_df: int) -> tuple[int, np.ndarray]:
    """The content terms found in more than `max_df` articles: `(bits, stock)`, where `stock`
    holds their hashes shifted right by `bits` (sorted), as `PackedHashes` keeps them."""
    packed = PackedHashes(len(prints), sum(len(p.terms) for p in prints))
    bits = packed.bits
    for block in range(0, len(prints), _BLOCK):
        chosen = prints[block : block + _BLOCK]
        counts = np.array([len(p.terms) for p in chosen])
        keys = pack_hashes(np.concatenate([p.terms for p in chosen]), counts, block, bits)
        # Each term once an article, block by block (one copy of all the terms' keys would
        # cost hundreds of MB at 100,000 articles). A term's hash keeps its top `TERM_BITS`
        # bits only, so packing it with its article's number loses nothing (below 2 ** 24
        # articles).
        packed.add_packed(_distinct(keys), block, len(chosen))
    keys = packed.take()
    if len(keys) == 0:
        return bits, keys
    keys.sort()
    starts = np.flatnonzero(_new_runs(keys, bits))  # where each term's run starts
    df = np.diff(np.append(starts, len(keys)))
    return bits, keys[starts[df > max_df]] >> np.uint64(bits)


def sketch_pairs(
    prints: Sequence[Fingerprint],
    max_df: int = 100,
    sketch_terms: int = 6,
    min_sketch_sentences: int = 2,
) -> np.ndarray:
    """Pairs of articles (as sorted keys `a * len(prints) + b`) with at least
    `min_sketch_sentences` sentence pairs sharing a sketch.

    The sketches are made and paired in parts (by sketch value), so that only one part of them
    is held at a time: a sketch's sentences all fall in its part.
    """
    # In order of sentence, then hash, as `fingerprint` left them.
    hashes, sentences, sentence_doc = _rare_sentence_terms(prints, max_df)
    if len(hashes) == 0:
        return np.empty(0, dtype=np.int64)
    n_sentences = len(sentence_doc)
    parts = 1 + len(hashes) // SKETCH_PART_TERMS
    found: list[np.ndarray] = []
    for part in range(parts):
        sketches, owners = _sketches_of_sorted(hashes, sentences, sketch_terms, (part, parts))
        found.append(_sketch_sentence_pairs(sketches, owners, sentence_doc, max_df))
    sentence_pairs = np.unique(np.concatenate(found))
    first, second = sentence_pairs // n_sentences, sentence_pairs % n_sentences
    doc_a, doc_b = sentence_doc[first], sentence_doc[second]
    across = doc_a != doc_b
    n_docs = np.int64(len(prints))
    doc_keys = np.minimum(doc_a, doc_b)[across] * n_docs + np.maximum(doc_a, doc_b)[across]
    pair_keys, counts = _counted([doc_keys])
    return pair_keys[counts >= min_sketch_sentences]


#: content terms whose sketches are paired at a time (a part's sketches take ~50 bytes a term)
SKETCH_PART_TERMS = 2_000_000


def _sketch_sentence_pairs(
    hashes: np.ndarray, sentences: np.ndarray, sentence_doc: np.ndarray, max_df: int
) -> np.ndarray:
    """Pairs of sentences (`a * n_sentences + b`) sharing a sketch found in at most `max_df`
    articles, from sketches sorted by (sketch, sentence)."""
    if len(hashes) == 0:
        return np.empty(0, dtype=np.int64)
    doc_of = sentence_doc[sentences]
    # Rows come sorted by (sketch, sentence), hence by (sketch, article): sentences are numbered
    # article after article. A sketch in too many articles is a stock pairing: skipped.
    new_doc = np.ones(len(hashes), dtype=bool)
    new_doc[1:] = (hashes[1:] != hashes[:-1]) | (doc_of[1:] != doc_of[:-1])
    run = np.concatenate(([0], np.cumsum(hashes[1:] != hashes[:-1])))
    docs_per_run = np.bincount(run, weights=new_doc).astype(np.int64)
    common = docs_per_run[run] > max_df
    hashes, sentences = hashes[~common], sentences[~common]
    starts, lengths = _runs(hashes)
    pairs, _ = _counted(_run_pairs(starts, lengths, sentences, 2 * max_df, len(sentence_doc)))
    return pairs
