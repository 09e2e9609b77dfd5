"""The plain dataclasses that flow between the stages: read -> clean -> candidates -> align ->
classify -> provenance -> stories -> report. Every stage takes and returns these, nothing else."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

#: Relation names of the output contract (later stages add paraphrase, spun_copy, same_story).
RELATIONS = ("duplicate", "copy", "partial_copy", "paraphrase", "spun_copy", "same_story")
DIRECTIONS = ("source_to_target", "unknown", "common_source")
PASSAGE_KINDS = ("verbatim", "edited", "paraphrase", "spun")
REMOVED_REASONS = ("boilerplate", "repeated", "trailing")


@dataclass
class Article:
    """One article as read: `text` is exactly what every output offset points into."""

    id: str
    text: str
    path: str | None = None
    title: str | None = None
    source: str | None = None
    url: str | None = None
    published: str | None = None
    author: str | None = None
    #: True when `text` was extracted from HTML (an .html file, an `html` field, a WARC record)
    extracted: bool = False
    #: the page's canonical link (or og:url), when it declares one
    canonical: str | None = None


@dataclass(frozen=True)
class ReadError:
    """An input that could not be read; the run goes on without it."""

    path: str
    reason: str
    line: int | None = None

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Span:
    """A `[start, end)` character span of an article's text as read."""

    start: int
    end: int
    reason: str | None = None


@dataclass
class CleanArticle:
    """An article after cleaning: what was removed, and the words left for matching.

    `words[i]` is the normalised form of the word at `text[starts[i]:ends[i]]`; words inside
    removed spans are not listed. `blocks` are the kept paragraphs (stripped), which define how
    many characters of real text the article has (`content_chars`). `breaks` lists the word
    indices that follow removed text: no passage may run across them.
    """

    article: Article
    removed: list[Span]
    words: list[str]
    #: offsets, as compact arrays of ints from `clean` (any sequence of ints will do)
    starts: Sequence[int]
    ends: Sequence[int]
    blocks: list[Span]
    breaks: list[int] = field(default_factory=list)
    #: indices of words whose matching form was restored from a synonym-spun word
    restored: list[int] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.article.id

    @property
    def content_chars(self) -> int:
        return sum(b.end - b.start for b in self.blocks)


@dataclass
class Fingerprint:
    """What the candidate search keeps of one article (see `candidates.fingerprint`): small
    arrays, so that a million of them fit in memory and travel cheaply between processes."""

    #: distinct hashes of its word n-grams, sorted (uint64)
    ngrams: np.ndarray
    #: hashes (top `candidates.TERM_BITS` bits) of the distinct content terms of each
    #: sketchable sentence (uint64)...
    terms: np.ndarray
    #: ...and the number of that sentence in the article (int16, or int32 in an article of
    #: over 32,768 sentences), one per entry of `terms`
    sentences: np.ndarray
    #: distinct hashes of the names and numbers it mentions, sorted (uint64)
    names: np.ndarray
    #: distinct keys of its terms and phrases, for the run's idf (`candidates.term_key`)
    vocabulary: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.uint64))


@dataclass(frozen=True, slots=True)
class Candidate:
    """Two articles (indices into the cleaned list, `a < b`) sharing `shared` rare n-grams."""

    a: int
    b: int
    shared: int


@dataclass
class Passage:
    """A shared passage: `[start, end)` offsets into the source and into the target text."""

    source: tuple[int, int]
    target: tuple[int, int]
    kind: str
    similarity: float
    quote: bool = False

    def swapped(self) -> Passage:
        return Passage(self.target, self.source, self.kind, self.similarity, self.quote)


@dataclass
class Pair:
    source: str
    target: str
    relation: str
    direction: str
    score: float
    coverage_source: float
    coverage_target: float
    passages: list[Passage]


@dataclass
class Edge:
    source: str
    target: str
    relation: str


@dataclass
class Story:
    id: str
    articles: list[str]
    original: str | None
    common_source: str | None
    label: str
    edges: list[Edge] = field(default_factory=list)


