"""Clean articles for matching while keeping every offset in the text as read.

Nothing is rewritten: cleaning lists the spans to leave out (`removed`) and the words that remain,
each with its `[start, end)` offsets into `Article.text`. Words are normalised (NFKC, case-folded,
typographic apostrophes made plain) only for comparison. Lines with mojibake ("cafÃ©" for "café",
"â€™" for "’") are repaired with ftfy for comparison too, and each word's offsets still point
into the damaged text as read (see `repair_mojibake`).

What is removed, paragraph by paragraph:
- `boilerplate`: lines that recur across articles of the same source (learned from the corpus),
  plus a short list of footer and link-list cues that no single corpus may show twice;
- `repeated`: a paragraph whose words are mostly found in a longer paragraph of the same article
  (image captions printed again beside the body);
- `trailing`: short fragments after the article's last sentence ("Follow", "Share").
"""

from __future__ import annotations

import re
import string
import sys
import unicodedata
from array import array
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from itertools import accumulate, chain
from typing import Any
from urllib.parse import urlparse

import numpy as np

from .model import Article, CleanArticle, Span
from .parallel import stream_in_processes

WORD_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
LINE_RE = re.compile(r"[^\n\r]+")

_NOTICE = r"^(?:©|\(c\)\s*\d{4}|copyright\s+(?:©\s*)?\d{4})"  # "(c) the auditor ..." is a list item
#: Cues that mark a short paragraph as site furniture whatever the corpus says.
_CUES = [
    r"\boriginally (?:published|appeared|ran)\b",
    r"\bread the original\b",
    r"^our standards\b",
    r"\beditorial (?:charter|standards|guidelines)\b",
    r"\ball rights reserved\b",
    _NOTICE,
    r"\bsign up\b.*\b(?:newsletter|briefing|bulletin|updates|alerts|emails?)\b",
    r"\bsubscribe (?:to|now|today|for)\b",
    r"^(?:follow|share)(?: us| this| on)?\b.{0,40}$",
    r"^(?:advertisement|sponsored|ad)$",
    r"\bclick here\b",
    r"\bdownload (?:our|the) app\b",
]
CUE_RE = re.compile("|".join(_CUES), re.IGNORECASE)
#: What every line that `CUE_RE` finds holds, lower-cased (one of `_CUE_WORDS`, or it opens with
#: one of `_CUE_OPENINGS`): a look for these is cheap, and most lines hold none, whereas the
#: search tries every cue at every character (case-blind, it has no letter to skip to).
_CUE_WORDS = ("originally ", "read the original", "editorial ", "all rights reserved", "sign up",
              "subscribe ", "click here", "download ")  # fmt: skip
_CUE_OPENINGS = ("our standards", "©", "(c)", "copyright", "follow", "share", "ad", "sponsored")
#: The characters that `re.IGNORECASE` takes for an ASCII letter ("ſ" for "s") but that
#: `str.lower` leaves as they are or makes longer: a line holding one is searched in full.
_ASCII_CASE_PEERS = frozenset("\u0130\u0131\u017f\u212a")  # İ ı ſ K (Kelvin)
#: A paragraph that opens with a copyright notice is furniture however long its small print
#: (not "(c)", which opens list items too).
NOTICE_RE = re.compile(r"^(?:©|copyright\s+(?:©|\d{4}))", re.IGNORECASE)
#: A line holding nothing but when the page was published or updated ("Updated 1:45 pm, Friday,
#: June 1, 2018", "May 31, 2019 | 12:50 PM"): page furniture, and same-day pages share it.
_DAY = r"(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?"
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DATE_PART = (
    rf"\d{{1,4}}(?!\d)(?::\d\d(?!\d))?(?:\s?[ap]\.?m\b\.?)?|{_DAY}\b\.?|{_MONTH}\b\.?"
    r"|utc|gmt|bst|cest|cet|[ecmp][sd]?t\b|at\b"
)
_NAMED_DATE = rf"\b(?:{_DAY}|{_MONTH})\b"
TIMESTAMP_RE = re.compile(
    # a year or a time, and a month or day named, or a label: "2019 | 1,200" or "10:00 - 12:00"
    # are tables and opening hours
    rf"^(?:(?:(?:last\s+)?(?:updated|published|posted)(?:\s+on)?\s*:?\s*)|(?=.*{_NAMED_DATE}))"
    rf"(?=.*(?:\d{{4}}|\d:\d\d))(?:[\s,|/·()–—-]*(?:{_DATE_PART}))+[\s,|/·()–—-]*$",
    re.IGNORECASE,
)
#: A heading that opens a list of links; the bulleted lines after it go with it.
LINK_LIST_RE = re.compile(
    r"^(?:latest developments|latest news|related(?: stories| articles| coverage)?|read more"
    r"|more (?:stories|on this story|from \w+)|trending(?: now)?|most read|most popular"
    r"|you may also like|recommended(?: for you)?|see also)\s*:?\s*$",
    re.IGNORECASE,
)
BULLET_RE = re.compile(r"^\s*(?:[-–—•*·▪►>]|\d+[.)])\s+")
SENTENCE_END_RE = re.compile(r"[.!?…:;\"'”’)\]]\s*$")

