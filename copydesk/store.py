"""The index: articles, their cleaning, fingerprints, pairs and passages in one SQLite file.

An index grows batch by batch (`Index.add`). Each batch is cleaned, fingerprinted and compared
with the indexed articles and with itself, in one transaction, by the stage functions `scan`
uses (`clean_articles`, `read_clues`, `matchable`, `candidates.fingerprint`,
`candidates.candidates_of` with `pipeline.candidate_settings`, `align_candidates`,
`assemble`), so an index holds the pairs one scan of the same articles finds. What is indexed
already is never recomputed, except as said under "cleaning" below.

Cleaning. `clean_articles` learns each source's boilerplate (footers, link lists) from the
corpus it is given. A batch is cleaned together with the `CONTEXT_PER_SOURCE` articles of each
of its sources indexed last; a context article whose removed spans come out larger (say, a
footer that only the new articles show to be furniture) is indexed again: new fingerprints, its
pairs found again. One that would lose a removal keeps its cleaning (the articles that showed
that furniture may have left the context). An index whose sources each hold at most
`CONTEXT_PER_SOURCE` articles is thus cleaned as one scan of all of them would be; beyond that,
learning sees the recent ones.
`check` cleans the same way but changes nothing.

Candidates. An article is found by three kinds of key, each with its postings (hash, doc) and
its table of keys set aside as common: rare n-grams (`postings`, `common`), names and numbers
(`names`, `common_names`) and the content terms of its sketchable sentences (`terms`,
`common_terms`). A key found in more than `max_df` articles is set aside and its postings
dropped, and stays set aside even if the articles holding it are replaced later. A name or
term set aside links nothing from then on, as in a scan of the whole index; an n-gram set
aside (a hub) links each article holding it to its lead (`hubs`): the earliest published of
the articles that held it when it was set aside, where the two share
`candidates.HUB_MIN_SHARED` such n-grams, as a scan links them to the earliest of all. The
postings of a term count its articles, so a term's document frequency is known while it is
rare. Fresh articles (a batch, or the checked one) enter `candidates_of` with the indexed
articles they could pair with: those sharing n-grams or names enter with the keys they share
(all that counting shared keys takes); those holding `SKETCH_SIZE` rare terms of one fresh
sentence (what sharing a sentence sketch takes) enter with every sentence term they hold (kept
in `sentences`), less those that the index and the fresh articles together make common. Each
sketch is thus the one a scan of the index and the fresh articles would draw, and so is each
pair of a fresh article.

Idf. `idf` counts the articles holding each term key of `Fingerprint.vocabulary` (what a
scan's `candidates.Idf` counts), `meta.documents` the articles. A batch's terms are counted
before it is aligned, and its pairs are aligned with an `Idf` of the keys of every term of
their articles (`align.article_terms`, keyed by `candidates.term_key`) with their counts in the
whole index, and for terms it lacks the weight of the rarest term of the index (`_fewest`):
the idf a scan of everything indexed so far would use. `check` counts the checked article in, and
the indexed version of it out.

Where an index differs from one scan of its articles, by design (each batch is compared once):
- a pair is aligned with the idf of the index when its later article arrives: articles added in
  several batches get the pairs, relations and directions of one scan on the seeds and on
  synthetic rewrites (the tests hold this), but scores differ, and a pair or passage near a
  threshold may come out otherwise (on census added seven at a time: 4 of 218 relations);
- a key that turns common after some articles were compared keeps the pairs it made (n-grams,
  names, sketches alike), and a sentence term that turns common changes the sketches of the
  articles holding it: the pairs such new sketches would make among articles indexed before are
  not looked for (new articles are compared with the sketches of now);
- a key set aside stays so when the articles holding it are replaced;
- an n-gram set aside (a hub: a story syndicated widely) links each article holding it to its
  lead (`hubs`), the earliest published of those that held it when it was set aside, where a
  scan picks the earliest of them all, later arrivals too (see `candidates.candidates_of`);
- an index migrated from schema 2 gets its names, sentence terms and idf counts from the
  stored cleaning, but the pairs sketches and names would have found among the articles it
  held then are not looked for (add them to a new index file to have those).
With every article added in one batch, or with the paraphrase stage off (no sketches, names or
idf), the index is one scan to the last figure.

Spin and paraphrase. As in `scan`, clues are read from the article as cleaned, and matching
uses its words with spun ones restored (`pipeline.matchable`); the spin report is stored for
the JSON.

Transactions. WAL mode: readers never wait for the writer and see each batch whole or not at
all; each batch is one transaction (`BEGIN IMMEDIATE`), so an `add` killed at any point leaves
every batch committed before it. Each thread gets its own connection; writes in one process
are serialised by a lock, across processes by SQLite (`busy_timeout`).

Schema (version `SCHEMA_VERSION`, kept in `meta`; `MIGRATIONS` bring older files up to it):
`articles` (text, fields, removed spans, packed cleaning, clues, spin), `postings` (rare n-gram
hash, article), `common` (n-grams set aside), `names` and `common_names`, `terms` and
`common_terms` (the same for names and sentence terms), `hubs` (each n-gram set aside since
schema 4, with the article it links the others to), `sentences` (each article's sentence
terms, packed), `idf` (term, articles), `pairs` and `passages`, `members` (the story of each
article that has one, by its first article), `meta` (version, options, counters).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import struct
import threading
import time
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import numpy as np

from . import __version__
from .align import article_terms
from .candidates import (
    HUB_MIN_SHARED,
    SKETCH_SIZE,
    Idf,
    candidates_of,
    fingerprint,
    fingerprints,
    idf_weight,
    ngram_hashes,
    publication_ranks,
    term_key,
)
from .classify import coverage, union_spans
from .clean import clean_articles, source_key
from .model import (
    Article,
    ArticleReport,
    Candidate,
    Change,
    CleanArticle,
    Clues,
    Fingerprint,
    Pair,
    Passage,
    ReadError,
    ScanOptions,
    ScanResult,
    Span,
    SpinReport,
    Story,
)
from .pipeline import Progress, align_candidates, assemble, candidate_settings, matchable
from .provenance import explained_by_a_common_source, read_clues
from .read import iter_articles
from .spin import spin_dict, words_of_originals
from .stories import build_stories, unique_spans

#: The layout of the database; `MIGRATIONS` brings older ones up to it.
SCHEMA_VERSION = 4
DEFAULT_DB = "copydesk.db"
#: Articles per transaction when adding from files.
DEFAULT_BATCH = 500
#: Indexed articles of each source cleaned with a batch, to learn that source's boilerplate.
CONTEXT_PER_SOURCE = 10
#: How long a writer waits for another process's transaction before giving up.
BUSY_TIMEOUT_S = 60.0
#: Hashes looked up per query (keeps the JSON parameter small).
LOOKUP_CHUNK = 50_000
#: Characters of text loaded per article to label stories (the label is its first ten words).
LABEL_CHARS = 400
#: Options that only say how to run, not what is found: every other one is fixed when an
#: index is made (fingerprints and pairs depend on them).
RUNTIME_OPTIONS = ("keep_text", "workers")
STORED_OPTIONS = tuple(f.name for f in fields(ScanOptions) if f.name not in RUNTIME_OPTIONS)
#: Words whose n-gram hash is stored at creation: a mismatch means the hashing changed.
CANARY = ("copydesk", "fingerprint", "canary", "of", "five", "words")

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE articles (
    doc INTEGER PRIMARY KEY,        -- order of first arrival (a scan's input order)
    id TEXT NOT NULL UNIQUE,
    digest TEXT NOT NULL,           -- text and fields: the same digest again is a no-op
    source_key TEXT,                -- clean.source_key: whose boilerplate it may share
    text TEXT NOT NULL,
    path TEXT, title TEXT, source TEXT, url TEXT, published TEXT, author TEXT,
    extracted INTEGER NOT NULL DEFAULT 0,
    canonical TEXT,
    removed TEXT NOT NULL,          -- JSON [[start, end, reason], ...]
    content_chars INTEGER NOT NULL,
    clean BLOB NOT NULL,            -- words as matched, offsets, kept blocks, breaks (packed)
    clues TEXT NOT NULL,            -- JSON of model.Clues
    added_at REAL NOT NULL,
    spin TEXT                       -- JSON of model.SpinReport
);
CREATE INDEX articles_by_source ON articles (source_key, doc);
CREATE TABLE postings (
    hash INTEGER NOT NULL,          -- n-gram hash (uint64 stored as int64)
    doc INTEGER NOT NULL,
    PRIMARY KEY (hash, doc)
) WITHOUT ROWID;
CREATE TABLE common (hash INTEGER PRIMARY KEY);
CREATE TABLE pairs (
    pair INTEGER PRIMARY KEY,
    source INTEGER NOT NULL,
    target INTEGER NOT NULL,
    relation TEXT NOT NULL,
    direction TEXT NOT NULL,
    score REAL NOT NULL,
    coverage_source REAL NOT NULL,
    coverage_target REAL NOT NULL,
    UNIQUE (source, target)
);
CREATE INDEX pairs_by_target ON pairs (target);
CREATE TABLE passages (
    pair INTEGER NOT NULL,
    n INTEGER NOT NULL,
    source_start INTEGER NOT NULL,
    source_end INTEGER NOT NULL,
    target_start INTEGER NOT NULL,
    target_end INTEGER NOT NULL,
    kind TEXT NOT NULL,
    similarity REAL NOT NULL,
    quote INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (pair, n)
) WITHOUT ROWID;
CREATE TABLE members (              -- articles in a story (linked by pairs, two or more)
    doc INTEGER PRIMARY KEY,
    root INTEGER NOT NULL           -- the story's first article: stories are numbered by it
);
CREATE INDEX members_by_root ON members (root);
"""

