"""Synonym spinning: how spun a text looks, its swapped words put back, and a spinner for tests.

Scraper sites disguise copied articles with "spinners" that swap words for thesaurus entries with
no regard for meaning or part of speech: "in the dark" becomes "successful the dark", "he told me"
becomes "helium told maine". Every swap leaves a word that fits its neighbours far worse than a
word it may stand for. This module treats spinning as a noisy channel:

- the original text comes from a word-pair (bigram) language model, from web counts of words and
  word pairs (the `wordsegment` package, Apache-2.0, read at run time; nothing derived from it is
  shipped). Numbers in digits are one class ("<num> percent" stands for "two percent", "five
  percent"...), and a capitalised word inside a sentence is a name: as the first word of a pair
  it is looked up as written ("smith said") or as any WordNet name, as the second it says nothing;
- a spinner swapped each word that its thesaurus lists with probability `rate`, for one of the
  word's entries (`data/spin-thesaurus.json.gz`, built from WordNet 3.0 by
  `scripts/build_spin_data.py`; plus one-word swaps seen in real "tortured phrases"), the first
  entry more often than the others, as real spinners do.

`spin_score` weighs each word against the words it may replace, in its context, and estimates
`rate` by EM over that two-part mixture: element names in function-word slots ("helium told"),
"successful the" for "in the", rare words where a common neighbour fits far better. `despin`
finds the most likely original sentence by sentence, and `restore_words` does the same on a
cleaned article's normalised words, one word for one word, so offsets stay valid. Restoring reads
more context than scoring: a second-order Viterbi search over {keep, candidate originals} per
word, each word weighed after the two before it by a word-trigram model (CMU Sphinx's US English
model, which the `pocketsphinx` package ships: see `copydesk.trigrams`) as well as by the web
pairs. Every change must pay for itself under the estimated rate: putting that word alone back
must cost the path at least `MIN_MARGIN`. The weights and the cost per change were tuned on a
training corpus kept apart from the news used for evaluation (see `benchmarks/bench_spin.py
--corpus train`). Scoring keeps to word pairs: it runs on every article of a scan, restoring only
on the spun ones.

Restoration is bounded by the language models: a swap between two plausible words ("contract"
for "policy", "movie" for "film", "same" for "said" after a name) often leaves no trace that
three words of context can see.
"""

from __future__ import annotations

import functools
import gzip
import json
import math
import random
import re
import threading
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from difflib import Match
from importlib import resources
from itertools import islice
from typing import Any

import numpy as np

from .align import matching_blocks
from .clean import WORD_RE, normalise_word
from .model import Change, CleanArticle, Pair, Restoration, SpinReport
from .trigrams import trigram_model

DATA_FILE = "spin-thesaurus.json.gz"

# --- the language model -------------------------------------------------------------------------
#: tokens behind the counts of `wordsegment` (Google's web corpus, as Peter Norvig published it)
LOG_TOTAL = math.log(1024908267229.0)
#: word pairs seen fewer times than this are not listed: an unlisted pair was seen 0..this often
BIGRAM_FLOOR = 100_000.0
#: count given to a word missing from the unigram list (the list stops at about 12,700)
UNSEEN_COUNT = 2_000.0
#: the largest surprise one word pair may add or take away (natural log)
MAX_ASSOC = 7.0
#: weight of the word-pair association against the words' own frequencies
PAIR_WEIGHT = 1.0
#: weight of the words' own (log) probabilities: below 1, a rare word is not suspect for its rarity
PRIOR_WEIGHT = 0.8
#: share of the unigram probability taken from the words of the text itself (a cache)
CACHE_WEIGHT = 0.1
SENTENCE = "<s>"
#: the end of a sentence, as the trigram model writes it (restoring weighs it)
SENTENCE_END = "</s>"
#: the class of numbers written in digits, and the spelled numbers whose word pairs stand for it
NUMBER = "<num>"
NUMBER_WORDS = (
    "two three four five six seven eight nine ten eleven twelve fifteen twenty thirty forty"
    " fifty sixty hundred"
).split()
#: the class of proper names (the shipped WordNet names), as the first word of a pair
NAME = "<name>"
#: a capitalised word inside a sentence: its key is this mark and its lower-case form. As the
#: first word of a pair it is looked up as written, else as any name ("Smith said"); as the
#: second word it says nothing (the lists hold few pairs whose second word was capitalised:
#: "in April" is missing)
NAME_MARK = "^"

#: restoring weighs each word against the two before it: the trigram model's surprise (see
#: `copydesk.trigrams`) and the web pairs' association, weighted so (tuned on the training corpus)
TRIGRAM_WEIGHT = 0.7
WEB_PAIR_WEIGHT = 0.5
#: ...and the words' own (log) probabilities, as `PRIOR_WEIGHT` does when scoring
RESTORE_PRIOR_WEIGHT = 1.0
#: word pairs whose fit restoring remembers, at most
PAIR_FIT_CACHE = 1 << 20
#: words whose scoring states are remembered (a worker scores a stream of articles that share
#: most of their words)
ROW_CACHE = 1 << 16
#: word pairs whose association those rows remember, at most (most pairs repeat too; about 200
#: bytes each, so 50 MB at most)
ROW_PAIR_CACHE = 1 << 18

# --- the channel --------------------------------------------------------------------------------
#: share of a spinner's picks that go to a word's first thesaurus entry (the rest: any entry),
#: before a text's own restorations tell its spinner's habit (see `_first_entry_share`)...
FIRST_ENTRY_SHARE = 0.3
#: ...which they do with the weight of this many restorations against that prior
SHARE_PRIOR = 10.0
#: candidate originals kept per spun word (the most likely a priori)
MAX_CANDIDATES = 10
#: candidate originals weighed per word when scoring (restoring weighs all MAX_CANDIDATES)
SCORE_CANDIDATES = 4
#: originals rarer than this (per token) are never proposed
MIN_ORIGINAL_LOGP = math.log(2e5) - LOG_TOTAL
#: extra cost of changing a capitalised word at the start of a sentence (spinners rarely do)
CAPITAL_COST = 2.0
#: rates assumed when restoring: never below / above these
MIN_RATE, MAX_RATE = 0.002, 0.5
#: originals listed per spun word; beyond MAX_CANDIDATES, restoring weighs those the text uses
MAX_REVERSE = 40
#: restoration passes (the second sees the first's restored words in the text's word counts)
RESTORE_PASSES = 2
#: the estimated rate counts only the swaps that show; restoring assumes this many times more
RATE_FACTOR = 2.0
#: a change stays only if putting that word alone back costs the best path at least this much
#: (nats): the cost per change, tuned on the training corpus of `benchmarks/bench_spin.py
#: --corpus train` (never on the news used for evaluation) to keep false changes under 1%
MIN_MARGIN = 2.5

# --- the decision -------------------------------------------------------------------------------
#: estimated rate at which a text counts as spun, and the evidence (log-likelihood ratio) needed
SPUN_RATE = 0.03
SPUN_EVIDENCE = 5.0
#: the rate of swap-like words in plain text: the evidence must beat it
PLAIN_RATE = 0.015
#: a word's evidence (log-likelihood ratio, natural log) to be listed as a hit
HIT_EVIDENCE = 3.0
EM_ROUNDS = 100
#: occurrences of one word that count as evidence
MAX_REPEATS = 2