#: Longest paragraph (in words) that a cue may remove: longer ones are body text quoting it.
MAX_CUE_WORDS = 40
#: ...but for a copyright notice at an article's tail ("Copyright © 2019 NPR. All rights
#: reserved. Visit our website terms of use ..."), up to this many
MAX_NOTICE_WORDS = 120
#: Learned boilerplate lines are short...
LEARN_MAX_WORDS = 30
#: ...and stand at the head or tail of articles, unless they recur in this many of one source.
LEARN_MANY_DOCS = 5
EDGE_HEAD, EDGE_TAIL = 2, 6
#: A paragraph is `repeated` when this share of its word trigrams lies in a longer one.
REPEAT_CONTAINMENT = 0.8
REPEAT_MIN_WORDS = 4
#: a word trigram held by more paragraphs than this pairs each holder with the next one only:
#: all pairs of its holders would be quadratic (a text of a few words over and over pairs
#: every paragraph with every other), and a line printed again and again is still found
MAX_REPEAT_HOLDERS = 16


def normalise_word(word: str) -> str:
    """The form under which two words count as the same (one shared copy of each: a corpus
    of a hundred thousand articles holds fifty million words, but a few hundred thousand
    distinct ones)."""
    if not word.isascii():
        word = unicodedata.normalize("NFKC", word).replace("’", "'")
    return sys.intern(word.casefold())


@dataclass(slots=True)
class _Block:
    span: Span
    first: int  # index of its first word
    last: int  # one past its last word
    key: int  # hash of its normalised words (its text costs memory; only equality matters)
    cue: bool = False  # site furniture by its words alone (`_furniture_by_cue`)


@dataclass
class _Tokenised:
    article: Article
    words: list[str]
    starts: array[int]
    ends: array[int]
    blocks: list[_Block]


#: Text that may hold mojibake of UTF-8 read as Windows-1252 or Latin-1: a lead byte's character
#: before a continuation byte's, or a C1 control character. Only such lines go to ftfy.
MOJIBAKE_HINT_RE = re.compile(
    "[\xc2-\xf4][\x80-\xbf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]|[\x80-\x9f]"
)
#: the characters one of which `MOJIBAKE_HINT_RE` needs to find anything
_MOJIBAKE_LEADS = frozenset(map(chr, [*range(0x80, 0xA0), *range(0xC2, 0xF5)]))
#: Runs of a line between ASCII blanks. Mojibake never holds an ASCII character, so a repaired
#: line keeps its runs, and each run is aligned with its repair on its own (short, cheap).
_RUN_RE = re.compile(r"[^ \t\f\v]+")
#: Runs longer than this are mapped by their common head and tail only.
MAX_ALIGNED_RUN = 2000