#: Schema 3: what the sentence-sketch and shared-name candidates and the corpus-wide idf need.
KEYS_SCHEMA = """
CREATE TABLE names (                -- rare names and numbers (candidates.name_hashes)
    hash INTEGER NOT NULL,
    doc INTEGER NOT NULL,
    PRIMARY KEY (hash, doc)
) WITHOUT ROWID;
CREATE TABLE common_names (hash INTEGER PRIMARY KEY);
CREATE TABLE terms (                -- rare content terms of sketchable sentences (hashes)
    hash INTEGER NOT NULL,
    doc INTEGER NOT NULL,
    PRIMARY KEY (hash, doc)
) WITHOUT ROWID;
CREATE TABLE common_terms (hash INTEGER PRIMARY KEY);
CREATE TABLE sentences (            -- every article's content terms by sentence (packed)
    doc INTEGER PRIMARY KEY,
    terms BLOB NOT NULL
);
CREATE TABLE idf (                  -- articles holding each idf term (its candidates.term_key)
    key INTEGER PRIMARY KEY,
    df INTEGER NOT NULL
);
"""


def _add_members(conn: sqlite3.Connection) -> None:
    """Schema 1 -> 2: story membership kept in the index (`members`), filled from the pairs;
    a spin report per article (left empty for the articles already indexed)."""
    conn.execute("ALTER TABLE articles ADD COLUMN spin TEXT")
    conn.execute("CREATE TABLE members (doc INTEGER PRIMARY KEY, root INTEGER NOT NULL)")
    conn.execute("CREATE INDEX members_by_root ON members (root)")
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for source, target in conn.execute("SELECT source, target FROM pairs"):
        a, b = find(source), find(target)
        if a != b:
            parent[max(a, b)] = min(a, b)
    conn.executemany("INSERT INTO members VALUES (?, ?)", ((d, find(d)) for d in list(parent)))


def _add_keys(conn: sqlite3.Connection) -> None:
    """Schema 2 -> 3: name and term postings, sentence terms and idf counts of every indexed
    article, as `add` would have stored them. The pairs already found are kept; those that
    sentence sketches or shared names would have found among these articles are not looked
    for (add the articles to a new index file to have them)."""
    for statement in KEYS_SCHEMA.split(";"):
        if statement.strip():
            conn.execute(statement)
    row = conn.execute("SELECT value FROM meta WHERE key='options'").fetchone()
    stored = json.loads(row[0]) if row else {}
    options = ScanOptions(**{k: v for k, v in stored.items() if k in STORED_OPTIONS})
    last = -1
    while True:
        rows = conn.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE doc > ? ORDER BY doc LIMIT ?",
            (last, MIGRATION_CHUNK),
        ).fetchall()
        if not rows:
            break
        last = int(rows[-1][0])
        docs = {
            int(r[0]): unpack_clean(_article_from_row(r), _removed_spans(r[11]), r[12])
            for r in rows
        }
        prints = dict(zip(docs, fingerprints(list(docs.values()), options.ngram), strict=True))
        _insert_postings(conn, "names", {d: p.names for d, p in prints.items()})
        _insert_postings(conn, "terms", {d: np.unique(p.terms) for d, p in prints.items()})
        _insert_sentences(conn, prints)
        _count_terms(conn, [p.vocabulary for p in prints.values()], 1)
    for postings, common in (_NAMES, _TERMS):
        conn.execute(
            f"INSERT INTO {common} SELECT hash FROM {postings} GROUP BY hash HAVING count(*) > ?",
            (options.max_df,),
        )
        conn.execute(f"DELETE FROM {postings} WHERE hash IN (SELECT hash FROM {common})")
    documents = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    conn.execute("INSERT OR REPLACE INTO meta VALUES ('documents', ?)", (str(documents),))


#: Schema 4: the article each n-gram set aside as common links the others holding it to.
HUBS_SCHEMA = """
CREATE TABLE hubs (                 -- n-grams set aside as common (hubs), with their lead
    hash INTEGER PRIMARY KEY,
    lead INTEGER NOT NULL           -- the earliest published holding it when set aside
);
"""


def _add_hubs(conn: sqlite3.Connection) -> None:
    """Schema 3 -> 4: the hubs' leads (`hubs`). The n-grams set aside before have none and go on
    linking nothing."""
    conn.execute(HUBS_SCHEMA)


#: MIGRATIONS[v] turns a version-v index into version v + 1, inside one transaction.
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {
    1: _add_members,
    2: _add_keys,
    3: _add_hubs,
}
#: Articles read at a time by a migration.
MIGRATION_CHUNK = 1000
#: (postings, hashes set aside as too common) of each kind of key an article is found by.
_NGRAMS = ("postings", "common")
_NAMES = ("names", "common_names")
_TERMS = ("terms", "common_terms")

_ARTICLE_FIELDS = ("path", "title", "source", "url", "published", "author", "canonical")
_ARTICLE_COLUMNS = (
    "doc, id, text, path, title, source, url, published, author, extracted, canonical, "
    "removed, clean, clues, spin"
)


class StoreError(Exception):
    """An index that cannot be opened or used as asked; the message says what to do."""


class IndexBusy(StoreError):
    """Another process held the index's write lock past `BUSY_TIMEOUT_S`."""


class SchemaVersionError(StoreError):
    """The index was written by a copydesk whose schema this one cannot read."""


@dataclass
class AddResult:
    """What an `add` did: ids added, replaced (new text), unchanged (no-op), and refreshed
    (indexed articles cleaned anew with the batch), the pairs it found, and the inputs that
    could not be read."""

    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    refreshed: list[str] = field(default_factory=list)
    pairs: list[Pair] = field(default_factory=list)
    errors: list[ReadError] = field(default_factory=list)
    batches: int = 0

    @property
    def read(self) -> int:
        """Articles read (added, replaced or unchanged)."""
        return len(self.added) + len(self.replaced) + len(self.unchanged)

    def merge(self, other: AddResult) -> None:
        """Add another batch's result to this one."""
        self.added += other.added
        self.replaced += other.replaced
        self.unchanged += other.unchanged
        self.refreshed += other.refreshed
        # A pair found again (an article cleaned anew, or replaced) counts once, as found last.
        found = {frozenset((p.source, p.target)): p for p in self.pairs + other.pairs}
        self.pairs = list(found.values())
        self.errors += other.errors
        self.batches += other.batches


@dataclass
class _Keys:
    """One kind of key (n-grams, names, sentence terms) of fresh articles, less those set aside
    as common, and the indexed articles holding them: `(old_hashes[i], old_docs[i])`."""

    fresh: dict[int, np.ndarray]
    old_hashes: np.ndarray
    old_docs: np.ndarray
    #: (lead, fresh article): how many n-grams set aside as common (hubs) the fresh article
    #: holds that link it to that lead
    leads: dict[tuple[int, int], int] = field(default_factory=dict)


_NO_SENTENCES = np.empty(0, dtype=np.int32)


def _looked_up(conn: sqlite3.Connection, query: str, keys: Iterable[int]) -> dict[Any, Any]:
    """The (key, value) rows `query` gives for `keys`, read `LOOKUP_CHUNK` keys at a time; the
    query reads the keys as `json_each(?) AS j`, `j.value` each."""
    found: dict[Any, Any] = {}
    rows = sorted(set(keys))
    for start in range(0, len(rows), LOOKUP_CHUNK):
        found.update(conn.execute(query, (_json(rows[start : start + LOOKUP_CHUNK]),)).fetchall())
    return found