#: text between two words that ends a sentence (the language model restarts there)
BREAK_RE = re.compile(r"[.!?;:\n\r()\[\]{}]")


@dataclass(frozen=True)
class _Candidate:
    original: str
    #: log q(spun | original): how likely the spinner turns `original` into the spun word
    log_q: float
    #: log P(original) + log_q, for ranking
    prior: float
    #: PRIOR_WEIGHT * log P(original) + log_q: the state's score before context
    unary: float
    #: whether the spun word is the original's first thesaurus entry
    first: bool = False
    #: how many entries the original has (what a spinner draws from)
    entries: int = 1

    def log_q_at(self, share: float) -> float:
        """log q(spun | original) for a spinner taking the first entry in `share` of swaps."""
        return _log_q(self.first, self.entries, share)


def _log_q(first: bool, entries: int, share: float = FIRST_ENTRY_SHARE) -> float:
    """log q(spun | original) for a spinner that takes an original's first of `entries` in
    `share` of swaps, else any entry: the spun word being that first entry, or another."""
    uniform = (1.0 - share) / entries
    return math.log(share + uniform if first else uniform)


class SpinModel:
    """The thesaurus (forward, for the spinner; reverse, for restoring) and the language model.

    Loading takes about a second; `model()` returns one shared instance.
    """

    def __init__(self) -> None:
        data = _shipped_data()
        # One copy a process: a scan's main process may have read the thesaurus alone already.
        read = _thesaurus_alone.cache_info().currsize
        self.thesaurus = _thesaurus_alone() if read else _thesaurus_of(data)
        self.log_counts: dict[str, float] = {}
        #: each listed word pair's association (see `assoc`), by first word, then second
        self.pairs: dict[str, dict[str, float]] = {}
        self._load_counts(frozenset(data.get("names", "").split()))
        self.reverse = self._reverse(data.get("tortured", {}))
        self._pair_fits: dict[str, float] = {}
        self.score_rows: dict[tuple[str, str, str, bool], _ScoreRow] = {}
        #: word pairs remembered by the rows of `score_rows`
        self.row_pairs = 0

    def _load_counts(self, names: frozenset[str]) -> None:
        package = resources.files("wordsegment")
        counts: dict[str, float] = {}
        with package.joinpath("unigrams.txt").open(encoding="utf-8") as handle:
            for line in handle:
                word, _, count = line.rpartition("\t")
                counts[word] = counts.get(word, 0.0) + float(count)
        pairs: dict[str, float] = {}
        starts = 0.0
        with package.joinpath("bigrams.txt").open(encoding="utf-8") as handle:
            for line in handle:
                pair, _, count = line.rpartition("\t")
                value = float(count)
                # The lists fold case: "In the" and "in the" are both there.
                pairs[pair] = pairs.get(pair, 0.0) + value
                if pair.startswith("<s> "):
                    starts += value
        # Sentence starts: the listed pairs "<s> w" cover most of them.
        counts[SENTENCE] = starts * 1.25
        self.log_counts = {word: math.log(count) for word, count in counts.items()}
        # Each listed pair's association, ready: log(seen / expected by chance), capped.
        log_counts = self.log_counts
        self.pairs = {}
        numbers = frozenset(NUMBER_WORDS)
        names = frozenset(name for name in names if name in log_counts)
        # Classes: a pair with a class stands for the pairs of its members, by the count-weighted
        # mean of their associations (an unlisted member pair adds nothing): "<num> percent"
        # from "two percent", "five percent"...; "<name> said" from "clinton said"...
        weights = {NUMBER: sum(counts[w] for w in numbers if w in counts),
                   NAME: sum(counts[w] for w in names)}  # fmt: skip
        class_pairs: dict[str, float] = {}
        for pair, seen in pairs.items():
            a, _, b = pair.partition(" ")
            if a in log_counts and b in log_counts:
                expected = log_counts[a] + log_counts[b] - LOG_TOTAL
                value = min(MAX_ASSOC, math.log(seen) - expected)
                self.pairs.setdefault(a, {})[b] = value
                shares = []
                if a in numbers:
                    shares.append((NUMBER + " " + b, counts[a] / weights[NUMBER]))
                elif a in names:
                    shares.append((NAME + " " + b, counts[a] / weights[NAME]))
                if b in numbers:
                    shares.append((a + " " + NUMBER, counts[b] / weights[NUMBER]))
                for key, share in shares:
                    class_pairs[key] = class_pairs.get(key, 0.0) + share * value
        for pair, value in class_pairs.items():
            a, _, b = pair.partition(" ")
            self.pairs.setdefault(a, {})[b] = value

    def _reverse(self, tortured: dict[str, dict[str, int]]) -> dict[str, tuple[_Candidate, ...]]:
        """Spun word -> the originals it may stand for, most likely first."""
        found: dict[str, dict[str, float]] = {}
        shapes: dict[tuple[str, str], tuple[bool, int]] = {}
        for original, listed in self.thesaurus.items():
            if not _swappable(original) or self.logp(original) < MIN_ORIGINAL_LOGP:
                continue
            # A spinner puts words for words: its first entry of "two" is "ii", not "2".
            entries = [entry for entry in listed if entry.isalpha()]
            if not entries:
                continue
            for rank, spun in enumerate(entries):
                found.setdefault(spun, {})[original] = _log_q(rank == 0, len(entries))
                shapes[spun, original] = (rank == 0, len(entries))
        for spun, originals in tortured.items():
            for original in originals:
                if (
                    original in self.thesaurus
                    and _swappable(original)
                    and self.logp(original) >= MIN_ORIGINAL_LOGP
                ):
                    size = sum(e.isalpha() for e in self.thesaurus[original]) + 1
                    log_q = _log_q(False, size)
                    options = found.setdefault(spun, {})
                    if log_q > options.get(original, -math.inf):
                        options[original] = log_q
                        shapes[spun, original] = (False, size)
        reverse = {}
        for spun, options in found.items():
            ranked = sorted(
                (
                    _Candidate(o, q, self.logp(o) + q, PRIOR_WEIGHT * self.logp(o) + q,
                               *shapes[spun, o])
                    for o, q in options.items()
                    if o != spun and not _variants(o, spun)
                ),
                key=lambda c: (-c.prior, c.original),
            )
            if ranked:
                reverse[spun] = tuple(ranked[:MAX_REVERSE])
        return reverse

    def fit_tables(
        self, contexts: Sequence[tuple[Sequence[str], Sequence[str], Sequence[str]]]
    ) -> list[np.ndarray]:
        """For each (keys two back, keys one back, keys of a word), how well each word fits
        after each pair before it (log ratio, capped), as an array [two back, one back, word]:
        the trigram model's log P(c | a b) / P(c) (`TRIGRAM_WEIGHT`) plus the web pairs'
        association of b and c (`WEB_PAIR_WEIGHT`). "" two back means none."""
        model = trigram_model()  # read on first use: only restoring needs it
        ids = model.ids
        key_ids: dict[str, int] = {}
        for context in contexts:
            for keys in context:
                for key in keys:
                    if key not in key_ids:
                        key_ids[key] = ids.get(_trigram_word(key), -1)
        first: list[int] = []
        second: list[int] = []
        third: list[int] = []
        for two_back, one_back, row in contexts:
            row_ids = [key_ids[key] for key in row]
            for a in two_back:
                id_a = key_ids[a]
                for b in one_back:
                    id_b = key_ids[b]
                    first.extend([id_a] * len(row_ids))
                    second.extend([id_b] * len(row_ids))
                    third.extend(row_ids)
        firsts, seconds, thirds = (np.array(x, dtype=np.int64) for x in (first, second, third))
        known = (seconds >= 0) & (thirds >= 0)
        fit = np.zeros(len(firsts))
        if known.any():
            word = thirds[known]
            surprise = model.log_probs(firsts[known], seconds[known], word) - model.log_prob(word)
            fit[known] = TRIGRAM_WEIGHT * np.clip(surprise, -MAX_ASSOC, MAX_ASSOC)
        tables = []
        pair_fit = self._pair_fit
        start = 0
        for two_back, one_back, row in contexts:
            shape = (len(two_back), len(one_back), len(row))
            size = shape[0] * shape[1] * shape[2]
            table = fit[start : start + size].reshape(shape)
            start += size
            pairs = [[pair_fit(b, c) for c in row] for b in one_back]
            tables.append(table + np.asarray(pairs))
        return tables

    def _pair_fit(self, a: str, b: str) -> float:
        """`WEB_PAIR_WEIGHT` times `assoc(a, b)`, remembered (restoring asks for the same pairs
        in each pass)."""
        key = a + " " + b
        found = self._pair_fits.get(key)
        if found is None:
            if len(self._pair_fits) >= PAIR_FIT_CACHE:
                self._pair_fits.clear()
            found = self._pair_fits[key] = WEB_PAIR_WEIGHT * self.assoc(a, b)
        return found

    def logp(self, key: str) -> float:
        """log P(word), from its web count."""
        return self.log_counts.get(key, math.log(UNSEEN_COUNT)) - LOG_TOTAL

    def assoc(self, a: str, b: str) -> float:
        """How much more (or less) often `b` follows `a` than chance would have it (log ratio).

        Pairs seen fewer than `BIGRAM_FLOOR` times are not listed: an unlisted pair that chance
        alone would put well above that floor is evidence against the pair ("successful the").
        """
        # By first word, then second: the words' hashes are known, a joined pair's are not.
        seen = self.pairs.get(a, _NO_PAIRS).get(b)
        if seen is not None:
            return seen
        if a[:1] == NAME_MARK:
            # A name: its own listed pair ("smith said"), else the names' ("<name> said").
            seen = self.pairs.get(a[1:], _NO_PAIRS).get(b)
            if seen is None:
                seen = self.pairs.get(NAME, _NO_PAIRS).get(b)
            return 0.0 if seen is None else seen
        log_a = self.log_counts.get(a)
        log_b = self.log_counts.get(b)
        if log_a is None or log_b is None:
            return 0.0
        expected = log_a + log_b - LOG_TOTAL
        return 0.0 if expected <= _LOG_HALF_FLOOR else max(-MAX_ASSOC, _LOG_HALF_FLOOR - expected)