def repair_mojibake(line: str) -> tuple[str, list[int], list[int]] | None:
    """The line with its mojibake repaired (ftfy), and where each repaired character came from.

    Returns `None` when there is nothing to repair. Otherwise `(fixed, first, last)`: the
    repaired character `fixed[j]` stands for `line[first[j]:last[j]]`, so a word
    `fixed[a:b]` stands for `line[first[a]:last[b - 1]]`, the damaged characters as read.
    """
    if line.isascii() or not MOJIBAKE_HINT_RE.search(line):
        return None
    from ftfy import fix_encoding
    from ftfy.badness import is_bad

    if not is_bad(line):
        return None
    fixed = fix_encoding(line)
    if fixed == line:
        return None
    runs = list(_RUN_RE.finditer(line))
    repaired = _RUN_RE.findall(fixed)
    if len(repaired) != len(runs):  # ftfy moved a blank: repair run by run instead
        repaired = [fix_encoding(run.group()) for run in runs]
    out: list[str] = []
    first: list[int] = []
    last: list[int] = []
    position = 0
    for run, new in zip(runs, repaired, strict=True):
        for i in range(position, run.start()):  # the blanks between runs, as they are
            out.append(line[i])
            first.append(i)
            last.append(i + 1)
        _map_run(run.group(), new, run.start(), out, first, last)
        position = run.end()
    for i in range(position, len(line)):
        out.append(line[i])
        first.append(i)
        last.append(i + 1)
    return "".join(out), first, last


def _map_run(
    old: str, new: str, offset: int, out: list[str], first: list[int], last: list[int]
) -> None:
    """Append `new` to `out`, and for each of its characters the span of `old` it came from."""
    out.append(new)
    if old == new:
        first.extend(range(offset, offset + len(old)))
        last.extend(range(offset + 1, offset + len(old) + 1))
        return
    if len(old) <= MAX_ALIGNED_RUN and len(new) <= MAX_ALIGNED_RUN:
        opcodes = _anchored_opcodes(old, new)
    else:
        head = 0
        while head < min(len(old), len(new)) and old[head] == new[head]:
            head += 1
        tail = 0
        while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
            tail += 1
        opcodes = [
            ("equal", 0, head, 0, head),
            ("replace", head, len(old) - tail, head, len(new) - tail),
            ("equal", len(old) - tail, len(old), len(new) - tail, len(new)),
        ]
    for tag, i1, i2, j1, j2 in opcodes:
        for j in range(j1, j2):
            if tag == "equal":
                first.append(offset + i1 + j - j1)
                last.append(offset + i1 + j - j1 + 1)
            elif i2 - i1 >= j2 - j1:
                # Repaired characters share the damaged stretch in order, each its own part
                # (mojibake spells every character in two or three): words stay apart.
                k = j - j1
                first.append(offset + i1 + k * (i2 - i1) // (j2 - j1))
                last.append(offset + i1 + (k + 1) * (i2 - i1) // (j2 - j1))
            else:  # fewer damaged characters than repaired ones: each stands for all of them
                first.append(offset + i1)
                last.append(offset + i2)


def _anchored_opcodes(old: str, new: str) -> list[tuple[str, int, int, int, int]]:
    """`SequenceMatcher` opcodes turning `old` into `new`, anchored on ASCII characters first
    (mojibake never makes them, so they match only themselves), then aligned between anchors:
    a repaired "€" may not match the "€" inside the "â€”" of a dash across an "x"."""
    ascii_old = [c if c.isascii() else ("old", i) for i, c in enumerate(old)]
    ascii_new = [c if c.isascii() else ("new", j) for j, c in enumerate(new)]
    anchors = SequenceMatcher(None, ascii_old, ascii_new, autojunk=False).get_matching_blocks()
    opcodes: list[tuple[str, int, int, int, int]] = []
    i = j = 0
    for block in anchors:  # the last block is (len(old), len(new), 0)
        if block.a > i or block.b > j:
            between = SequenceMatcher(None, old[i : block.a], new[j : block.b], autojunk=False)
            for tag, i1, i2, j1, j2 in between.get_opcodes():
                opcodes.append((tag, i + i1, i + i2, j + j1, j + j2))
        if block.size:
            opcodes.append(("equal", block.a, block.a + block.size, block.b, block.b + block.size))
        i, j = block.a + block.size, block.b + block.size
    return opcodes


#: `WORD_RE` as `re.split` uses it (the words at odd places, what lies between at even ones)
_WORD_SPLIT_RE = re.compile(f"({WORD_RE.pattern})")
#: `WORD_RE` where every word character is ASCII
_ASCII_WORD_RE = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z0-9]+)*")
_ASCII_WORD_CHARACTER = np.zeros(128, dtype=bool)
_ASCII_WORD_CHARACTER[[ord(c) for c in string.ascii_letters + string.digits]] = True


def _code_points(text: str) -> np.ndarray:
    if text.isascii():
        return np.frombuffer(text.encode("ascii"), dtype=np.uint8)
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