def _only(
    terms: Mapping[int, tuple[np.ndarray, np.ndarray]], wanted: np.ndarray, invert: bool = False
) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Each article's `(terms, sentences)` less the entries whose term is not `wanted` (or,
    with `invert`, is): one membership test for all (`np.isin` sorts `wanted` each time)."""
    if not terms:
        return {}
    every = np.concatenate([t for t, _ in terms.values()])
    found = np.isin(every, wanted, invert=invert)
    keep = np.split(found, np.cumsum([len(t) for t, _ in terms.values()])[:-1])
    return {d: (t[k], s[k]) for (d, (t, s)), k in zip(terms.items(), keep, strict=True)}


def _by_doc(hashes: np.ndarray, docs: np.ndarray) -> dict[int, np.ndarray]:
    """Postings `(hashes[i], docs[i])` as the hashes of each doc."""
    if not len(docs):
        return {}
    order = np.lexsort((hashes, docs))
    docs_sorted, hashes_sorted = docs[order], hashes[order]
    holders, firsts = np.unique(docs_sorted, return_index=True)
    groups = np.split(hashes_sorted, firsts[1:])
    return {int(d): group for d, group in zip(holders, groups, strict=True)}


def _sketch_holders(terms: _Keys, fresh: Iterable[tuple[np.ndarray, np.ndarray]]) -> set[int]:
    """Indexed articles holding `SKETCH_SIZE` of the terms of one sentence of a fresh article
    (`fresh`: rare terms and their sentence numbers): the only ones that can share a sketch
    with it, as a sketch is `SKETCH_SIZE` rare terms of one sentence."""
    if not len(terms.old_hashes):
        return set()
    order = np.argsort(terms.old_hashes, kind="stable")
    hashes, docs = terms.old_hashes[order], terms.old_docs[order]
    found: set[int] = set()
    for t, s in fresh:
        low = np.searchsorted(hashes, t, "left")
        held = np.searchsorted(hashes, t, "right") - low
        total = int(held.sum())
        if total == 0:
            continue
        # Every (holder, sentence) of every term of the article: ranges of the sorted postings.
        at = np.repeat(low - (np.cumsum(held) - held), held) + np.arange(total)
        span = int(s.max()) + 1
        pairs, count = np.unique(
            docs[at] * span + np.repeat(s.astype(np.int64), held), return_counts=True
        )
        found.update((pairs[count >= SKETCH_SIZE] // span).tolist())
    return found


@dataclass
class _Context:
    doc: int
    article: Article
    removed: str


def article_digest(article: Article) -> str:
    """What decides whether a re-added article changed: its text and fields (not its path)."""
    parts = [article.text, article.title, article.source, article.url, article.published,
             article.author, article.extracted, article.canonical]  # fmt: skip
    data = json.dumps(parts, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "replace")
    return hashlib.sha256(data).hexdigest()


def validate(article: Article) -> None:
    """Refuse what cannot be indexed: no id, no text, strings that are not valid Unicode."""
    if not isinstance(article.id, str) or not article.id.strip():
        raise ValueError("an article needs a non-empty string id")
    if not isinstance(article.text, str) or not article.text.strip():
        raise ValueError(f"article {article.id!r} has no text")
    for name in ("id", "text", *_ARTICLE_FIELDS):
        value = getattr(article, name)
        if value is None:
            continue
        if not isinstance(value, str):
            raise ValueError(f"article {article.id!r}: {name!r} must be a string")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError(
                f"article {article.id!r}: {name!r} holds an unpaired surrogate (not Unicode text)"
            ) from None


def _removed_json(spans: Sequence[Span]) -> str:
    return json.dumps([[s.start, s.end, s.reason] for s in spans], separators=(",", ":"))


def _inside(old: Sequence[Span], new: Sequence[Span]) -> bool:
    """Whether every character of the `old` spans lies in one of the `new` ones."""
    covered = union_spans([(span.start, span.end) for span in new])
    return all(
        any(start <= span.start and span.end <= end for start, end in covered) for span in old
    )


def _removed_spans(data: str) -> list[Span]:
    return [Span(int(s), int(e), r) for s, e, r in json.loads(data)]


def pack_clean(doc: CleanArticle) -> bytes:
    """The cleaning of an article (words, offsets, kept blocks, breaks), compressed."""
    head = json.dumps(
        {"words": doc.words, "blocks": [[b.start, b.end] for b in doc.blocks],
         "breaks": doc.breaks, "restored": doc.restored},
        ensure_ascii=False, separators=(",", ":"),
    ).encode("utf-8", "surrogatepass")  # fmt: skip
    head += b" " * (-len(head) % 4)
    starts = np.asarray(doc.starts, dtype=np.int64)
    ends = np.asarray(doc.ends, dtype=np.int64)
    # Offsets as gaps and lengths: small numbers that compress well.
    numbers = np.concatenate((np.diff(starts, prepend=0), ends - starts)).astype("<i4")
    return zlib.compress(struct.pack("<I", len(head)) + head + numbers.tobytes(), 1)


def unpack_clean(article: Article, removed: list[Span], blob: bytes) -> CleanArticle:
    """The `CleanArticle` that `pack_clean` stored, for `article` as indexed."""
    raw = zlib.decompress(blob)
    (size,) = struct.unpack_from("<I", raw)
    head = json.loads(raw[4 : 4 + size].decode("utf-8", "surrogatepass"))
    numbers = np.frombuffer(raw, dtype="<i4", offset=4 + size).astype(np.int64)
    count = len(numbers) // 2
    starts = np.cumsum(numbers[:count])
    ends = starts + numbers[count:]
    return CleanArticle(
        article=article,
        removed=removed,
        words=head["words"],
        starts=starts.tolist(),
        ends=ends.tolist(),
        blocks=[Span(int(s), int(e)) for s, e in head["blocks"]],
        breaks=[int(b) for b in head["breaks"]],
        restored=[int(i) for i in head.get("restored", ())],
    )


def _clues_json(clues: Clues) -> str:
    return json.dumps(asdict(clues), ensure_ascii=False, separators=(",", ":"))


def _clues(data: str) -> Clues:
    known = {f.name for f in fields(Clues)}
    return Clues(**{k: v for k, v in json.loads(data).items() if k in known})


def _spin_json(report: SpinReport) -> str:
    return json.dumps(asdict(report), ensure_ascii=False, separators=(",", ":"))


def _spin(data: str | None) -> SpinReport | None:
    if data is None:
        return None
    found = json.loads(data)
    known = {f.name for f in fields(SpinReport)} - {"hits"}
    change = {f.name for f in fields(Change)}
    hits = [Change(**{k: v for k, v in h.items() if k in change}) for h in found.get("hits", ())]
    return SpinReport(**{k: v for k, v in found.items() if k in known}, hits=hits)


def _as_rows(hashes: np.ndarray) -> list[int]:
    """uint64 hashes as the signed 64-bit integers SQLite stores."""
    rows: list[int] = hashes.astype(np.uint64).view(np.int64).tolist()
    return rows


def _as_hashes(values: Sequence[int]) -> np.ndarray:
    return np.asarray(values, dtype=np.int64).view(np.uint64)


_NO_HASHES = np.empty(0, dtype=np.uint64)


def pack_sentences(print_: Fingerprint) -> bytes:
    """An article's content-term hashes and their sentence numbers (`Fingerprint.terms`,
    `.sentences`), as stored in `sentences`."""
    return print_.terms.astype("<u8").tobytes() + print_.sentences.astype("<i4").tobytes()


def unpack_sentences(blob: bytes) -> tuple[np.ndarray, np.ndarray]:
    """`(terms, sentences)` as `pack_sentences` stored them."""
    count = len(blob) // 12
    terms = np.frombuffer(blob, dtype="<u8", count=count).astype(np.uint64)
    sentences = np.frombuffer(blob, dtype="<i4", offset=8 * count).astype(np.int32)
    return terms, sentences


def _insert_postings(conn: sqlite3.Connection, table: str, keys: Mapping[int, np.ndarray]) -> int:
    """Postings (hash, doc) of each article's keys, in key order: B-tree pages filled one by
    one. Returns how many were given."""
    if not keys:
        return 0
    hashes = np.concatenate(list(keys.values())).astype(np.uint64).view(np.int64)
    owners = np.repeat(
        np.fromiter(keys, dtype=np.int64, count=len(keys)), [len(k) for k in keys.values()]
    )
    order = np.lexsort((owners, hashes))
    rows = zip(hashes[order].tolist(), owners[order].tolist(), strict=True)
    conn.executemany(f"INSERT OR IGNORE INTO {table} (hash, doc) VALUES (?, ?)", rows)
    return len(hashes)


def _insert_sentences(conn: sqlite3.Connection, prints: Mapping[int, Fingerprint]) -> None:
    conn.executemany(
        "INSERT OR REPLACE INTO sentences (doc, terms) VALUES (?, ?)",
        ((d, pack_sentences(p)) for d, p in prints.items()),
    )


def _count_terms(conn: sqlite3.Connection, vocabularies: Sequence[np.ndarray], sign: int) -> None:
    """Count articles in (`sign` 1) or out (-1) of the articles holding each idf term, from
    their `Fingerprint.vocabulary` (the keys a scan's `candidates.Idf` counts)."""
    found = [v for v in vocabularies if len(v)]
    if not found:
        return
    keys, counts = np.unique(np.concatenate(found), return_counts=True)
    rows = sorted(zip(_as_rows(keys), (sign * counts).tolist(), strict=True))
    if sign > 0:
        conn.executemany(
            "INSERT INTO idf (key, df) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET df = df + excluded.df",
            rows,
        )
        return
    conn.executemany("UPDATE idf SET df = df + ? WHERE key = ?", ((n, k) for k, n in rows))
    conn.executemany("DELETE FROM idf WHERE key = ? AND df <= 0", ((k,) for k, _ in rows))


def _json(values: Iterable[Any]) -> str:
    return json.dumps(list(values), ensure_ascii=False)


def _article_from_row(row: Sequence[Any]) -> Article:
    return Article(
        id=row[1], text=row[2], path=row[3], title=row[4], source=row[5], url=row[6],
        published=row[7], author=row[8], extracted=bool(row[9]), canonical=row[10],
    )  # fmt: skip


def _pair_from_row(row: Sequence[Any], passages: list[Passage]) -> Pair:
    return Pair(
        source=row[1], target=row[2], relation=row[3], direction=row[4], score=row[5],
        coverage_source=row[6], coverage_target=row[7], passages=passages,
    )  # fmt: skip


def _sort_pairs(pairs: list[Pair]) -> list[Pair]:
    """Pairs in `scan` order: score (highest first), then ids."""
    return sorted(pairs, key=lambda p: (-p.score, p.source, p.target))


class Index:
    """A copydesk index in one SQLite file: add articles as they arrive, check new ones.

    Args:
        path: the database file (made when missing, unless `create` is false).
        options: scan options for a new index; an existing one keeps those it was made with
            (other values raise `StoreError`).
        create: make the index when the file does not exist.
        workers: processes for the alignment stage of `add` (forked; the result is the same).
    """

    def __init__(
        self,
        path: str | Path = DEFAULT_DB,
        options: ScanOptions | None = None,
        *,
        create: bool = True,
        workers: int = 1,
    ) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        if self.path.is_dir():
            raise StoreError(f"{self.path} is a folder, not an index file")
        if not create and not self.path.exists():
            raise StoreError(
                f"no index at {self.path} (make one with: copydesk index add PATH --db {self.path})"
            )
        try:
            self.options = replace(self._open(options, create), workers=max(1, workers))
        except BaseException:
            self.close()
            raise

    # --- connections and transactions ---------------------------------------------------------

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            if not self.path.parent.is_dir():
                raise StoreError(
                    f"cannot make an index at {self.path}: no folder {self.path.parent}"
                )
            try:
                conn = sqlite3.connect(
                    self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
                )
            except sqlite3.Error as exc:
                raise StoreError(f"cannot open an index at {self.path} ({exc})") from exc
            try:
                conn.execute("PRAGMA synchronous=FULL")
                conn.execute("PRAGMA cache_size=-65536")
                conn.execute("PRAGMA temp_store=MEMORY")
            except sqlite3.DatabaseError as exc:
                conn.close()
                raise StoreError(f"{self.path} is not a copydesk index ({exc})") from exc
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    def close(self) -> None:
        """Close every connection this object opened."""
        with self._lock:
            connections, self._connections = self._connections, []
        for conn in connections:
            conn.close()
        self._local = threading.local()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; the lock keeps this process's writers in line."""
        conn = self._conn()
        with self._write_lock:
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                raise IndexBusy(
                    f"the index {self.path} is busy: another process has been writing to it for"
                    f" over {BUSY_TIMEOUT_S:.0f} s (a large batch of `index add`?); run this"
                    " again when it is done"
                ) from exc
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """One read transaction: every query inside sees the same committed state."""
        conn = self._conn()
        if conn.in_transaction:
            yield conn
            return
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            conn.execute("COMMIT")

    # --- opening, schema, migrations -----------------------------------------------------------

    def _open(self, options: ScanOptions | None, create: bool = True) -> ScanOptions:
        conn = self._conn()
        try:
            version = self._schema_version(conn)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path} is not a copydesk index ({exc})") from exc
        except StoreError as exc:
            raise StoreError(f"{self.path}: {exc}") from exc
        if version is None and not create:
            # An empty file (or an empty SQLite database) holds no index to read: leave it.
            raise StoreError(
                f"no index at {self.path} (make one with: copydesk index add PATH --db {self.path})"
            )
        try:
            mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path} is not a copydesk index ({exc})") from exc
        if mode.lower() != "wal":
            raise StoreError(f"{self.path}: cannot switch the database to WAL mode ({mode})")
        if version is None:
            with self._write() as conn:
                if self._schema_version(conn) is None:
                    self._create(conn, options or ScanOptions())
            version = SCHEMA_VERSION
        if version > SCHEMA_VERSION:
            raise SchemaVersionError(
                f"{self.path} was written by a newer copydesk (index schema {version}; this "
                f"copydesk {__version__} reads schema {SCHEMA_VERSION}): upgrade copydesk "
                "(pip install -U copydesk), or add your articles to a new index file"
            )
        if version < SCHEMA_VERSION:
            self._migrate(version)
        stored = self._meta("options")
        known = {k: v for k, v in json.loads(stored or "{}").items() if k in STORED_OPTIONS}
        # An index made before `min_reuse_words` counted every passage as reuse: its pairs stay
        # comparable with the ones it adds.
        known.setdefault("min_reuse_words", 0)
        opts = ScanOptions(**known)
        if options is not None:
            wanted = {k: getattr(options, k) for k in STORED_OPTIONS}
            have = {k: getattr(opts, k) for k in STORED_OPTIONS}
            if wanted != have:
                differ = ", ".join(f"{k}={have[k]} (not {wanted[k]})"
                                   for k in STORED_OPTIONS if wanted[k] != have[k])  # fmt: skip
                raise StoreError(
                    f"{self.path} was made with {differ}; options are fixed when an index is "
                    "made: use a new index file for other options"
                )
        canary = self._meta("canary")
        if canary is not None and canary != self._canary(opts):
            raise StoreError(
                f"{self.path} holds fingerprints made by another n-gram hashing than this "
                f"copydesk {__version__} uses: add the articles again to a new index file"
            )
        return opts

    @staticmethod
    def _canary(options: ScanOptions) -> str:
        return str(_as_rows(ngram_hashes(CANARY, options.ngram))[:1])

    @staticmethod
    def _schema_version(conn: sqlite3.Connection) -> int | None:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "meta" not in names:
            if names:
                raise StoreError(
                    "this SQLite database is not a copydesk index (it has tables "
                    + ", ".join(sorted(names)[:5])
                    + "); give another --db file"
                )
            return None
        row = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        if row is None:
            raise StoreError("this SQLite database is not a copydesk index (no schema version)")
        return int(row[0])

    def _create(self, conn: sqlite3.Connection, options: ScanOptions) -> None:
        # One statement at a time: executescript would commit the open transaction first.
        for statement in (SCHEMA + KEYS_SCHEMA + HUBS_SCHEMA).split(";"):
            if statement.strip():
                conn.execute(statement)
        stored = {k: getattr(options, k) for k in STORED_OPTIONS}
        meta = {
            "schema_version": str(SCHEMA_VERSION),
            "created_by": __version__,
            "created_at": str(time.time()),
            "options": json.dumps(stored),
            "canary": self._canary(options),
            "generation": "0",
            "postings": "0",
            "documents": "0",
        }
        conn.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())

    def _migrate(self, version: int) -> None:
        missing = [v for v in range(version, SCHEMA_VERSION) if v not in MIGRATIONS]
        if missing:
            raise SchemaVersionError(
                f"{self.path} has index schema {version}, which this copydesk {__version__} "
                f"(schema {SCHEMA_VERSION}) cannot migrate: export it with the copydesk that "
                "wrote it (copydesk index export) or add your articles again to a new index file"
            )
        with self._write() as conn:
            current = self._schema_version(conn) or SCHEMA_VERSION
            while current < SCHEMA_VERSION:
                MIGRATIONS[current](conn)
                current += 1
                conn.execute(
                    "UPDATE meta SET value=? WHERE key='schema_version'", (str(current),)
                )

    def _meta(self, key: str, conn: sqlite3.Connection | None = None) -> str | None:
        row = (conn or self._conn()).execute("SELECT value FROM meta WHERE key=?", (key,))
        found = row.fetchone()
        return None if found is None else str(found[0])

    def _bump(self, conn: sqlite3.Connection, key: str, delta: int) -> None:
        conn.execute(
            "UPDATE meta SET value = CAST(value AS INTEGER) + ? WHERE key=?", (delta, key)
        )

    @property
    def schema_version(self) -> int:
        """The schema version of the open index."""
        return int(self._meta("schema_version") or 0)

    def generation(self) -> int:
        """A number that grows with every committed change (for caches)."""
        return int(self._meta("generation") or 0)

    # --- adding --------------------------------------------------------------------------------

    def add(
        self,
        inputs: Iterable[str | Path | Article] | str | Path | Article,
        batch_size: int = DEFAULT_BATCH,
        on_batch: Callable[[AddResult], None] | None = None,
        progress: Progress | None = None,
    ) -> AddResult:
        """Add files, folders (`-` for JSONL on stdin) or `Article`s, `batch_size` a transaction.

        Args:
            inputs: what `scan` takes.
            batch_size: articles per transaction; a batch is committed whole or not at all.
            on_batch: called with each batch's result once it is committed.
            progress: called as `progress(stage, done, total)` within a batch.
        Returns:
            What was added, replaced, left unchanged or refreshed, the new pairs, read errors.
        """
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        if isinstance(inputs, (str, Path, Article)):
            inputs = [inputs]
        total = AddResult()
        seen: set[str] = set()
        batch: list[Article] = []

        def commit() -> None:
            done = self.add_articles(batch, progress)
            total.merge(done)
            if on_batch is not None:
                on_batch(done)
            batch.clear()

        for item in _iter_inputs(inputs):
            if isinstance(item, ReadError):
                total.errors.append(item)
                continue
            if item.id in seen:
                total.errors.append(
                    ReadError(item.path or "-", f"duplicate id {item.id!r} (already in this run)")
                )
                continue
            seen.add(item.id)
            batch.append(item)
            if len(batch) >= batch_size:
                commit()
        if batch:
            commit()
        return total

    def add_articles(
        self, articles: Sequence[Article], progress: Progress | None = None
    ) -> AddResult:
        """Add one batch of articles in one transaction (ids must be unique in the batch)."""
        counts: dict[str, int] = defaultdict(int)
        for article in articles:
            validate(article)
            counts[article.id] += 1
        twice = sorted(i for i, n in counts.items() if n > 1)
        if twice:
            raise ValueError("duplicate ids in one batch: " + ", ".join(map(repr, twice[:5])))
        with self._write() as conn:
            result = self._add_batch(conn, list(articles), progress)
            if result.added or result.replaced or result.refreshed:
                self._bump(conn, "generation", 1)
        return result

    def _add_batch(
        self, conn: sqlite3.Connection, articles: list[Article], progress: Progress | None
    ) -> AddResult:
        result = AddResult(batches=1)
        existing = {
            row[1]: (int(row[0]), row[2])
            for row in conn.execute(
                "SELECT doc, id, digest FROM articles WHERE id IN (SELECT value FROM json_each(?))",
                (_json(a.id for a in articles),),
            )
        }
        changed: list[Article] = []
        slots: list[int | None] = []  # the doc number each changed article keeps, if any
        for article in articles:
            old = existing.get(article.id)
            if old is None:
                result.added.append(article.id)
            elif old[1] == article_digest(article):
                result.unchanged.append(article.id)
                continue
            else:
                result.replaced.append(article.id)
            changed.append(article)
            slots.append(None if old is None else old[0])
        if not changed:
            return result
        context = self._context(conn, changed, {s for s in slots if s is not None})
        cleaned = clean_articles(changed + [c.article for c in context], progress)
        # A context article is cleaned anew when the batch shows more of it to be furniture; one
        # that would lose a removal keeps its cleaning: the articles that showed that furniture
        # may lie outside the context it was cleaned with now.
        refreshed = [
            (ctx, doc)
            for ctx, doc in zip(context, cleaned[len(changed) :], strict=True)
            if _removed_json(doc.removed) != ctx.removed
            and _inside(_removed_spans(ctx.removed), doc.removed)
        ]
        stale = [s for s in slots if s is not None] + [c.doc for c, _ in refreshed]
        touched = set(stale) | self._neighbours(conn, stale)
        self._forget(conn, stale)
        fresh: dict[int, tuple[CleanArticle, Clues]] = {}
        for article, slot, doc in zip(changed, slots, cleaned[: len(changed)], strict=True):
            # As scan: clues from the text as cleaned, matching on spun words restored.
            clues = read_clues(doc)
            doc, spin = matchable(doc)
            fresh[self._write_article(conn, article, doc, clues, spin, slot)] = (doc, clues)
        for ctx, doc in refreshed:
            clues = read_clues(doc)
            doc, spin = matchable(doc)
            conn.execute(
                "UPDATE articles SET removed=?, content_chars=?, clean=?, clues=?, spin=? "
                "WHERE doc=?",
                (_removed_json(doc.removed), doc.content_chars, pack_clean(doc),
                 _clues_json(clues), _spin_json(spin), ctx.doc),
            )  # fmt: skip
            fresh[ctx.doc] = (doc, clues)
            result.refreshed.append(ctx.article.id)
        result.pairs = self._link(conn, fresh, progress)
        self._restitch(conn, touched | set(fresh))
        return result

    def _neighbours(self, conn: sqlite3.Connection, docs: Sequence[int]) -> set[int]:
        listed = _json(docs)
        return {
            int(r[0])
            for r in conn.execute(
                "SELECT target FROM pairs WHERE source IN (SELECT value FROM json_each(?1)) "
                "UNION SELECT source FROM pairs WHERE target IN (SELECT value FROM json_each(?1))",
                (listed,),
            )
        }

    def _restitch(self, conn: sqlite3.Connection, docs: Iterable[int]) -> None:
        """Story membership of the stories these articles are (or were) in, found anew.

        Every part of a story that lost an article's pairs holds one of its old neighbours,
        so following pairs from `docs` reaches every article whose story may have changed.
        """
        seen: set[int] = set()
        for doc in sorted(docs):
            if doc in seen:
                continue
            component = {
                int(r[0])
                for r in conn.execute(
                    "WITH RECURSIVE linked(doc) AS (SELECT ?1"
                    " UNION SELECT p.target FROM pairs AS p JOIN linked ON p.source = linked.doc"
                    " UNION SELECT p.source FROM pairs AS p JOIN linked ON p.target = linked.doc)"
                    " SELECT doc FROM linked",
                    (doc,),
                )
            }
            seen |= component
            if len(component) < 2:
                conn.execute("DELETE FROM members WHERE doc=?", (doc,))
                continue
            root = min(component)
            conn.executemany(
                "INSERT OR REPLACE INTO members (doc, root) VALUES (?, ?)",
                ((member, root) for member in sorted(component)),
            )

    def _context(
        self, conn: sqlite3.Connection, batch: Sequence[Article], busy: set[int]
    ) -> list[_Context]:
        """The indexed articles of the batch's sources cleaned with it (the last ones added)."""
        keys = sorted({k for k in (source_key(a) for a in batch) if k is not None})
        found: list[_Context] = []
        for key in keys:
            rows = conn.execute(
                f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE source_key=? "
                "ORDER BY doc DESC LIMIT ?",
                (key, CONTEXT_PER_SOURCE + len(busy)),
            ).fetchall()
            rows = [r for r in rows if r[0] not in busy][:CONTEXT_PER_SOURCE]
            found.extend(_Context(int(r[0]), _article_from_row(r), r[11]) for r in reversed(rows))
        return found

    def _write_article(
        self,
        conn: sqlite3.Connection,
        article: Article,
        doc: CleanArticle,
        clues: Clues,
        spin: SpinReport,
        slot: int | None,
    ) -> int:
        values = (
            article.id, article_digest(article), source_key(article), article.text,
            *(getattr(article, name) for name in _ARTICLE_FIELDS[:6]),
            int(article.extracted), article.canonical, _removed_json(doc.removed),
            doc.content_chars, pack_clean(doc), _clues_json(clues), time.time(),
            _spin_json(spin),
        )  # fmt: skip
        columns = (
            "id, digest, source_key, text, path, title, source, url, published, author, "
            "extracted, canonical, removed, content_chars, clean, clues, added_at, spin"
        )
        if slot is None:
            cursor = conn.execute(
                f"INSERT INTO articles ({columns}) VALUES ({', '.join('?' * len(values))})",
                values,
            )
            assert cursor.lastrowid is not None
            self._bump(conn, "documents", 1)
            return int(cursor.lastrowid)
        assignments = ", ".join(f"{c.strip()}=?" for c in columns.split(","))
        conn.execute(f"UPDATE articles SET {assignments} WHERE doc=?", (*values, slot))
        return slot

    def _forget(self, conn: sqlite3.Connection, docs: Sequence[int]) -> None:
        """Drop the fingerprints and pairs of articles about to be indexed anew."""
        if not docs:
            return
        stored = self._load(conn, docs)
        removed = 0
        vocabularies = []
        for doc, (clean, _) in stored.items():
            found = fingerprint(clean, self.options.ngram)
            for table, hashes in (("postings", found.ngrams), ("names", found.names),
                                  ("terms", np.unique(found.terms))):  # fmt: skip
                cursor = conn.executemany(
                    f"DELETE FROM {table} WHERE hash=? AND doc=?",
                    ((h, doc) for h in _as_rows(hashes)),
                )
                if table == "postings":
                    removed += max(cursor.rowcount, 0)
            vocabularies.append(found.vocabulary)
        self._bump(conn, "postings", -removed)
        _count_terms(conn, vocabularies, -1)
        listed = _json(docs)
        conn.execute(
            "DELETE FROM sentences WHERE doc IN (SELECT value FROM json_each(?))", (listed,)
        )
        touching = (
            "source IN (SELECT value FROM json_each(?1)) "
            "OR target IN (SELECT value FROM json_each(?1))"
        )
        conn.execute(
            f"DELETE FROM passages WHERE pair IN (SELECT pair FROM pairs WHERE {touching})",
            (listed,),
        )
        conn.execute(f"DELETE FROM pairs WHERE {touching}", (listed,))

    def _link(
        self,
        conn: sqlite3.Connection,
        fresh: Mapping[int, tuple[CleanArticle, Clues]],
        progress: Progress | None,
    ) -> list[Pair]:
        """Find and store the pairs of freshly indexed articles; store their keys."""
        opts = self.options
        prints = dict(
            zip(fresh, fingerprints([doc for doc, _ in fresh.values()], opts.ngram), strict=True)
        )
        # Their idf terms count before aligning: a scan weighs words over all its articles.
        _count_terms(conn, [p.vocabulary for p in prints.values()], 1)
        keys = self._keys(conn, prints)
        published = {d: doc.article.published for d, (doc, _) in fresh.items()}
        candidates = self._candidates(conn, prints, keys, published)
        pairs = self._align(conn, candidates, fresh, progress)
        self._store_pairs(conn, pairs)
        for (postings, common), found in zip((_NGRAMS, _NAMES, _TERMS), keys, strict=True):
            added = _insert_postings(conn, postings, found.fresh)
            # A key now in more than max_df articles is a stock phrase (name, word): it links
            # nothing from now on.
            every = np.concatenate([found.old_hashes, *found.fresh.values()])
            values, counts = np.unique(every, return_counts=True)
            stock = _as_rows(values[counts > opts.max_df])
            if stock:
                conn.executemany(
                    f"INSERT OR IGNORE INTO {common} VALUES (?)", ((h,) for h in stock)
                )
                if common == _NGRAMS[1]:
                    holders = np.concatenate([
                        found.old_docs, *(np.full(len(h), d) for d, h in found.fresh.items())
                    ])  # fmt: skip
                    leads = self._leads(conn, every, holders, values[counts > opts.max_df],
                                        published)  # fmt: skip
                    conn.executemany("INSERT OR IGNORE INTO hubs VALUES (?, ?)", leads)
                cursor = conn.executemany(
                    f"DELETE FROM {postings} WHERE hash=?", ((h,) for h in stock)
                )
                added -= max(cursor.rowcount, 0)
            if postings == _NGRAMS[0]:
                self._bump(conn, "postings", added)
        _insert_sentences(conn, prints)
        return pairs

    def _common(
        self, conn: sqlite3.Connection, hashes: np.ndarray, table: str = _NGRAMS[1]
    ) -> np.ndarray:
        """Those of `hashes` set aside in `table` as too common."""
        found: list[int] = []
        rows = _as_rows(hashes)
        for start in range(0, len(rows), LOOKUP_CHUNK):
            chunk = _json(rows[start : start + LOOKUP_CHUNK])
            found += [r[0] for r in conn.execute(
                f"SELECT c.hash FROM json_each(?) AS j CROSS JOIN {table} AS c ON c.hash = j.value",
                (chunk,),
            )]  # fmt: skip
        return _as_hashes(found)

    def _postings(
        self,
        conn: sqlite3.Connection,
        hashes: np.ndarray,
        skip: int | None = None,
        table: str = _NGRAMS[0],
    ) -> tuple[np.ndarray, np.ndarray]:
        """(hash, doc) of every indexed article holding one of `hashes` in `table`, but `skip`."""
        found: list[tuple[int, int]] = []
        rows = sorted(_as_rows(hashes))
        for start in range(0, len(rows), LOOKUP_CHUNK):
            chunk = _json(rows[start : start + LOOKUP_CHUNK])
            found += conn.execute(
                f"SELECT p.hash, p.doc FROM json_each(?) AS j CROSS JOIN {table} AS p "
                "ON p.hash = j.value",
                (chunk,),
            ).fetchall()
        pairs = np.asarray(found, dtype=np.int64).reshape(-1, 2)
        if skip is not None:
            pairs = pairs[pairs[:, 1] != skip]
        return np.ascontiguousarray(pairs[:, 0]).view(np.uint64), np.ascontiguousarray(pairs[:, 1])

    def _keys(
        self, conn: sqlite3.Connection, prints: Mapping[int, Fingerprint], skip: int | None = None
    ) -> tuple[_Keys, _Keys, _Keys]:
        """The n-grams, names and sentence terms of fresh articles less those set aside as
        common, each with the indexed articles holding them (but `skip`)."""
        wanted = (
            {d: p.ngrams for d, p in prints.items()},
            {d: p.names for d, p in prints.items()},
            {d: np.unique(p.terms) for d, p in prints.items()},
        )
        out = []
        for (postings, common), fresh in zip((_NGRAMS, _NAMES, _TERMS), wanted, strict=True):
            every = np.unique(np.concatenate(list(fresh.values()))) if fresh else _NO_HASHES
            stock = self._common(conn, every, common)
            leads: dict[tuple[int, int], int] = {}
            if len(stock):
                if common == _NGRAMS[1]:
                    leads = self._hub_links(conn, fresh, stock, skip)
                fresh = {d: t for d, (t, _) in _only(
                    {d: (f, f) for d, f in fresh.items()}, stock, invert=True
                ).items()}  # fmt: skip
                every = every[~np.isin(every, stock)]
            out.append(_Keys(fresh, *self._postings(conn, every, skip, postings), leads))
        return out[0], out[1], out[2]

    def _published(self, conn: sqlite3.Connection, docs: Iterable[int]) -> dict[int, str | None]:
        """The publication date of each of these indexed articles."""
        return _looked_up(conn, "SELECT a.doc, a.published FROM json_each(?) AS j "
                          "CROSS JOIN articles AS a ON a.doc = j.value", docs)  # fmt: skip

    def _leads(
        self,
        conn: sqlite3.Connection,
        hashes: np.ndarray,
        docs: np.ndarray,
        wanted: np.ndarray,
        published: Mapping[int, str | None],
    ) -> list[tuple[int, int]]:
        """(hash, lead) for each of `wanted` hashes, from (hash, doc) entries: the earliest
        published of the articles holding it (`published` gives the fresh ones' dates)."""
        chosen = np.isin(hashes, wanted)
        hashes, docs = hashes[chosen], docs[chosen]
        holders = np.unique(docs)
        dates = {**self._published(conn, [d for d in holders.tolist() if d not in published]),
                 **published}  # fmt: skip
        rank_of = publication_ranks([dates.get(d) for d in holders.tolist()])
        ranks = rank_of[np.searchsorted(holders, docs)]
        order = np.lexsort((ranks, hashes))
        hashes, docs = hashes[order], docs[order]
        first = np.ones(len(hashes), dtype=bool)
        first[1:] = hashes[1:] != hashes[:-1]
        return list(zip(_as_rows(hashes[first]), docs[first].tolist(), strict=True))

    def _hub_links(
        self,
        conn: sqlite3.Connection,
        fresh: Mapping[int, np.ndarray],
        stock: np.ndarray,
        skip: int | None,
    ) -> dict[tuple[int, int], int]:
        """(lead, fresh article): the hub n-grams (`stock`, with a lead in `hubs`) each fresh
        article holds that lead to that article, but `skip` and itself."""
        lead_of = _looked_up(
            conn,
            "SELECT h.hash, h.lead FROM json_each(?) AS j CROSS JOIN hubs AS h ON h.hash = j.value",
            _as_rows(stock),
        )
        links: Counter[tuple[int, int]] = Counter()
        for d, hashes in fresh.items():
            for lead in map(lead_of.get, _as_rows(hashes)):
                if lead is not None and lead != d and lead != skip:
                    links[lead, d] += 1
        return dict(links)

    def _candidates(
        self,
        conn: sqlite3.Connection,
        prints: Mapping[int, Fingerprint],
        keys: tuple[_Keys, _Keys, _Keys],
        published: Mapping[int, str | None],
    ) -> list[Candidate]:
        """Candidate pairs (by doc number) of the fresh articles with the index and with each
        other, as `candidates_of` finds them among all of them.

        Indexed articles enter the candidate step with the n-grams and names they share with
        the fresh ones: all that step needs to count each key's articles and each pair's shared
        keys. For sentence sketches, an indexed article enters with all its sentence terms when
        it holds `SKETCH_SIZE` rare terms of one fresh sentence (what sharing a sketch takes);
        which terms are rare (in at most `max_df` articles) is decided over the whole index and
        the fresh articles, as a scan of them all would, so that every sketch is the scan's.
        """
        opts = self.options
        ngrams, names, terms = keys
        values, counts = np.unique(
            np.concatenate([terms.old_hashes, *terms.fresh.values()]), return_counts=True
        )
        rare = values[counts <= opts.max_df]
        fresh_terms = _only({d: (p.terms, p.sentences) for d, p in prints.items()}, rare)
        old_terms = self._sentence_terms(
            conn, _sketch_holders(terms, fresh_terms.values()), values, rare
        )
        old_ngrams = _by_doc(ngrams.old_hashes, ngrams.old_docs)
        old_names = _by_doc(names.old_hashes, names.old_docs)
        order = sorted(set(prints) | set(old_ngrams) | set(old_names) | set(old_terms))
        # Sentence numbers as `fingerprint` types them, so that arrays join without a cast.
        kind = next(iter(prints.values())).sentences.dtype if prints else _NO_SENTENCES.dtype
        found = []
        for d in order:
            if d in prints:
                t, s = fresh_terms[d]
                found.append(Fingerprint(ngrams.fresh[d], t, s, names.fresh[d]))
            else:
                t, s = old_terms.get(d, (_NO_HASHES, _NO_SENTENCES))
                s = s.astype(kind, copy=False)
                found.append(
                    Fingerprint(old_ngrams.get(d, _NO_HASHES), t, s, old_names.get(d, _NO_HASHES))
                )
        settings = candidate_settings(opts)
        # A hub among these articles is led by the earliest published, as in a scan.
        dates = {**self._published(conn, [d for d in order if d not in published]), **published}
        ranks = publication_ranks([dates.get(d) for d in order])
        found_pairs = {
            (order[c.a], order[c.b]): c.shared
            for c in candidates_of(found, opts.max_df, opts.min_shared, ranks=ranks, **settings)
            if order[c.a] in prints or order[c.b] in prints
        }
        # Hub n-grams set aside before link each fresh article to their lead, as in a scan.
        enough = max(opts.min_shared, HUB_MIN_SHARED)
        for (lead, d), count in ngrams.leads.items():
            key = (min(lead, d), max(lead, d))
            if count >= enough or key in found_pairs:
                found_pairs[key] = found_pairs.get(key, 0) + count
        return [Candidate(a, b, shared) for (a, b), shared in sorted(found_pairs.items())]

    def _sentence_terms(
        self, conn: sqlite3.Connection, docs: set[int], known: np.ndarray, rare: np.ndarray
    ) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        """The rare sentence terms of indexed articles, and their sentence numbers. Of `known`
        terms (those of the fresh articles) the `rare` are; other terms are rare unless set
        aside as common (a term in postings is in at most max_df articles)."""
        if not docs:
            return {}
        stored = {
            int(d): unpack_sentences(blob)
            for d, blob in conn.execute(
                "SELECT doc, terms FROM sentences WHERE doc IN (SELECT value FROM json_each(?))",
                (_json(sorted(docs)),),
            )
        }
        if not stored:
            return {}
        every = np.unique(np.concatenate([t for t, _ in stored.values()]))
        others = every[~np.isin(every, known)]
        rare = np.concatenate((rare, np.setdiff1d(others, self._common(conn, others, _TERMS[1]))))
        return _only(stored, rare)

    def _align(
        self,
        conn: sqlite3.Connection,
        candidates: Sequence[Candidate],
        fresh: Mapping[int, tuple[CleanArticle, Clues]],
        progress: Progress | None,
        adjust: Mapping[int, int] | None = None,
        shift: int = 0,
    ) -> list[Pair]:
        """Candidate pairs (by doc number) aligned as `scan` aligns them, words weighed with
        the idf of the whole index (`adjust` moves the counts of some term keys, as stored,
        and `shift` the number of articles)."""
        if not candidates:
            return []
        opts = self.options
        used = sorted({c.a for c in candidates} | {c.b for c in candidates})
        loaded = self._load(conn, [d for d in used if d not in fresh])
        loaded.update({d: fresh[d] for d in used if d in fresh})
        docs = [loaded[d][0] for d in used]
        clues = {loaded[d][0].id: loaded[d][1] for d in used}
        at = {d: i for i, d in enumerate(used)}
        remapped = [Candidate(at[c.a], at[c.b], c.shared) for c in candidates]
        idf = self._idf(conn, docs, adjust or {}, shift) if opts.paraphrase else None
        return align_candidates(docs, remapped, opts, progress, clues, idf)

    def _idf_counts(self, conn: sqlite3.Connection, keys: Iterable[int]) -> dict[int, int]:
        """Articles holding each of these term keys (as stored), for those the index holds."""
        return _looked_up(conn, "SELECT i.key, i.df FROM json_each(?) AS j "
                          "CROSS JOIN idf AS i ON i.key = j.value", keys)  # fmt: skip

    def _idf(
        self,
        conn: sqlite3.Connection,
        docs: Sequence[CleanArticle],
        adjust: Mapping[int, int],
        shift: int,
    ) -> Idf:
        """The `candidates.Idf` a scan of the whole index would weigh the terms of `docs` with:
        the counts of every term they may look up, and the weight of the rarest term for the
        others."""
        terms = {term_key(t) for doc in docs for t in article_terms(doc)}
        looked_up = _as_rows(np.fromiter(terms, np.uint64, len(terms)))
        counts = self._idf_counts(conn, looked_up)
        held = {k: n for k in looked_up if (n := counts.get(k, 0) + adjust.get(k, 0)) > 0}
        keys = _as_hashes(list(held))
        order = np.argsort(keys)
        documents = int(self._meta("documents", conn) or 0) + shift
        rarest = idf_weight(self._fewest(conn, adjust), documents)
        found = np.fromiter(held.values(), np.int64, len(held))
        return Idf(keys[order], found[order], documents, rarest)

    def _fewest(self, conn: sqlite3.Connection, adjust: Mapping[int, int]) -> int:
        """The fewest articles a term of the index is in, counts moved by `adjust`: 1 unless no
        term is in one article only (a scan's `Idf` gives terms it lacks that weight)."""
        after = {k: n + adjust[k] for k, n in self._idf_counts(conn, adjust).items()}
        after.update({k: n for k, n in adjust.items() if k not in after})
        if any(n == 1 for n in after.values()):
            return 1
        for (key,) in conn.execute("SELECT key FROM idf WHERE df = 1 LIMIT ?", (len(after) + 1,)):
            if key not in after:
                return 1
        # No term in just one article, as in a tiny index: look at every count.
        counts = [n for k, n in conn.execute("SELECT key, df FROM idf") if k not in after]
        return min([n for n in (*counts, *after.values()) if n > 0], default=1)

    def _store_pairs(self, conn: sqlite3.Connection, pairs: Sequence[Pair]) -> None:
        if not pairs:
            return
        ids = {p.source for p in pairs} | {p.target for p in pairs}
        doc_of = self._docs_of(conn, ids)
        for pair in pairs:
            cursor = conn.execute(
                "INSERT INTO pairs (source, target, relation, direction, score, coverage_source,"
                " coverage_target) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (doc_of[pair.source], doc_of[pair.target], pair.relation, pair.direction,
                 pair.score, pair.coverage_source, pair.coverage_target),
            )  # fmt: skip
            conn.executemany(
                "INSERT INTO passages VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    (cursor.lastrowid, n, p.source[0], p.source[1], p.target[0], p.target[1],
                     p.kind, p.similarity, int(p.quote))
                    for n, p in enumerate(pair.passages)
                ),
            )  # fmt: skip

    def _docs_of(self, conn: sqlite3.Connection, ids: Iterable[str]) -> dict[str, int]:
        return {
            row[1]: int(row[0])
            for row in conn.execute(
                "SELECT doc, id FROM articles WHERE id IN (SELECT value FROM json_each(?))",
                (_json(ids),),
            )
        }

    # --- loading -------------------------------------------------------------------------------

    def _load(
        self,
        conn: sqlite3.Connection,
        docs: Iterable[int],
        spins: dict[str, SpinReport] | None = None,
    ) -> dict[int, tuple[CleanArticle, Clues]]:
        """Indexed articles as matched, with their clues, by doc number (and their spin
        reports into `spins`, when given)."""
        out: dict[int, tuple[CleanArticle, Clues]] = {}
        for row in conn.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles "
            "WHERE doc IN (SELECT value FROM json_each(?))",
            (_json(docs),),
        ):
            article = _article_from_row(row)
            out[int(row[0])] = (
                unpack_clean(article, _removed_spans(row[11]), row[12]),
                _clues(row[13]),
            )
            spin = _spin(row[14]) if spins is not None else None
            if spins is not None and spin is not None:
                spins[article.id] = spin
        return out

    def _pairs_where(
        self,
        conn: sqlite3.Connection,
        where: str = "",
        params: Sequence[Any] = (),
        passages: bool = True,
    ) -> list[Pair]:
        """Stored pairs (all, or those `where` selects), best first; `passages=False` leaves
        their passage lists empty."""
        rows = conn.execute(
            "SELECT p.pair, s.id, t.id, p.relation, p.direction, p.score, p.coverage_source, "
            "p.coverage_target FROM pairs AS p JOIN articles AS s ON s.doc = p.source "
            f"JOIN articles AS t ON t.doc = p.target {where}",
            params,
        ).fetchall()
        found: dict[int, list[Passage]] = defaultdict(list)
        if not rows or not passages:
            return _sort_pairs([_pair_from_row(r, found[r[0]]) for r in rows])
        wanted = None if not where else _json(r[0] for r in rows)
        query = (
            "SELECT pair, source_start, source_end, target_start, target_end, kind, similarity,"
            " quote FROM passages"
            + ("" if wanted is None else " WHERE pair IN (SELECT value FROM json_each(?))")
            + " ORDER BY pair, n"
        )
        for r in conn.execute(query, () if wanted is None else (wanted,)):
            found[r[0]].append(Passage((r[1], r[2]), (r[3], r[4]), r[5], r[6], bool(r[7])))
        return _sort_pairs([_pair_from_row(r, found[r[0]]) for r in rows])

    # --- reading -------------------------------------------------------------------------------

    def count(self) -> int:
        """How many articles the index holds."""
        with self._read() as conn:
            return int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])

    def __contains__(self, article_id: object) -> bool:
        with self._read() as conn:
            row = conn.execute("SELECT 1 FROM articles WHERE id=?", (article_id,)).fetchone()
            return row is not None

    def ids(self, offset: int = 0, limit: int | None = None) -> list[str]:
        """Indexed ids in arrival order."""
        with self._read() as conn:
            rows = conn.execute(
                "SELECT id FROM articles ORDER BY doc LIMIT ? OFFSET ?",
                (-1 if limit is None else limit, offset),
            )
            return [r[0] for r in rows]

    def articles(self, offset: int = 0, limit: int | None = None) -> list[Article]:
        """Indexed articles in arrival order, as they were read."""
        with self._read() as conn:
            rows = conn.execute(
                f"SELECT {_ARTICLE_COLUMNS} FROM articles ORDER BY doc LIMIT ? OFFSET ?",
                (-1 if limit is None else limit, offset),
            )
            return [_article_from_row(r) for r in rows]

    def search(self, query: str, limit: int = 50) -> list[Article]:
        """Articles whose id or title contains `query` (first), then those whose text does."""
        pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        with self._read() as conn:
            rows = conn.execute(
                f"SELECT {_ARTICLE_COLUMNS} FROM articles"
                " WHERE id LIKE ?1 ESCAPE '\\' OR title LIKE ?1 ESCAPE '\\'"
                " OR text LIKE ?1 ESCAPE '\\'"
                " ORDER BY (id LIKE ?1 ESCAPE '\\' OR title LIKE ?1 ESCAPE '\\') DESC, doc"
                " LIMIT ?2",
                (pattern, limit),
            )
            return [_article_from_row(r) for r in rows]

    def get(self, article_id: str) -> Article | None:
        """The indexed article with this id, as it was read."""
        with self._read() as conn:
            row = conn.execute(
                f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE id=?", (article_id,)
            ).fetchone()
            return None if row is None else _article_from_row(row)

    def reuse(self, article_id: str) -> list[Pair]:
        """Every pair the article is part of (as source or as target), best first."""
        with self._read() as conn:
            doc = self._docs_of(conn, [article_id]).get(article_id)
            if doc is None:
                raise KeyError(article_id)
            pairs = self._pairs_where(conn, "WHERE p.source = ?1 OR p.target = ?1", (doc,))
            return self._with_common_sources(conn, pairs)

    def _with_common_sources(self, conn: sqlite3.Connection, pairs: list[Pair]) -> list[Pair]:
        """`pairs` as a scan reports them: a copy that a third article explains (the source of
        both, see `provenance.explained_by_a_common_source`) is `common_source`. Stored pairs
        keep the direction each pair showed alone: the third may arrive later."""
        if not pairs:
            return pairs
        docs = self._docs_of(conn, {x for p in pairs for x in (p.source, p.target)})
        into = self._pairs_where(
            conn,
            "WHERE p.direction = 'source_to_target' "
            "AND p.target IN (SELECT value FROM json_each(?1))",
            (_json(docs.values()),),
        )
        every = {(p.source, p.target): p for p in into} | {(p.source, p.target): p for p in pairs}
        told = {(p.source, p.target): p for p in explained_by_a_common_source(list(every.values()))}
        return [told[(p.source, p.target)] for p in pairs]

    def pair(self, first: str, second: str) -> Pair | None:
        """The pair of two indexed articles (in either order), or `None` when they share none."""
        with self._read() as conn:
            docs = self._docs_of(conn, [first, second])
            for article_id in (first, second):
                if article_id not in docs:
                    raise KeyError(article_id)
            a, b = docs[first], docs[second]
            found = self._pairs_where(
                conn,
                "WHERE (p.source = ?1 AND p.target = ?2) OR (p.source = ?2 AND p.target = ?1)",
                (a, b),
            )
            return self._with_common_sources(conn, found)[0] if found else None

    def report(self, article_id: str) -> ArticleReport:
        """What the index says of one article: its removals, clues, reuse and story.

        `keep_text`-style output (`report.article_to_dict(r, True)`) gives the scan JSON entry.
        """
        with self._read() as conn:
            doc = self._docs_of(conn, [article_id]).get(article_id)
            if doc is None:
                raise KeyError(article_id)
            spins: dict[str, SpinReport] = {}
            pairs = self._pairs_where(conn, "WHERE p.source = ?1 OR p.target = ?1", (doc,))
            partners = self._docs_of(conn, {p.source for p in pairs} | {p.target for p in pairs})
            loaded = self._load(conn, {doc, *partners.values()}, spins)
        clean, clues = loaded[doc]
        original = words_of_originals([d for d, _ in loaded.values()], pairs, spins).get(
            article_id
        )
        spans = [p.source if pair.source == article_id else p.target
                 for pair in pairs for p in pair.passages]  # fmt: skip
        story = self.story_of(article_id)
        return ArticleReport(
            article=clean.article,
            removed=clean.removed,
            content_chars=clean.content_chars,
            reused_fraction=round(coverage(clean, union_spans(spans)), 3),
            story=None if story is None else story.id,
            clues=clues,
            unique=unique_spans(clean, spans) if story is not None else None,
            spin=spin_dict(clean, spins[article_id], original) if article_id in spins else None,
        )

    def story_count(self) -> int:
        """How many stories (groups of two or more articles linked by reuse) the index holds."""
        with self._read() as conn:
            return int(conn.execute("SELECT count(DISTINCT root) FROM members").fetchone()[0])

    def stories(self, offset: int = 0, limit: int | None = None) -> list[Story]:
        """Stories in a scan's order and numbering (`s1` has the earliest first article)."""
        with self._read() as conn:
            roots = [r[0] for r in conn.execute(
                "SELECT DISTINCT root FROM members ORDER BY root LIMIT ? OFFSET ?",
                (-1 if limit is None else limit, offset),
            )]  # fmt: skip
            return [self._story(conn, root, offset + n) for n, root in enumerate(roots, 1)]

    def story_of(self, article_id: str) -> Story | None:
        """The story an article belongs to, or `None` when it shares passages with none."""
        with self._read() as conn:
            row = conn.execute(
                "SELECT m.root FROM members AS m JOIN articles AS a ON a.doc = m.doc WHERE a.id=?",
                (article_id,),
            ).fetchone()
            if row is None:
                return None
            before = conn.execute(
                "SELECT count(DISTINCT root) FROM members WHERE root < ?", (row[0],)
            ).fetchone()[0]
            return self._story(conn, row[0], before + 1)

    def _story(self, conn: sqlite3.Connection, root: int, number: int) -> Story:
        """Story number `number`, the one whose first article is `root`, as a scan makes it."""
        rows = conn.execute(
            "SELECT a.doc, a.id, substr(a.text, 1, ?), a.path, a.title, a.source, a.url,"
            " a.published, a.author, a.extracted, a.canonical, a.clues FROM members AS m"
            " JOIN articles AS a ON a.doc = m.doc WHERE m.root = ? ORDER BY a.doc",
            (LABEL_CHARS, root),
        ).fetchall()
        # Every pair of the members, with passages: which copies a third member explains
        # (`provenance.explained_by_a_common_source`) decides the story's original.
        pairs = explained_by_a_common_source(
            self._pairs_where(
                conn, "WHERE p.source IN (SELECT doc FROM members WHERE root = ?1)", (root,)
            )
        )
        articles = [_article_from_row(r) for r in rows]
        clues = {r[1]: _clues(r[11]) for r in rows}
        (story,) = build_stories(articles, pairs, clues)
        return replace(story, id=f"s{number}")

    def export(self, keep_text: bool = False) -> ScanResult:
        """The whole index as one scan's result (`report.scan_to_dict` gives the scan JSON)."""
        with self._read() as conn:
            docs: list[CleanArticle] = []
            clues: dict[str, Clues] = {}
            spins: dict[str, SpinReport] = {}
            for row in conn.execute(f"SELECT {_ARTICLE_COLUMNS} FROM articles ORDER BY doc"):
                article = _article_from_row(row)
                docs.append(unpack_clean(article, _removed_spans(row[11]), row[12]))
                clues[article.id] = _clues(row[13])
                spin = _spin(row[14])
                if spin is not None:
                    spins[article.id] = spin
            pairs = self._pairs_where(conn)
        options = replace(self.options, keep_text=keep_text)
        return assemble(docs, pairs, [], options, clues, spins)

    def check(self, item: str | Article) -> ScanResult:
        """What an article (text or `Article`) shares with the index, without adding it.

        Returns a scan of the article and the indexed articles it shares passages with: the
        article comes first in `articles`; `pairs` are its pairs with them (relation,
        direction, passages) and the stored pairs among them, so that stories and what each
        member adds are told as a scan of those articles would. An indexed article with the
        same id is left out (the check is of a new version of it).
        """
        article = Article(id="checked", text=item) if isinstance(item, str) else item
        validate(article)
        opts = self.options
        with self._read() as conn:
            same = self._docs_of(conn, [article.id]).get(article.id)
            context = self._context(conn, [article], set() if same is None else {same})
            doc = clean_articles([article] + [c.article for c in context])[0]
            clues = read_clues(doc)
            doc, spin = matchable(doc)
            spins = {article.id: spin}
            prints = {_CHECKED: fingerprint(doc, opts.ngram)}
            keys = self._keys(conn, prints, skip=same)
            candidates = self._candidates(conn, prints, keys, {_CHECKED: article.published})
            # Weigh words as a scan of the index with this article (and not its old version).
            adjust = dict.fromkeys(_as_rows(prints[_CHECKED].vocabulary), 1)
            if same is not None:
                old = fingerprint(self._load(conn, [same])[same][0], opts.ngram)
                for key in _as_rows(old.vocabulary):
                    adjust[key] = adjust.get(key, 0) - 1
            shift = 1 if same is None else 0
            pairs = self._align(conn, candidates, {_CHECKED: (doc, clues)}, None, adjust, shift)
            linked = {p.source for p in pairs} | {p.target for p in pairs}
            linked.discard(article.id)
            loaded = self._load(conn, self._docs_of(conn, linked).values(), spins)
            among = _json(loaded)
            pairs += self._pairs_where(
                conn,
                "WHERE p.source IN (SELECT value FROM json_each(?1)) "
                "AND p.target IN (SELECT value FROM json_each(?1))",
                (among,),
            )
        members = [doc] + [loaded[d][0] for d in sorted(loaded)]
        all_clues = {article.id: clues} | {c.id: k for c, k in loaded.values()}
        return assemble(members, _sort_pairs(pairs), [], opts, all_clues, spins)

    def stats(self) -> dict[str, Any]:
        """Counts and settings of the index."""
        with self._read() as conn:
            relations = dict(
                conn.execute("SELECT relation, count(*) FROM pairs GROUP BY relation ORDER BY 1")
            )
            out: dict[str, Any] = {
                "path": str(self.path),
                "schema_version": int(self._meta("schema_version", conn) or 0),
                "created_by": self._meta("created_by", conn),
                "articles": conn.execute("SELECT count(*) FROM articles").fetchone()[0],
                "sources": conn.execute(
                    "SELECT count(DISTINCT source_key) FROM articles"
                ).fetchone()[0],
                "pairs": sum(relations.values()),
                "relations": relations,
                "passages": conn.execute("SELECT count(*) FROM passages").fetchone()[0],
                "fingerprints": int(self._meta("postings", conn) or 0),
                "common_ngrams": conn.execute("SELECT count(*) FROM common").fetchone()[0],
                "common_names": conn.execute("SELECT count(*) FROM common_names").fetchone()[0],
                "common_terms": conn.execute("SELECT count(*) FROM common_terms").fetchone()[0],
                "generation": int(self._meta("generation", conn) or 0),
            }
        out["bytes"] = sum(
            p.stat().st_size
            for p in (self.path, Path(f"{self.path}-wal"), Path(f"{self.path}-shm"))
            if p.exists()
        )
        out["options"] = {k: getattr(self.options, k) for k in STORED_OPTIONS}
        return out

    def integrity(self) -> str:
        """SQLite's `PRAGMA integrity_check`: "ok" when the file is sound."""
        with self._read() as conn:
            return "; ".join(str(r[0]) for r in conn.execute("PRAGMA integrity_check"))


#: The doc number a checked article takes: after every indexed one, as a new arrival would.
_CHECKED = 1 << 62


def _iter_inputs(inputs: Iterable[str | Path | Article]) -> Iterator[Article | ReadError]:
    """Articles and read errors from `Article`s and paths, in the order given."""
    paths: list[str | Path] = []
    for item in inputs:
        if isinstance(item, Article):
            if paths:
                yield from iter_articles(paths)
                paths = []
            yield item
        else:
            paths.append(item)
    if paths:
        yield from iter_articles(paths)