_LOG_HALF_FLOOR = math.log(BIGRAM_FLOOR / 2)
_NO_PAIRS: dict[str, float] = {}


def _trigram_word(key: str) -> str:
    """A language-model key as the trigram model spells it ("" when it cannot know it: numbers
    in digits, since that model writes them out)."""
    if key == SENTENCE:
        return "<s>"
    if key[:1] == NAME_MARK:
        return key[1:]
    return "" if key == NUMBER else key


#: British spellings and their American forms, as patterns on a word
_SPELLINGS = tuple(
    (re.compile(pattern), american)
    for pattern, american in (
        (r"isation", "ization"), (r"^(\w{3,})is(e|es|ed|ing)$", r"\1iz\2"),
        (r"^(\w{3,})ys(e|es|ed|ing)$", r"\1yz\2"), (r"^(\w{3,})our(s|ed|ing)?$", r"\1or\2"),
        (r"^(\w{2,}[^aeiou])re(s|d)?$", r"\1er\2"), (r"^(\w{3,})ogue(s)?$", r"\1og\2"),
        (r"([aeiou])ll(ed|ing|er)$", r"\1l\2"), (r"ae", "e"),
    )
)  # fmt: skip


def _variants(a: str, b: str) -> bool:
    """Whether two words are one word spelt two ways, roughly ("metre", "meter"): no swap to
    undo, and the trigram model, being American, would "restore" the British one."""
    if a[:3] != b[:3] or abs(len(a) - len(b)) > 2:
        return False
    return _spelling(a) == _spelling(b)


def _spelling(word: str) -> str:
    """`word` in American spelling, roughly."""
    for pattern, american in _SPELLINGS:
        word = pattern.sub(american, word)
    return word


def _swappable(word: str) -> bool:
    """Spinners swap words of two letters or more ("a" stays), letters only."""
    return len(word) > 1 and word.isalpha()


_MODEL: SpinModel | None = None
_MODEL_LOCK = threading.Lock()


def model() -> SpinModel:
    """The shared model, loaded on first use, once however many threads ask at a time."""
    loaded = _MODEL
    if loaded is None:
        with _MODEL_LOCK:
            loaded = _MODEL
            if loaded is None:
                loaded = _load_model()
    return loaded


def _load_model() -> SpinModel:
    global _MODEL
    _MODEL = SpinModel()
    return _MODEL


def _shipped_data() -> dict[str, Any]:
    raw = resources.files("copydesk").joinpath("data", DATA_FILE).read_bytes()
    data: dict[str, Any] = json.loads(gzip.decompress(raw))
    return data