#: Texts up to this long have their offsets held in two bytes each (most are: an offset is
#: a quarter of a corpus's memory in cleaned words, held as long as the scan runs)
SHORT_TEXT = 2**15 - 1


def _offset_array(offsets: np.ndarray, text_length: int) -> array[int]:
    """`offsets` into a text of `text_length` as an array of C ints, short ones where they fit."""
    if text_length <= SHORT_TEXT:
        return array("h", offsets.astype(np.int16).tobytes())
    return array("i", offsets.astype(np.int32).tobytes())


def _ascii_word_offsets(codes: np.ndarray) -> tuple[array[int], array[int]]:
    """Where `_ASCII_WORD_RE` finds words in the text of these code points, all at once: runs
    of ASCII letters and digits, with the apostrophes that stand between two of them."""
    word = np.zeros(len(codes) + 2, dtype=bool)  # one False either side
    inner = word[1:-1]
    ascii_codes = codes < 128
    inner[ascii_codes] = _ASCII_WORD_CHARACTER[codes[ascii_codes]]
    inner |= ((codes == ord("'")) | (codes == ord("’"))) & word[:-2] & word[2:]
    change = np.diff(word.view(np.int8))
    starts, ends = np.flatnonzero(change == 1), np.flatnonzero(change == -1)
    return _offset_array(starts, len(codes)), _offset_array(ends, len(codes))


def _offsets(parts: list[str]) -> tuple[array[int], array[int]]:
    """Where the words of `re.split` parts (see `_WORD_SPLIT_RE`) start and end in the text."""
    bounds = np.cumsum(np.fromiter(map(len, parts), dtype=np.int64, count=len(parts)))
    length = int(bounds[-1])  # the text's (`parts` hold all of it)
    return _offset_array(bounds[0:-1:2], length), _offset_array(bounds[1::2], length)


def words_as_read(text: str) -> str:
    """How `text`'s words are read: "ascii" when every word character is ASCII (typographic
    apostrophes aside) and lower-casing keeps every offset, so that each word is its text
    lower-cased; "mojibake" when lines may need repair (a word's offsets then span the damaged
    characters); else "unicode" (each word is the NFKC and case-folded form of its text)."""
    return reading(text)[0]


def reading(text: str) -> tuple[str, np.ndarray]:
    """`words_as_read(text)`, and the text's code points (uint8 for ASCII text, else uint32)."""
    codes = _code_points(text)
    others = set(map(chr, np.unique(codes[codes > 127]).tolist()))
    if not others.isdisjoint(_MOJIBAKE_LEADS) and MOJIBAKE_HINT_RE.search(text):
        return "mojibake", codes
    # (Lowering changes a text's length only where one of its characters lowers to several.)
    if not any(map(str.isalnum, others)) and all(len(c.lower()) == 1 for c in others):
        return "ascii", codes
    return "unicode", codes


def _words(text: str) -> tuple[list[str], array[int], array[int]]:
    """The normalised words of `text` and their `[start, end)` offsets into it (arrays of C
    ints, see `_offset_array`: a list of Python ints costs nine to eighteen times the memory)."""
    kind, codes = reading(text)
    if kind == "mojibake":
        return _repaired_words(text)
    if kind == "ascii":
        found = _ASCII_WORD_RE.findall(text.lower())
        if "’" in text:
            found = [word.replace("’", "'") for word in found]
        return list(map(sys.intern, found)), *_ascii_word_offsets(codes)
    parts = _WORD_SPLIT_RE.split(text)
    raw = parts[1::2]
    words = list(map(sys.intern, map(str.casefold, raw)))
    ascii_words = np.fromiter(map(str.isascii, raw), dtype=bool, count=len(raw))
    for i in np.flatnonzero(~ascii_words).tolist():  # NFKC and plain apostrophes too
        words[i] = normalise_word(raw[i])
    return words, *_offsets(parts)