@dataclass
class Clues:
    """What an article says about where it comes from: its byline, dateline and credits."""

    #: the writer named in a byline ("By Lucy Williamson")
    author: str | None = None
    #: the outlet the article presents itself as from (byline "BBC News, Calais")
    outlet: str | None = None
    #: the place named in the byline or dateline
    place: str | None = None
    #: a wire agency named in a dateline ("LONDON (Reuters) -")
    agency: str | None = None
    #: outlets or agencies the text credits as its source of information
    credits: list[str] = field(default_factory=list)
    #: an origin the page declares about itself ("originally published by ...")
    declared_source: str | None = None


@dataclass
class ArticleReport:
    """Everything the scan says about one article (the `articles[]` entries of the JSON)."""

    article: Article
    removed: list[Span]
    content_chars: int
    reused_fraction: float = 0.0
    story: str | None = None
    clues: Clues = field(default_factory=Clues)
    #: for members of a story, the stretches of text found in no other member
    unique: list[Span] | None = None
    spin: dict[str, Any] | None = None


@dataclass
class ScanOptions:
    """Tuning knobs of a scan; the defaults work from five articles to millions."""

    #: words per n-gram in the candidate index (passim uses 5)
    ngram: int = 5
    #: n-grams found in more articles than this are too common to link articles
    max_df: int = 100
    #: distinct rare n-grams two articles must share to be compared
    min_shared: int = 2
    #: words per exact seed match in alignment
    seed: int = 3
    #: largest gap (in words, either side) bridged when merging matches into a passage
    max_gap: int = 12
    #: shortest passage reported, in words
    min_words: int = 8
    #: passages whose word-level similarity falls below this are dropped
    min_similarity: float = 0.5
    #: reuse needs a passage of this many words on both sides (each passage's words weighed by
    #: its similarity), or passages covering a fifth of either article: thinner overlaps are the
    #: phrases two reports of one event share, and pairs sharing only those or quotes are
    #: `same_story`; 0 counts every passage, shared quotes too, as reuse
    min_reuse_words: int = 15
    #: keep each article's text in the output
    keep_text: bool = False
    #: processes for the alignment stage (1: in this process; the output is the same either way)
    workers: int = 1
    #: also pair sentences that say the same thing in other words (`paraphrase` passages)
    paraphrase: bool = True
    #: how sentences are compared: "lexical" (tf-idf and Dice), "semantic" (sentence
    #: embeddings, extra `copydesk[semantic]`) or "auto" (semantic when installed)
    paraphrase_method: str = "lexical"


@dataclass
class ScanResult:
    articles: list[ArticleReport]
    pairs: list[Pair]
    stories: list[Story]
    errors: list[ReadError] = field(default_factory=list)
    options: ScanOptions = field(default_factory=ScanOptions)


@dataclass(frozen=True)
class Change:
    """One word swapped by a spinner, or restored by `despin`: `[start, end)` offsets into the
    spun text, the spun word as written there, the original word (in the spun word's case) and how
    sure the restoration is (1.0 for the truth a spinner records)."""

    start: int
    end: int
    spun: str
    original: str
    confidence: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "spun": self.spun,
            "restored": self.original,
            "confidence": round(self.confidence, 3),
        }


@dataclass
class SpinReport:
    """How far a text looks run through a synonym spinner (`spin.score`, `spin.spun`)."""

    #: 0 (plain text) .. 1 (certainly spun)
    score: float
    spun: bool
    #: estimated share of the swappable words that were swapped
    rate: float = 0.0
    #: words that a spinner could have swapped (the evidence base)
    words: int = 0
    #: the strongest pieces of evidence: words that fit far worse than a word they may replace
    hits: list[Change] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The `spin` object of an article in the scan JSON."""
        return {
            "score": round(self.score, 3),
            "spun": self.spun,
            "rate": round(self.rate, 3),
            "hits": len(self.hits),
        }


@dataclass
class Restoration:
    """A text with its spun words put back: `text` is the restored text, `changes` point into
    the text as given (the spun one)."""

    text: str
    changes: list[Change]
    spin: SpinReport