def _thesaurus_of(data: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    return {head: tuple(entries.split()) for head, entries in data["thesaurus"].items()}


@functools.cache
def _thesaurus_alone() -> dict[str, tuple[str, ...]]:
    return _thesaurus_of(_shipped_data())


def thesaurus() -> dict[str, tuple[str, ...]]:
    """Each word's thesaurus entries (what the spinner may put for it): the model's, or when it
    is not loaded, read alone (a tenth of the time: a scan's main process needs no more)."""
    loaded = _MODEL
    return loaded.thesaurus if loaded is not None else _thesaurus_alone()


# --- tokens -------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Token:
    word: str  # normalised
    key: str  # the language model's form
    start: int
    end: int
    form: str  # as written
    sentence_start: bool


def _lm_key(word: str, form: str, sentence_start: bool) -> str:
    """The word as the language model knows it: `NUMBER` for digits, `NAME_MARK` + the word for
    a capitalised word inside a sentence (see `SpinModel.assoc`), "" (no evidence either way) for
    a word the lists cannot know."""
    if "'" in word:
        return ""  # the lists split or drop apostrophes: "what's" is not a word they know
    if word.isdigit():
        return NUMBER
    if not sentence_start and not form[:1].islower() and word != "i":
        return NAME_MARK + word if word.isalpha() else ""
    return word


def _token(word: str, start: int, end: int, form: str, sentence_start: bool) -> _Token:
    return _Token(word, _lm_key(word, form, sentence_start), start, end, form, sentence_start)


def _tokens_of_text(text: str, limit: int | None = None) -> list[_Token]:
    """The words of `text` (the first `limit` of them when given)."""
    tokens: list[_Token] = []
    previous_end = 0
    for match in islice(WORD_RE.finditer(text), limit):
        word = normalise_word(match.group())
        gap = text[previous_end : match.start()]
        first = not tokens or (gap != " " and BREAK_RE.search(gap) is not None)
        tokens.append(_token(word, match.start(), match.end(), match.group(), first))
        previous_end = match.end()
    return tokens


def _tokens_of_words(
    words: Sequence[str], forms: Sequence[str] | None, breaks: Sequence[int] | None
) -> list[_Token]:
    starting = set(breaks or ())
    starting.add(0)
    return [
        _token(word, i, i, forms[i] if forms is not None else word, i in starting)
        for i, word in enumerate(words)
    ]


def _tokens_of_clean(doc: CleanArticle, limit: int | None = None) -> list[_Token]:
    """The words of a cleaned article (the first `limit` of them when given)."""
    text, starts, ends = doc.article.text, doc.starts, doc.ends
    breaks = set(doc.breaks)
    breaks.add(0)
    search = BREAK_RE.search
    tokens = []
    for i, word in enumerate(doc.words[:limit]):
        start, end = starts[i], ends[i]
        if i in breaks:
            first = True
        else:
            last = ends[i - 1]
            # Most words follow one space: no sentence mark between.
            single_space = start - last == 1 and text[last] == " "
            first = not single_space and search(text, last, start) is not None
        tokens.append(_token(word, start, end, text[start:end], first))
    return tokens


def _options(token: _Token, lm: SpinModel) -> tuple[tuple[_Candidate, ...], float]:
    """The originals `token` may stand for, and the extra cost of changing it."""
    form = token.form
    if len(form) < 2 and form != "i":
        # "a" and "I" stay; a lower-case "i" is no pronoun (spinners put it for "one").
        return (), 0.0
    if not form[:1].islower():
        # Names and acronyms stay; a capitalised sentence opener may be a swap, at a cost.
        if not token.sentence_start or (len(form) > 1 and form.isupper()) or not form.isalpha():
            return (), 0.0
        return lm.reverse.get(token.word, ()), CAPITAL_COST
    return lm.reverse.get(token.word, ()), 0.0


#: one state of a word: (language-model key, score without the rate, original or None to keep)
_State = tuple[str, float, "str | None"]
#: the keys two back, one back, and of a word: what one fit table is for
_Context = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]


def _lattice(tokens: Sequence[_Token], lm: SpinModel) -> list[_ScoreRow]:
    """Per word, its states for scoring: keep it (first), or one of the `SCORE_CANDIDATES`
    likeliest originals it may stand for. A state's score is its word's tempered log probability
    plus, for a change, log q(spun | original) and any extra cost. Rows are shared between calls:
    read their states, never change them."""
    rows: list[_ScoreRow] = []
    known = lm.score_rows
    for token in tokens:
        # A word's states follow from how it is written and where: most repeat.
        seen = (token.key, token.word, token.form, token.sentence_start)
        row = known.get(seen)
        if row is None:
            candidates, extra = _options(token, lm)
            states: list[_State]
            if not candidates:
                states = [(token.key, 0.0, None)]
            else:
                states = [(token.key, PRIOR_WEIGHT * lm.logp(token.key), None)]
                states.extend(
                    (c.original, c.unary - extra, c.original) for c in candidates[:SCORE_CANDIDATES]
                )
            if len(known) >= ROW_CACHE or lm.row_pairs >= ROW_PAIR_CACHE:
                known.clear()
                lm.row_pairs = 0
            row = known[seen] = _ScoreRow(states)
        rows.append(row)
    return rows


def _restore_lattice(
    tokens: Sequence[_Token],
    lm: SpinModel,
    counts: Counter[str] | None = None,
    share: float | None = None,
) -> list[list[_State]]:
    """Per word, its states for restoring: keep it (first), or one of the originals it may
    stand for (the `MAX_CANDIDATES` likeliest, and any other the text itself uses when `counts`
    are given), scored as `_lattice` does. With `counts` (the text's words as restored so
    far), word probabilities mix the web's with the text's own (a cache)."""
    size = max(1, len(tokens))
    rows: list[list[_State]] = []
    for token in tokens:
        candidates, extra = _options(token, lm)
        if not candidates:
            rows.append([(token.key, 0.0, None)])
            continue
        chosen = candidates[:MAX_CANDIDATES]
        if counts is not None and len(candidates) > MAX_CANDIDATES:
            chosen += tuple(c for c in candidates[MAX_CANDIDATES:] if counts[c.original] > 0)
        kept = RESTORE_PRIOR_WEIGHT * _log_unigram(lm, token.key, counts, 1, size)
        row: list[_State] = [(token.key, kept, None)]
        for c in chosen:
            unary = RESTORE_PRIOR_WEIGHT * _log_unigram(lm, c.original, counts, 0, size)
            log_q = c.log_q if share is None else c.log_q_at(share)
            row.append((c.original, unary + log_q - extra, c.original))
        rows.append(row)
    return rows


def _log_unigram(lm: SpinModel, key: str, counts: Counter[str] | None, own: int, size: int
                 ) -> float:  # fmt: skip
    if counts is None:
        return lm.logp(key)
    here = max(0, counts.get(key, 0) - own) / size
    return math.log((1.0 - CACHE_WEIGHT) * math.exp(lm.logp(key)) + CACHE_WEIGHT * here)


# --- scoring ------------------------------------------------------------------------------------


@dataclass(slots=True)
class _ScoreRow:
    """A word's states for scoring (see `_lattice`), and how each state's key pairs with the
    keys met next to it (`SpinModel.assoc`), remembered: word pairs repeat from article to
    article, and each costs a state's worth of lookups."""

    states: list[_State]
    #: key of the word before -> assoc(that key, state's key), per state
    after: dict[str, tuple[float, ...]] = field(default_factory=dict)
    #: key of the word after -> assoc(state's key, that key), per state
    before: dict[str, tuple[float, ...]] = field(default_factory=dict)


@dataclass
class _Evidence:
    index: int
    #: log P(word as written | swapped) - log P(word as written | kept), context as observed
    ratio: float
    best: str


def _evidence(tokens: Sequence[_Token], rows: Sequence[_ScoreRow], lm: SpinModel
              ) -> list[_Evidence]:  # fmt: skip
    """Each changeable word's likelihood ratio of swapped against kept, in its context as
    written (the `SCORE_CANDIDATES` likeliest originals only: the sum is theirs)."""
    assoc = lm.assoc
    found = []
    last = len(tokens) - 1
    for i, row in enumerate(rows):
        states = row.states
        if len(states) == 1:
            continue
        # A row's first state is its word as written: its key is the word's.
        prev = SENTENCE if tokens[i].sentence_start else tokens[i - 1].key
        nxt = tokens[i + 1].key if i < last and not tokens[i + 1].sentence_start else ""
        left = row.after.get(prev)
        if left is None:
            left = row.after[prev] = tuple(assoc(prev, key) for key, _, _ in states)
            lm.row_pairs += 1
        right = row.before.get(nxt)
        if right is None:
            right = row.before[nxt] = tuple(assoc(key, nxt) for key, _, _ in states)
            lm.row_pairs += 1
        kept = states[0][1] + PAIR_WEIGHT * (left[0] + right[0])
        best, best_score, scores = "", -math.inf, []
        for (original, unary, _), with_prev, with_next in zip(
            states[1:], left[1:], right[1:], strict=True
        ):
            score = unary + PAIR_WEIGHT * (with_prev + with_next)
            scores.append(score)
            if score > best_score:
                best, best_score = original, score
        swapped = best_score + math.log(sum(math.exp(x - best_score) for x in scores))
        found.append(_Evidence(i, swapped - kept, best))
    return found