def _repaired_words(text: str) -> tuple[list[str], array[int], array[int]]:
    """`_words` of a text that may hold mojibake: line by line, each repaired if need be."""
    words: list[str] = []
    starts: array[int] = array("i")
    ends: array[int] = array("i")
    for line in LINE_RE.finditer(text):
        base = line.start()
        repaired = repair_mojibake(line.group())
        if repaired is None:
            for m in WORD_RE.finditer(line.group()):
                words.append(normalise_word(m.group()))
                starts.append(base + m.start())
                ends.append(base + m.end())
            continue
        fixed, first, last = repaired
        for m in WORD_RE.finditer(fixed):
            start = max(base + first[m.start()], ends[-1] if ends else 0)
            end = base + last[m.end() - 1]
            if end > start:
                words.append(normalise_word(m.group()))
                starts.append(start)
                ends.append(end)
    length = len(text)
    return words, _offset_array(np.asarray(starts), length), _offset_array(np.asarray(ends), length)


def _tokenise(article: Article) -> _Tokenised:
    text = article.text
    words, starts, ends = _words(text)
    blocks: list[_Block] = []
    index = 0
    for line in LINE_RE.finditer(text):
        raw = line.group()
        stripped = raw.strip()
        if not stripped:
            continue
        start = line.start() + (len(raw) - len(raw.lstrip()))
        end = start + len(stripped)
        first = index
        index = bisect_left(starts, end, lo=index)
        key = hash(" ".join(words[first:index])) if index > first else 0
        cue = _furniture_by_cue(stripped, index - first)
        blocks.append(_Block(Span(start, end), first, index, key, cue))
    return _Tokenised(article, words, starts, ends, blocks)


def source_key(article: Article) -> str | None:
    """The outlet an article belongs to, for learning its boilerplate."""
    if article.source:
        return article.source.strip().casefold()
    if article.url:
        host = urlparse(article.url).hostname or ""
        return host.removeprefix("www.") or None
    return None


def _furniture_by_cue(line: str, n_words: int) -> bool:
    """Whether a line is site furniture by its words alone (`CUE_RE`, `TIMESTAMP_RE`)."""
    if n_words > MAX_CUE_WORDS:
        return False
    # Publication times are short lines: most lines need no look for one.
    return bool(
        (_may_hold_cue(line) and CUE_RE.search(line))
        or (len(line) <= 120 and TIMESTAMP_RE.match(line))
    )


def _may_hold_cue(line: str) -> bool:
    """False when `CUE_RE` surely finds nothing in `line` (see `_CUE_WORDS`)."""
    if not line.isascii() and not _ASCII_CASE_PEERS.isdisjoint(line):
        return True
    lowered = line.lower()
    return lowered.startswith(_CUE_OPENINGS) or any(word in lowered for word in _CUE_WORDS)


def learn_boilerplate(tokenised: Sequence[_Tokenised]) -> set[tuple[str, int]]:
    """(source, line) pairs that recur across articles of one source: site furniture.

    A short line at the head or tail of two or more articles of one source is furniture, unless
    those articles also share lines of their body: then they are versions of one story, and what
    they share is text, not boilerplate. A line recurring mid-article counts only when it is in
    many articles (`LEARN_MANY_DOCS`).
    """
    # Most lines are in one article only: count first, then keep who holds the others.
    counts: Counter[tuple[str, int]] = Counter()
    for doc in tokenised:
        source = source_key(doc.article)
        if source is not None:
            counts.update((source, block.key) for block in doc.blocks if block.last > block.first)
    seen: dict[tuple[str, int], set[int]] = defaultdict(set)
    off_edge: set[tuple[str, int]] = set()
    too_long: set[tuple[str, int]] = set()
    for doc_index, doc in enumerate(tokenised):
        source = source_key(doc.article)
        if source is None:
            continue
        # Lines that cues remove anyway (a timestamp under the headline) do not count when
        # telling an article's head and tail from its body.
        positions = list(accumulate((not b.cue for b in doc.blocks), initial=0))
        count = positions[-1]
        for index, block in enumerate(doc.blocks):
            # A cue line goes anyway; shared mid-body ("Advertisement"), it would make two
            # articles look like versions of one story.
            if block.cue or block.last == block.first or counts[(source, block.key)] < 2:
                continue
            key = (source, block.key)
            seen[key].add(doc_index)
            if EDGE_HEAD <= positions[index] < count - EDGE_TAIL:
                off_edge.add(key)
            if block.last - block.first > LEARN_MAX_WORDS:
                too_long.add(key)
    # Articles that share a body line are versions of one text: their shared edges are text too.
    versions: set[tuple[int, int]] = set()
    for key in off_edge:
        sharing = sorted(seen[key])
        if 2 <= len(sharing) < LEARN_MANY_DOCS:
            versions.update((a, b) for i, a in enumerate(sharing) for b in sharing[i + 1 :])
    learned = set()
    for key, docs in seen.items():
        if len(docs) < 2 or key in too_long:
            continue
        if len(docs) >= LEARN_MANY_DOCS:
            learned.add(key)
        elif key not in off_edge:
            ordered = sorted(docs)
            independent = any(
                (a, b) not in versions for i, a in enumerate(ordered) for b in ordered[i + 1 :]
            )
            if independent:
                learned.add(key)
    return learned