def _estimate_rate(ratios: Sequence[float]) -> tuple[float, float]:
    """The swap rate that best explains the words' evidence, and how much better it explains it
    than the rate plain text shows (`PLAIN_RATE`: a log-likelihood gain, 0 when not above).

    Each word is swapped (with probability `rate`) or kept; `ratios` are the words' log
    likelihood ratios of swapped against kept. EM on the mixture weight.
    """
    if not ratios:
        return 0.0, 0.0
    likelihoods = np.exp(np.minimum(np.asarray(ratios, dtype=float), 30.0))
    rate = 0.05
    for _ in range(EM_ROUNDS):
        # A round is a few calls on a short array: each call saved counts.
        swapped = rate * likelihoods
        share = float((swapped / (1.0 - rate + swapped)).sum())
        new = min(0.95, max(1e-6, share / len(likelihoods)))
        if abs(new - rate) < 1e-5:
            rate = new
            break
        rate = new
    if rate <= PLAIN_RATE:
        return rate, 0.0
    gain = np.sum(np.log1p(rate * (likelihoods - 1.0)) - np.log1p(PLAIN_RATE * (likelihoods - 1.0)))
    return rate, float(gain)


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, x))))


def _report(tokens: Sequence[_Token], rows: Sequence[_ScoreRow], lm: SpinModel
            ) -> SpinReport:  # fmt: skip
    evidence = _evidence(tokens, rows, lm)
    # A topical word repeated all through a text ("entanglement") is one piece of evidence.
    seen: Counter[str] = Counter()
    ratios = []
    for e in evidence:
        seen[tokens[e.index].word] += 1
        if seen[tokens[e.index].word] <= MAX_REPEATS:
            ratios.append(e.ratio)
    rate, gain = _estimate_rate(ratios)
    by_rate = _sigmoid(4.0 * math.log(max(rate, 1e-6) / SPUN_RATE))
    by_evidence = _sigmoid((gain - SPUN_EVIDENCE) / 1.5)
    score = min(by_rate, by_evidence)
    hits: list[Change] = []
    for e in sorted(evidence, key=lambda e: -e.ratio):
        if e.ratio < HIT_EVIDENCE or len(hits) >= 50:
            break
        token = tokens[e.index]
        hits.append(
            Change(token.start, token.end, token.form, _cased(e.best, token.form),
                   _sigmoid(e.ratio + math.log(max(rate, 1e-6))))
        )  # fmt: skip
    hits.sort(key=lambda c: c.start)
    return SpinReport(round(score, 4), score >= 0.5, rate, len(evidence), hits)


def _tokens_of(doc: str | CleanArticle, limit: int | None = None) -> list[_Token]:
    if isinstance(doc, CleanArticle):
        return _tokens_of_clean(doc, limit)
    return _tokens_of_text(doc, limit)


#: words of an article's opening scored first...
SAMPLE_TOKENS = 250
#: ...and a score under this there settles it as not spun. Set on the training corpus spun at
#: 10 % (`benchmarks/bench_spin.py --corpus train`): at 0.1 the opening settled too many light
#: spins (0.571 of them detected, against 0.699 reading every text whole); at 0.05, 0.667, and
#: 9.5 % of the benchmark's plain articles are read whole (2.5 % at 0.1)
CLEARLY_PLAIN = 0.05


def spin_score(doc: str | CleanArticle) -> SpinReport:
    """How spun a text (or a cleaned article) looks: `score` in [0, 1], `spun` when >= 0.5.

    Also the estimated share of swappable words that were swapped (`rate`), and the strongest
    hits (offsets into the text, the word, the word it likely replaced).
    """
    lm = model()
    if isinstance(doc, CleanArticle):
        # A cleaned article knows its length: its opening alone is read until more is needed.
        long = len(doc.words) > SAMPLE_TOKENS * 2
        tokens = _tokens_of_clean(doc, SAMPLE_TOKENS if long else None)
    else:
        tokens = _tokens_of_text(doc, SAMPLE_TOKENS * 2 + 1)
        long = len(tokens) > SAMPLE_TOKENS * 2
    if long:
        # Most articles are plain: a clear verdict on the opening saves reading the rest.
        opening = tokens[:SAMPLE_TOKENS]
        quick = _report(opening, _lattice(opening, lm), lm)
        if quick.score < CLEARLY_PLAIN:
            return quick
        tokens = _tokens_of(doc)
    return _report(tokens, _lattice(tokens, lm), lm)


# --- restoring ----------------------------------------------------------------------------------


def _restore(tokens: Sequence[_Token], lm: SpinModel, rate: float) -> list[tuple[int, str, float]]:
    """(index, original, margin) for every word to change; a second pass sees the first's
    restorations in the text's own word counts (a spinner that turned some "question"s into
    "inquiry" left others standing) and in how often its spinner took first entries."""
    # The passes differ in word counts, seldom in states: fit tables are looked up once.
    tables: dict[_Context, np.ndarray] = {}
    changes = _best_path(tokens, _restore_lattice(tokens, lm), lm, rate, tables)
    for _ in range(RESTORE_PASSES - 1):
        counts = Counter(token.key for token in tokens)
        for index, original, _ in changes:
            counts[tokens[index].key] -= 1
            counts[original] += 1
        share = _first_entry_share(tokens, lm, changes)
        rows = _restore_lattice(tokens, lm, counts, share)
        changes = _best_path(tokens, rows, lm, rate, tables)
    return changes


def _first_entry_share(
    tokens: Sequence[_Token], lm: SpinModel, changes: Sequence[tuple[int, str, float]]
) -> float:
    """The share of swaps in which this text's spinner took the original's first thesaurus
    entry, judged from the restorations `changes`: the first entries among them beyond what
    picking any entry would give by chance, weighed against `FIRST_ENTRY_SHARE`. Sites differ
    (four in five of the words restored in seed 004 are their original's first entry), and a
    spun word that is a candidate's first entry says much more of a site that favours them."""
    firsts = 0.0
    by_chance = 0.0
    for index, original, _ in changes:
        for c in lm.reverse.get(tokens[index].word, ()):
            if c.original == original:
                firsts += c.first
                by_chance += 1.0 / c.entries
                break
    found = len(changes)
    if found == 0:
        return FIRST_ENTRY_SHARE
    share = (firsts - by_chance) / max(1e-9, found - by_chance)
    weight = found / (found + SHARE_PRIOR)
    return min(0.95, max(0.02, weight * share + (1.0 - weight) * FIRST_ENTRY_SHARE))