_GRAM_MIX = np.uint64(0x9E3779B97F4A7C15)  # odd: multiplying mixes and loses nothing


def word_gram_keys(words: Sequence[str], k: int) -> np.ndarray:
    """A 64-bit key for each word `k`-gram of `words`, equal for equal n-grams, within this
    process (the words' own hashes, mixed: a string keeps its hash, so this reads rather than
    computes them)."""
    if len(words) < k:
        return np.empty(0, dtype=np.uint64)
    return _gram_keys(_word_hashes(words), k)


def _word_hashes(words: Sequence[str]) -> np.ndarray:
    return np.fromiter(map(hash, words), dtype=np.int64, count=len(words)).view(np.uint64)


def _gram_keys(hashes: np.ndarray, k: int) -> np.ndarray:
    """`word_gram_keys` of the words of these hashes (`_word_hashes`)."""
    keys = hashes[: max(0, len(hashes) - k + 1)].copy()
    with np.errstate(over="ignore"):
        for offset in range(1, k):
            keys *= _GRAM_MIX
            keys += hashes[offset : offset + len(keys)]
    return keys


def _block_grams(doc: _Tokenised, skip: set[int]) -> tuple[np.ndarray, np.ndarray]:
    """The distinct word trigrams of each paragraph not in `skip` with `REPEAT_MIN_WORDS` or
    more words (word pairs for paragraphs under five words), as 64-bit hashes: `(grams,
    paragraphs)`, sorted by hash, then by paragraph."""
    lengths = np.fromiter((b.last - b.first for b in doc.blocks), dtype=np.int64)
    firsts = np.fromiter((b.first for b in doc.blocks), dtype=np.int64, count=len(lengths))
    eligible = lengths >= REPEAT_MIN_WORDS
    eligible[list(skip)] = False
    if not eligible.any():
        return np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.int64)
    # Each word's pair and trigram (none at the text's end: no paragraph takes those).
    count = len(doc.words)
    hashes = _word_hashes(doc.words)  # read once for both
    pairs = np.zeros(count, dtype=np.uint64)
    pairs[: max(0, count - 1)] = _gram_keys(hashes, 2)
    triples = np.zeros(count, dtype=np.uint64)
    triples[: max(0, count - 2)] = _gram_keys(hashes, 3)
    block_of = np.repeat(np.arange(len(lengths)), lengths)
    size = 3 - (lengths < 5)  # trigrams, or pairs in paragraphs of four words
    at = np.arange(len(block_of)) - firsts[block_of]  # position in its paragraph
    keep = eligible[block_of] & (at <= (lengths - size)[block_of])
    grams = np.where(size[block_of] == 3, triples, pairs)[keep]
    owners = block_of[keep]
    order = np.lexsort((owners, grams))
    grams, owners = grams[order], owners[order]
    fresh = np.ones(len(grams), dtype=bool)
    fresh[1:] = (grams[1:] != grams[:-1]) | (owners[1:] != owners[:-1])
    return grams[fresh], owners[fresh]