def _best_path(
    tokens: Sequence[_Token],
    rows: Sequence[Sequence[_State]],
    lm: SpinModel,
    rate: float,
    tables: dict[_Context, np.ndarray],
) -> list[tuple[int, str, float]]:
    """(index, original, margin) for every word the best path changes, sentence by sentence;
    `tables` keeps the fit tables looked up, by context."""
    log_swap, log_keep = math.log(rate), math.log(1.0 - rate)
    sentences: list[tuple[int, list[list[_State]]]] = []
    begin = 0
    for end in range(1, len(tokens) + 1):
        if end == len(tokens) or tokens[end].sentence_start:
            if any(len(row) > 1 for row in rows[begin:end]):
                states = []
                for i in range(begin, end):
                    keep_cost = log_keep if tokens[i].word in lm.thesaurus else 0.0
                    key, unary, _ = rows[i][0]
                    row: list[_State] = [(key, unary + keep_cost, None)]
                    row.extend((k, u + log_swap, o) for k, u, o in rows[i][1:])
                    states.append(row)
                if end == len(tokens) or tokens[end].form[:1].isupper():
                    # A sentence's end weighs its last two words too ("Smith said." is likelier
                    # than "Smith same."): one more word, with the end as its only state.
                    states.append([(SENTENCE_END, 0.0, None)])
                sentences.append((begin, states))
            begin = end
    # How each word fits after the two before it, for every choice of states, in one lookup
    # (of the contexts `tables` does not hold yet).
    contexts: list[_Context] = []
    for _, states in sentences:
        keys = [tuple(key for key, _, _ in row) for row in states]
        for i, row_keys in enumerate(keys):
            two_back = keys[i - 2] if i > 1 else ((SENTENCE,) if i == 1 else ("",))
            one_back = keys[i - 1] if i > 0 else (SENTENCE,)
            contexts.append((two_back, one_back, row_keys))
    # A word with one state after two with one state adds the same to every path: it needs no
    # lookup (a zero stands in), and neither the best path nor any margin changes.
    missing = list(
        dict.fromkeys(c for c in contexts if c not in tables and max(map(len, c)) > 1)
    )
    if missing:
        tables.update(zip(missing, lm.fit_tables(missing), strict=True))
    changes: list[tuple[int, str, float]] = []
    start = 0
    for begin, states in sentences:
        fits = [tables.get(c, _NO_CHOICE) for c in contexts[start : start + len(states)]]
        start += len(states)
        changes.extend((begin + i, o, m) for i, o, m in _viterbi(states, fits))
    return changes


_NO_CHOICE = np.zeros((1, 1, 1))


def _viterbi(
    states: Sequence[Sequence[_State]], fits: Sequence[np.ndarray]
) -> list[tuple[int, str, float]]:
    """The changes on the best path through one sentence, with their margins (in nats).

    Second order: a path scores its states plus how each word fits after the two before it
    (`fits[i][h, j, k]`: state k of word i after states h of word i-2 and j of word i-1), so
    the best path is kept per pair of states of two neighbouring words."""
    n = len(states)
    unaries = [np.array([unary for _, unary, _ in row]) for row in states]
    # best[j, k]: the best path ending in state j, then state k; backs[i][j, k]: its state i-2.
    best = fits[0][0] + unaries[0]
    backs: list[np.ndarray] = [np.zeros(best.shape, dtype=np.intp)]
    for i in range(1, n):
        through = best[:, :, None] + fits[i]
        back = np.argmax(through, axis=0)
        best = through.max(axis=0) + unaries[i]
        backs.append(back)
    j, k = np.unravel_index(int(np.argmax(best)), best.shape)
    path = [int(k), int(j)] if n > 1 else [int(k)]
    for i in range(n - 1, 1, -1):
        path.append(int(backs[i][path[-1], path[-2]]))
    path.reverse()
    if not any(path):
        return []

    def fit_around(choice: Sequence[int], i: int) -> float:
        """How well words i to i+2 fit after the two before each, states as in `choice`."""
        total = 0.0
        for p in range(i, min(n, i + 3)):
            h = choice[p - 2] if p > 1 else 0
            j = choice[p - 1] if p > 0 else 0
            total += float(fits[p][h, j, choice[p]])
        return total

    # Each change's margin: what the path loses when that word alone is put back as written,
    # its neighbours staying as the path has them.
    changes = []
    for i, state in enumerate(path):
        original = states[i][state][2]
        if state == 0 or original is None:
            continue
        kept = list(path)
        kept[i] = 0
        margin = float(unaries[i][state] - unaries[i][0])
        margin += fit_around(path, i) - fit_around(kept, i)
        if margin >= MIN_MARGIN:
            changes.append((i, original, margin))
    return changes


def _restoring_rate(report: SpinReport) -> float:
    return min(MAX_RATE, max(MIN_RATE, RATE_FACTOR * report.rate))