def _repeated_blocks(doc: _Tokenised, skip: set[int]) -> set[int]:
    """Indices of blocks whose words mostly appear in a longer (or earlier equal) block."""
    grams, owners = _block_grams(doc, skip)
    if len(grams) < 2:
        return set()
    own = np.bincount(owners, minlength=len(doc.blocks))
    # Every pair of paragraphs holding one gram (each list of holders is sorted).
    new = np.ones(len(grams), dtype=bool)
    new[1:] = grams[1:] != grams[:-1]
    starts = np.flatnonzero(new)
    counts = np.diff(np.append(starts, len(grams)))
    firsts, seconds = [], []
    for size in np.unique(counts[counts >= 2]).tolist():
        holders = owners[starts[counts == size][:, None] + np.arange(size)]
        if size <= MAX_REPEAT_HOLDERS:
            left, right = np.triu_indices(size, k=1)
        else:
            left = np.arange(size - 1)
            right = left + 1
        firsts.append(holders[:, left].ravel())
        seconds.append(holders[:, right].ravel())
    if not firsts:
        return set()
    n = len(doc.blocks)
    shared_pairs, shared = np.unique(np.concatenate(firsts) * n + np.concatenate(seconds),
                                     return_counts=True)  # fmt: skip
    low, high = shared_pairs // n, shared_pairs % n
    lengths = np.fromiter((b.last - b.first for b in doc.blocks), dtype=np.int64, count=n)
    # `low` < `high`: of two paragraphs of equal length, the later one is the repeat.
    low_repeated = (shared >= REPEAT_CONTAINMENT * own[low]) & (lengths[high] > lengths[low])
    high_repeated = (shared >= REPEAT_CONTAINMENT * own[high]) & (lengths[low] >= lengths[high])
    return set(low[low_repeated].tolist()) | set(high[high_repeated].tolist())


def _clean_one(doc: _Tokenised, learned: set[tuple[str, int]]) -> CleanArticle:
    return _assembled(doc, _removal_reasons(doc, learned))


def _removal_reasons(doc: _Tokenised, learned: set[tuple[str, int]]) -> dict[int, str]:
    """Why each paragraph to remove goes, by its index in `doc.blocks`."""
    blocks = doc.blocks
    reasons: dict[int, str] = {}
    source = source_key(doc.article)
    in_link_list = False
    for i, block in enumerate(blocks):
        text = doc.article.text[block.span.start : block.span.end]
        n_words = block.last - block.first
        if in_link_list and BULLET_RE.match(text):
            reasons[i] = "boilerplate"
            continue
        in_link_list = bool(LINK_LIST_RE.match(text))
        if in_link_list or (source is not None and (source, block.key) in learned):
            reasons[i] = "boilerplate"
        elif block.cue:
            reasons[i] = "boilerplate"
        elif n_words <= MAX_NOTICE_WORDS and i >= len(blocks) - EDGE_TAIL and NOTICE_RE.match(text):
            reasons[i] = "boilerplate"
    for i in _repeated_blocks(doc, set(reasons)):
        reasons[i] = "repeated"
    # Short fragments after the last real sentence are page furniture ("Follow", "Share").
    for i in range(len(blocks) - 1, 0, -1):
        if i in reasons:
            continue
        block = blocks[i]
        text = doc.article.text[block.span.start : block.span.end]
        if block.last - block.first <= 4 and not SENTENCE_END_RE.search(text):
            reasons[i] = "trailing"
        else:
            break
    return reasons


def _assembled(doc: _Tokenised, reasons: dict[int, str]) -> CleanArticle:
    """The cleaned article: `doc` without the paragraphs in `reasons`. Takes `doc`'s token
    lists and cuts the removed words out of them in place: a corpus's tokens are the bulk of
    its memory, and new lists for each article would leave the old ones' memory in holes."""
    blocks = doc.blocks
    words, starts, ends = doc.words, doc.starts, doc.ends
    kept: list[Span] = []
    breaks: list[int] = []
    cut: list[tuple[int, int]] = []  # word ranges to remove, in order
    count, after_removed = 0, False
    for i, block in enumerate(blocks):
        if i in reasons:
            after_removed = True
            if cut and cut[-1][1] == block.first:
                cut[-1] = (cut[-1][0], block.last)
            else:
                cut.append((block.first, block.last))
            continue
        if after_removed and count:
            breaks.append(count)
        after_removed = False
        kept.append(block.span)
        count += block.last - block.first
    for first, last in reversed(cut):
        del words[first:last], starts[first:last], ends[first:last]
    return CleanArticle(doc.article, _merge_removed(blocks, reasons), words, starts, ends, kept,
                        breaks)  # fmt: skip


def _merge_removed(blocks: Sequence[_Block], reasons: dict[int, str]) -> list[Span]:
    """Consecutive removed paragraphs with one reason become one span."""
    spans: list[Span] = []
    previous = -2
    for i in sorted(reasons):
        span = blocks[i].span
        if spans and previous == i - 1 and spans[-1].reason == reasons[i]:
            spans[-1] = Span(spans[-1].start, span.end, reasons[i])
        else:
            spans.append(Span(span.start, span.end, reasons[i]))
        previous = i
    return spans