def _cased(word: str, like: str) -> str:
    """`word` written in the case pattern of `like` ("Helium" -> "He", "HELIUM" -> "HE")."""
    if len(like) > 1 and like.isupper():
        return word.upper()
    if like[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def despin(text: str, *, force: bool = False) -> Restoration:
    """Put back the words a spinner swapped: the restored text and each change made.

    Changes carry `[start, end)` offsets into `text`, the spun word, the restored word (in the
    spun word's case) and a confidence in (0, 1). A text that does not look spun is left as it
    is, unless `force`: then too a change must pay for itself under the estimated spin rate, but
    any such change in a plain text is a false one ("nonetheless" made "still").
    """
    lm = model()
    tokens = _tokens_of_text(text)
    report = _report(tokens, _lattice(tokens, lm), lm)
    if not report.spun and not force:
        return Restoration(text, [], report)
    changes = []
    for index, original, margin in _restore(tokens, lm, _restoring_rate(report)):
        token = tokens[index]
        changes.append(
            Change(token.start, token.end, token.form, _cased(original, token.form),
                   _sigmoid(margin))
        )  # fmt: skip
    pieces, last = [], 0
    for change in changes:
        pieces.append(text[last : change.start])
        pieces.append(change.original)
        last = change.end
    pieces.append(text[last:])
    return Restoration("".join(pieces), changes, report)


def restore_words(
    words: Sequence[str],
    forms: Sequence[str] | None = None,
    breaks: Sequence[int] | None = None,
    rate: float | None = None,
) -> list[str]:
    """A spun article's normalised words with the swapped ones put back, one word for one word.

    `forms` (the words as written) let capitalised names stay; `breaks` are the indices of words
    that start a sentence. `rate` is the assumed spin rate (default: estimated from the words).
    """
    lm = model()
    tokens = _tokens_of_words(words, forms, breaks)
    if rate is None:
        rate = _restoring_rate(_report(tokens, _lattice(tokens, lm), lm))
    restored = list(words)
    for index, original, _ in _restore(tokens, lm, min(MAX_RATE, max(MIN_RATE, rate))):
        restored[index] = original
    return restored


def restore_article(doc: CleanArticle, report: SpinReport | None = None) -> list[str]:
    """`doc.words` with the swapped words put back (same length; see `restore_words`).

    Uses the text for case and sentence breaks. Pass the article's `spin_score` report when the
    caller has it already.
    """
    lm = model()
    tokens = _tokens_of_clean(doc)
    if report is None:
        report = _report(tokens, _lattice(tokens, lm), lm)
    restored = list(doc.words)
    for index, original, _ in _restore(tokens, lm, _restoring_rate(report)):
        restored[index] = original
    return restored


def see_through(doc: CleanArticle, report: SpinReport) -> CleanArticle:
    """The article to match on: for a spun one, its words restored (offsets unchanged), with
    `restored` listing which; any other article as it is."""
    if not report.spun:
        return doc
    words = restore_article(doc, report)
    restored = [i for i, (new, old) in enumerate(zip(words, doc.words, strict=True)) if new != old]
    return replace(doc, words=words, restored=restored)


def spin_dict(
    doc: CleanArticle, report: SpinReport, original: OriginalWords | None = None
) -> dict[str, Any]:
    """The `spin` object of the scan JSON; for a matched spun article (see `see_through`) it
    lists each restored word with its offsets, and with `original` (see `words_of_originals`)
    the words its original put back in place of the model's, each with that article's id. An
    article that reads as plain is `spun` when its original puts words back (its score stays
    its text's)."""
    out = report.to_dict()
    taken: frozenset[int] = frozenset()
    source = ""
    if original is not None:
        doc, taken, source = original.doc, original.taken, original.source
        out["spun"] = out["spun"] or bool(taken)
    if doc.restored:
        text = doc.article.text
        out["changes"] = []
        for i in doc.restored:
            form = text[doc.starts[i] : doc.ends[i]]
            change = {"start": doc.starts[i], "end": doc.ends[i], "spun": form,
                      "restored": _cased(doc.words[i], form)}  # fmt: skip
            if i in taken:
                change["from"] = source
            out["changes"].append(change)
    return out


#: `[start, end)` character offsets into a text
Offsets = tuple[int, int]


@dataclass
class OriginalWords:
    """A spun article with words put back from an original it was aligned with: `doc` as
    matched, its `restored` words updated; `taken`, the words whose restoration came from
    article `source`."""

    doc: CleanArticle
    taken: frozenset[int]
    source: str


#: a spun article takes its words from the plainest of its partners (the lowest spin rate of
#: its text) among the pairs scoring within this much of its best: a copy scores as high with
#: a second, lightly spun copy as with the original, and would take that copy's swaps
PLAINEST_WITHIN = 0.1


def words_of_originals(
    docs: Sequence[CleanArticle],
    pairs: Sequence[Pair],
    spins: Mapping[str, SpinReport] | None = None,
) -> dict[str, OriginalWords]:
    """For each spun article (one with restored words, or told spun by its pair) paired with
    an article that is not spun, its words put back from that article (`restore_from_original`):
    the model guesses a swapped word from its context, an original that is present says it.
    The partner is the one of the best-scoring pairs whose text reads plainest (`spins`, the
    articles' spin reports: see `PLAINEST_WITHIN`)."""
    by_id = {d.id: d for d in docs}
    partners: dict[str, list[tuple[Pair, str]]] = {}
    for pair in pairs:
        if not pair.passages:
            continue
        for spun, other in ((pair.target, pair.source), (pair.source, pair.target)):
            if spun not in by_id or other not in by_id or by_id[other].restored:
                continue  # an article of the pair not given, or no original
            # A copy that reads as plain alone is spun when its pair says so (`which_is_spun`
            # in `compare_clean`): its passages are spun, and it is their target.
            told = spun == pair.target and any(p.kind == "spun" for p in pair.passages)
            if by_id[spun].restored or told:
                partners.setdefault(spun, []).append((pair, other))

    def rate(article_id: str) -> float:
        report = spins.get(article_id) if spins is not None else None
        return report.rate if report is not None else 0.0

    best: dict[str, tuple[Pair, str]] = {}
    for spun, found_pairs in partners.items():
        top = max(pair.score for pair, _ in found_pairs)
        near = [(rate(other), -pair.score, k) for k, (pair, other) in enumerate(found_pairs)
                if pair.score >= top - PLAINEST_WITHIN]  # fmt: skip
        best[spun] = found_pairs[min(near)[2]]
    found = {}
    for spun, (pair, other) in best.items():
        spans = [(p.target, p.source) if spun == pair.target else (p.source, p.target)
                 for p in pair.passages]  # fmt: skip
        doc, taken = restore_from_original(by_id[spun], by_id[other], spans)
        found[spun] = OriginalWords(doc, taken, other)
    return found


def aligned_words(
    x: CleanArticle, y: CleanArticle, spans: Sequence[tuple[Offsets, Offsets]]
) -> Iterator[tuple[int, int]]:
    """(word of `x`, word of `y`), by index, for each two words that stand one for one inside
    the passages `spans` (`(x span, y span)` each): in the runs the two share, and in the gaps
    between as long on both sides (a word put for another)."""
    for (x_start, x_end), (y_start, y_end) in spans:
        first = bisect_left(x.starts, x_start)
        first_y = bisect_left(y.starts, y_start)
        mine = x.words[first : bisect_left(x.starts, x_end)]
        theirs = y.words[first_y : bisect_left(y.starts, y_end)]
        at = theirs_at = 0
        for block in (*matching_blocks(mine, theirs), Match(len(mine), len(theirs), 0)):
            if block.a - at == block.b - theirs_at:
                for k in range(block.a - at + block.size):
                    yield first + at + k, first_y + theirs_at + k
            else:
                for k in range(block.size):
                    yield first + block.a + k, first_y + block.b + k
            at, theirs_at = block.a + block.size, block.b + block.size


def restore_from_original(
    spun: CleanArticle, original: CleanArticle, spans: Sequence[tuple[Offsets, Offsets]]
) -> tuple[CleanArticle, frozenset[int]]:
    """`spun` (as matched: see `see_through`) with its words set by `original` where the two
    align word for word inside the `(spun span, original span)` passages. Its words as the
    model restored them are aligned, so that right guesses anchor the alignment. In the
    original's place, a word the model restored takes the original's word (which undoes a
    guess where the original writes the word as the spun text does), and a word it kept takes
    the original's word when the thesaurus lists the written word as a swap of it (a missed
    swap; otherwise an edit, left alone). Returns the article and the words the original
    vouches for."""
    entries = thesaurus()
    text = spun.article.text
    restored = set(spun.restored)
    words = list(spun.words)
    taken: set[int] = set()

    def written(i: int) -> str:
        if i in restored:
            return normalise_word(text[spun.starts[i] : spun.ends[i]])
        return spun.words[i]

    for i, j in aligned_words(spun, original, spans):
        their = original.words[j]
        if i in restored or (spun.words[i] != their and written(i) in entries.get(their, ())):
            words[i] = their
            taken.add(i)
    changed = sorted(i for i in restored | taken if words[i] != written(i))
    return replace(spun, words=words, restored=changed), frozenset(taken & set(changed))


# --- spun copies that read as plain -------------------------------------------------------------

#: a pair shows a spinner's copy, when neither side reads as spun on its own, if at least this
#: many of one side's words stand one for one for a word the thesaurus lists them as swaps of...
PAIR_MIN_SWAPS = 3
#: ...making at least this share of all the words that stand for another word (a spinner
#: swaps thesaurus entries only; editors and machine rewriters change words of every kind)
PAIR_SWAP_SHARE = 0.6
#: when one side is a spinner's copy, the share of such swaps whose word on that side fits the
#: shared context worse than the other side's (when both are copies spun apart: a half)
PAIR_ODD_SHARE = 0.8
#: the evidence (log-likelihood ratio) needed that one side holds the odd words. Set on 68
#: news articles spun at 10 % with their originals in the run (`benchmarks/bench_spin.py`):
#: 192 of 271 pairs of a copy and an original that pass the thesaurus test reach it, no pair
#: of two copies spun apart (42) does, and no pair of the real news, of MixSet's human and
#: machine rewrites or of the paraphrase corpus's human rewrites passes that test. Checked on
#: the training corpus (`--corpus train`, spun alike): 209 of 319 reach it, none on the wrong side
PAIR_EVIDENCE = 2.0


def which_is_spun(
    a: CleanArticle, b: CleanArticle, spans: Sequence[tuple[Offsets, Offsets]]
) -> int | None:
    """0 when `a` is `b` run through a spinner, 1 when `b` is `a`'s, else None, from the words
    that stand one for one inside the passages `spans` (`(a span, b span)` each): a spinner's
    copy puts thesaurus entries for words (`PAIR_SWAP_SHARE`), and its entries fit the context
    they share worse than the words they stand for (`PAIR_ODD_SHARE`). For two articles that
    read as plain on their own (`spin_score`): a copy spun lightly does."""
    entries = thesaurus()
    words_a, words_b = a.words, b.words
    # Most pairs share no thesaurus swap: the words either side's passages lack tell, without
    # aligning.
    inside_a = _words_inside(a, [span for span, _ in spans])
    inside_b = _words_inside(b, [span for _, span in spans])
    only_a, only_b = inside_a - inside_b, inside_b - inside_a
    if only_a.isdisjoint(_entries_of(entries, only_b)) and only_b.isdisjoint(
        _entries_of(entries, only_a)
    ):
        return None
    differ = [(i, j) for i, j in aligned_words(a, b, spans) if words_a[i] != words_b[j]]
    swaps = (
        [(i, j) for i, j in differ if words_a[i] in entries.get(words_b[j], ())],
        [(i, j) for i, j in differ if words_b[j] in entries.get(words_a[i], ())],
    )
    enough = [len(s) >= max(PAIR_MIN_SWAPS, PAIR_SWAP_SHARE * len(differ)) for s in swaps]
    if not any(enough):
        return None
    odd = _odd_votes(a, b, sorted(set(swaps[0]) | set(swaps[1])))
    evidence = [_odd_evidence(odd[k], odd[0] + odd[1]) if enough[k] else -math.inf
                for k in (0, 1)]  # fmt: skip
    side = 0 if evidence[0] >= evidence[1] else 1
    return side if evidence[side] >= PAIR_EVIDENCE else None


def _words_inside(doc: CleanArticle, spans: Sequence[Offsets]) -> set[str]:
    """The distinct words of `doc` inside the character `spans`."""
    found: set[str] = set()
    for start, end in spans:
        found.update(doc.words[bisect_left(doc.starts, start) : bisect_left(doc.starts, end)])
    return found


def _entries_of(entries: dict[str, tuple[str, ...]], words: set[str]) -> Iterator[str]:
    for word in words:
        yield from entries.get(word, ())


def _odd_votes(
    a: CleanArticle, b: CleanArticle, swaps: Sequence[tuple[int, int]]
) -> tuple[int, int]:
    """Of the words standing for each other (`(index in a, index in b)`), how many of `a`'s
    and how many of `b`'s fit the context (both sides') worse than the other's word, by the
    scoring model's word pairs and word probabilities."""
    lm = model()
    tokens_a, tokens_b = _tokens_of_clean(a), _tokens_of_clean(b)
    odd = [0, 0]
    for i, j in swaps:
        x, y = a.words[i], b.words[j]
        fits = [_fit(lm, tokens, k, word) for tokens, k in ((tokens_a, i), (tokens_b, j))
                for word in (x, y)]  # fmt: skip
        if any(f is None for f in fits):
            continue  # a name, a number: the lists say nothing of it
        a_x, a_y, b_x, b_y = fits
        worse = (a_y - a_x) + (b_y - b_x)  # type: ignore[operator]  # none is None here
        if worse > 0:
            odd[0] += 1
        elif worse < 0:
            odd[1] += 1
    return odd[0], odd[1]


def _fit(lm: SpinModel, tokens: Sequence[_Token], i: int, word: str) -> float | None:
    """How well `word` fits in place of token `i` (its tempered probability and its pairs with
    the words either side); None where the token is no plain word (a name, a number)."""
    token = tokens[i]
    if token.key != token.word:
        return None
    before = SENTENCE if token.sentence_start else tokens[i - 1].key
    after = tokens[i + 1].key if i + 1 < len(tokens) and not tokens[i + 1].sentence_start else ""
    fit = PRIOR_WEIGHT * lm.logp(word) + lm.assoc(before, word)
    return fit + lm.assoc(word, after) if after else fit


def _odd_evidence(odd: int, votes: int) -> float:
    """log P(`odd` of `votes` | a spinner's copy) - log P(them | two copies spun apart)."""
    return odd * math.log(PAIR_ODD_SHARE / 0.5) + (votes - odd) * math.log(
        (1.0 - PAIR_ODD_SHARE) / 0.5
    )


# --- spinning -----------------------------------------------------------------------------------


def spin_swaps(
    text: str,
    rate: float = 0.3,
    seed: int = 0,
    *,
    first: float = 0.0,
    capitalised: bool = False,
) -> tuple[str, list[Change]]:
    """Spin `text` as scraper sites do, and say which words were swapped.

    Every word the thesaurus lists is swapped with probability `rate` for one of its one-word
    entries, whatever its part of speech, in the case pattern of the word it replaces: the first
    entry with probability `first` (sites favour it: 1.0 mimics a site that always takes it),
    else any entry at random. Capitalised words (names, sentence openers) are left alone unless
    `capitalised`; one-letter words and words with apostrophes or digits always are. The changes
    point into the spun text; `original` is the word that was there.
    """
    if not 0.0 <= rate <= 1.0:
        raise ValueError(f"rate must lie in [0, 1], not {rate}")
    if not 0.0 <= first <= 1.0:
        raise ValueError(f"first must lie in [0, 1], not {first}")
    lm = model()
    rng = random.Random(seed)
    pieces: list[str] = []
    swaps: list[Change] = []
    last = 0
    shift = 0
    for match in WORD_RE.finditer(text):
        form = match.group()
        if not _swappable(form) or not (form.islower() or capitalised):
            continue
        if form.isupper():
            continue
        entries = [e for e in lm.thesaurus.get(normalise_word(form), ()) if e.isalpha()]
        if not entries or rng.random() >= rate:
            continue
        pick = entries[0] if rng.random() < first else rng.choice(entries)
        new = _cased(pick, form)
        pieces.append(text[last : match.start()])
        pieces.append(new)
        last = match.end()
        start = match.start() + shift
        swaps.append(Change(start, start + len(new), new, form))
        shift += len(new) - len(form)
    pieces.append(text[last:])
    return "".join(pieces), swaps


def spin_text(
    text: str, rate: float = 0.3, seed: int = 0, *, first: float = 0.0, capitalised: bool = False
) -> str:
    """`text` run through a seeded synonym spinner (see `spin_swaps`)."""
    return spin_swaps(text, rate, seed, first=first, capitalised=capitalised)[0]