def clean_articles(
    articles: Sequence[Article],
    progress: Callable[[str, int, int], None] | None = None,
    workers: int = 1,
) -> list[CleanArticle]:
    """Clean a corpus: boilerplate is learned from all of it, then each article is cleaned.

    With `workers` > 1, tokenising and cleaning run in forked processes (see `parallel`), with
    the same result.
    """
    tokenised: list[_Tokenised] = []
    if workers > 1:
        for part in stream_in_processes(
            _tokenise_to_send, articles, range(len(articles)), workers, 256, "tokenise"
        ):
            for joined, docs in part:
                # Unpickled strings are new ones: share them again, each once.
                vocabulary = np.array(list(map(sys.intern, joined.split(_JOIN))), dtype=object)
                for numbers, starts, ends, fields in docs:
                    words, blocks = _received(vocabulary, numbers, fields)
                    article = articles[len(tokenised)]
                    tokenised.append(_Tokenised(article, words, starts, ends, blocks))
    else:
        tokenised = [_tokenise(article) for article in articles]
    learned = learn_boilerplate(tokenised)
    held: list[_Tokenised | None] = list(tokenised)  # each freed once its article is cleaned
    del tokenised
    cleaned: list[CleanArticle] = []
    # Workers say which paragraphs go; the article is put together here from the tokens this
    # process holds already (no word lists sent back, none held twice).
    for removals in stream_in_processes(
        _clean_part, (held, learned), range(len(articles)), workers, 256, "clean", progress
    ):
        for reasons in removals:
            doc = held[len(cleaned)]
            assert doc is not None
            cleaned.append(_assembled(doc, reasons))
            held[len(cleaned) - 1] = None
    return cleaned


#: what joins words as they travel from a worker: no word holds it (`WORD_RE` takes no control
#: character, and NFKC makes none)
_JOIN = "\0"


def _tokenise_to_send(
    articles: Sequence[Article], indices: Sequence[int]
) -> list[tuple[str, list[tuple[np.ndarray, array[int], array[int], list[Any]]]]]:
    """Articles' tokens as a worker sends them, without the articles (the caller has them: no
    need to send text): one `(vocabulary, docs)` for the part. The part's distinct words go
    once, joined in one string, and each article's words as their numbers in it (the receiver
    turns each into a shared string once, not each time it is used); each article's paragraphs
    go as tuples of `_Block`'s fields: hundreds of small objects cost far more to send than to
    make again."""
    tokenised = [_tokenise(articles[i]) for i in indices]
    distinct = dict.fromkeys(chain.from_iterable(doc.words for doc in tokenised))
    number = {word: i for i, word in enumerate(distinct)}
    docs = []
    for doc in tokenised:
        numbers = np.fromiter(map(number.__getitem__, doc.words), np.uint32, len(doc.words))
        fields = [(b.span.start, b.span.end, b.first, b.last, b.key, b.cue) for b in doc.blocks]
        docs.append((numbers, doc.starts, doc.ends, fields))
    return [(_JOIN.join(number), docs)]


def _received(
    vocabulary: np.ndarray, numbers: np.ndarray, fields: list[Any]
) -> tuple[list[str], list[_Block]]:
    """An article's words and paragraphs as `_tokenise_to_send` sent them."""
    words: list[str] = vocabulary[numbers].tolist()
    return words, [_Block(Span(start, end), first, last, key, cue)
                   for start, end, first, last, key, cue in fields]  # fmt: skip


def _clean_part(
    work: tuple[Sequence[_Tokenised | None], set[tuple[str, int]]], indices: Sequence[int]
) -> list[dict[int, str]]:
    """Which paragraphs of each article to remove, and why (`_removal_reasons`)."""
    tokenised, learned = work
    out = []
    for i in indices:
        doc = tokenised[i]
        assert doc is not None
        out.append(_removal_reasons(doc, learned))
    return out


def clean_article(article: Article) -> CleanArticle:
    """Clean one article on its own (no corpus to learn boilerplate from)."""
    return _clean_one(_tokenise(article), set())
