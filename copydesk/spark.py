"""Scan on Apache Spark: the local engine's stage functions, run where the data is.

`scan_spark` gives the same `ScanResult` as `pipeline.scan` on the same input; `write_pairs_spark`
writes the pairs from the executors (JSON lines or Parquet) without gathering the corpus on the
driver. Both run the stages in the local engine's order, with its functions:

1. read: JSON lines with Spark's text reader and Parquet with its Parquet reader (splittable, from
   any file system the cluster reads), other kinds (`.txt`, `.json`, `.csv`, `.html`) whole with
   the binary-file reader; every record is checked by `read.record_to_article` in the executors.
   Each article keeps a key that sorts it where the local engine reads it (argument, file in
   path order, position in the file), so that every later stage sees the same article order.
2. clean: articles are grouped by `clean.source_key` and each group goes through
   `clean_articles` whole. Boilerplate is learned per source: every statistic of
   `learn_boilerplate` (lines seen, lines off the edges, versions of one story) is keyed by the
   source, so a group learns exactly what the whole run would learn about that source. Each
   article's clues (`read_clues`) and spin (`pipeline.matchable`) follow in the same task.
3. candidates: each article's `candidates.fingerprint` (n-gram hashes, sentence terms, names)
   is computed in the executors; the document frequencies, posting lists (2..max_df articles)
   and the pairs sharing enough of them are Spark DataFrame operations, equal to
   `candidates.candidates_of` as `pipeline.scan` calls it.
4. align: the run's idf (`candidates.build_idf`) is counted the same way and joined to each article;
   each candidate pair is joined with its two articles and `compare_clean` runs in the
   executors.
5. assemble: the pairs and cleaned articles come back to the driver for `pipeline.assemble`.

PySpark is an extra (`pip install 'copydesk[spark]'`), imported only when a function here runs.
The engine needs classic Spark (not Spark Connect): Python objects travel as RDDs.
"""

from __future__ import annotations

import inspect
import io
import json
import os
import re
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial, reduce
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

import numpy as np

from . import read
from .align import article_terms, resolve_method
from .candidates import (
    HUB_MIN_SHARED,
    HashLookup,
    Idf,
    candidates_of,
    fingerprint,
    idf_weight,
    publication_key,
    sketches_of,
    term_key,
)
from .clean import clean_articles, source_key
from .model import (
    Article,
    Candidate,
    CleanArticle,
    Clues,
    Fingerprint,
    Pair,
    ReadError,
    ScanOptions,
    ScanResult,
    SpinReport,
)
from .pipeline import Progress, assemble, candidate_settings, compare_clean, matchable
from .provenance import copied, explain, read_clues
from .report import pair_to_dict

if TYPE_CHECKING:
    from pyspark import RDD
    from pyspark.broadcast import Broadcast
    from pyspark.sql import Column, DataFrame, Row, SparkSession

__all__ = [
    "PAIR_FORMATS",
    "SparkSummary",
    "SparkUnavailable",
    "find_candidates_spark",
    "scan_spark",
    "spark_session",
    "write_pairs_spark",
]

#: output formats of `write_pairs_spark`
PAIR_FORMATS = ("jsonl", "parquet")
#: the record fields of the output contract, taken from Parquet rows when present
RECORD_FIELDS = ("id", "text", "html", *read.OPTIONAL_FIELDS)
LINE_SUFFIXES = {".jsonl", ".ndjson"}
PARQUET_SUFFIX = ".parquet"
#: sorts where an article sits in the input: (argument, file rank, block, row, item in file)
Key = tuple[int, int, int, int, int]
#: key part that puts "holds no article" after anything a file could hold
_AFTER = 2**62
#: `spark.python.worker.memory` of local sessions: the aggregation memory of a Python worker
PYTHON_WORKER_MEMORY = "2g"
_GLOB_RE = re.compile(r"([{}\[\]*?\\])")
_FILE_SCHEME_RE = re.compile(r"^file:/+")


class SparkUnavailable(RuntimeError):
    """PySpark is not installed, or Spark (or its Java) cannot start."""


@dataclass
class SparkSummary:
    """What `write_pairs_spark` did: articles read, pairs written, and the read errors met."""

    articles: int
    pairs: int
    errors: list[ReadError]
    output: str
    format: str


# --- the session ----------------------------------------------------------------------------


def _session_class() -> Any:
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise SparkUnavailable(
            "the Spark engine needs PySpark: pip install 'copydesk[spark]'"
        ) from exc
    return SparkSession


def spark_session(
    master: str | None = None, config: Mapping[str, str] | None = None
) -> SparkSession:
    """The active SparkSession, or a new one for `master`.

    Args:
        master: a Spark master URL (`local[*]`, `spark://host:7077`, `yarn`, ...). `None` keeps
            the one `spark-submit` was given, and means `local[*]` outside `spark-submit`.
        config: Spark settings for a new session.
    Returns:
        The session; a new one is the caller's to stop.
    """
    session_class = _session_class()
    active = session_class.getActiveSession()
    if active is not None:
        return active
    if master is None and "PYSPARK_GATEWAY_PORT" not in os.environ:
        master = "local[*]"  # not launched by spark-submit
    # copydesk shows its own progress: Spark's console bar would scribble over it.
    builder = session_class.builder.appName("copydesk").config(
        "spark.ui.showConsoleProgress", "false"
    )
    if master is not None:
        builder = builder.master(master)
        if master.startswith("local"):
            # Local executors must import this copydesk: run them with this Python.
            os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
            # A worker holding the spin model and the stages' caches passes Spark's default of
            # 512m, past which every shuffle spills to disk (on a cluster: --conf, see README).
            builder = builder.config("spark.python.worker.memory", PYTHON_WORKER_MEMORY)
    for name, value in (config or {}).items():
        builder = builder.config(name, value)
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # pyspark raises several kinds when Java is missing or fails
        raise SparkUnavailable(f"Spark could not start (it needs Java 17 or later): {exc}") from exc
    if master is not None and master.startswith("local"):
        session.sparkContext.setLogLevel("ERROR")
    return session


class _Session:
    """A session to run on: the one given, or one made (and stopped) here."""

    def __init__(self, spark: SparkSession | None, master: str | None) -> None:
        self.owned = spark is None and _session_class().getActiveSession() is None
        self.spark = spark if spark is not None else spark_session(master)

    def __enter__(self) -> SparkSession:
        return self.spark

    def __exit__(self, *exc: object) -> None:
        if self.owned:
            self.spark.stop()


# --- read -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _File:
    """One input file: how Hadoop names it, how the local engine names it, and its rank."""

    arg: int
    rank: int
    uri: str
    display: str
    suffix: str
    #: the folder the file was listed from (Parquet partition columns are read below it)
    base: str | None = None


def _suffix(name: str) -> str | None:
    lower = name.lower()
    if lower.endswith(PARQUET_SUFFIX):
        return PARQUET_SUFFIX
    return read.file_kind(Path(name))


def _local_style(raw: str) -> bool:
    """Whether `raw` is a plain path (named as the local engine names it) rather than a URI."""
    return "://" not in raw and not raw.startswith("file:")


def _normal_uri(uri: str) -> str:
    return _FILE_SCHEME_RE.sub("file:/", uri)


def _list_input(
    spark: SparkSession, raw: str, arg: int
) -> tuple[list[_File], list[tuple[Key, ReadError]]]:
    """The files one input argument names, in the local engine's order, and the errors met.

    Folders are listed recursively through Hadoop (any file system the cluster reads); hidden
    files and folders and unknown kinds are skipped, as the local engine skips them.
    """
    if raw == "-":
        return [], [((arg, -1, 0, 0, 0), ReadError("-", "standard input is not read by Spark"))]
    context = spark.sparkContext
    jvm = context._jvm
    assert jvm is not None
    path = jvm.org.apache.hadoop.fs.Path(raw)
    fs = path.getFileSystem(context._jsc.hadoopConfiguration())
    local = _local_style(raw)
    where = str(Path(raw)) if local else raw
    if not fs.exists(path):
        return [], [((arg, -1, 0, 0, 0), ReadError(where, "no such file or folder"))]
    status = fs.getFileStatus(path)
    found: list[tuple[tuple[str, ...], str, str, int]] = []
    if status.isDirectory():
        base = _normal_uri(fs.makeQualified(path).toString()).rstrip("/")
        listing = fs.listFiles(path, True)
        while listing.hasNext():
            entry = listing.next()
            uri = _normal_uri(entry.getPath().toString())
            rel = uri[len(base) :].lstrip("/") if uri.startswith(base) else str(entry.getPath())
            parts = tuple(rel.split("/"))
            if any(part.startswith(".") for part in parts) or _suffix(parts[-1]) is None:
                continue
            display = str(Path(raw, *parts)) if local else uri
            found.append((parts, uri, display, int(entry.getLen())))
        found.sort()  # Path order: part by part, as the local engine sorts a folder
    else:
        base = None
        uri = _normal_uri(fs.makeQualified(path).toString())
        found.append(((path.getName(),), uri, where, int(status.getLen())))
    files: list[_File] = []
    errors: list[tuple[Key, ReadError]] = []
    for rank, (parts, uri, display, size) in enumerate(found):
        suffix = _suffix(parts[-1])
        key: Key = (arg, rank, -1, 0, 0)
        if suffix is None:
            kind = Path(parts[-1]).suffix.lower() or "(none)"
            errors.append((key, ReadError(display, f"unsupported file type {kind!r}")))
        elif suffix in read.WARC_SUFFIXES:
            message = "WARC files are not read by the Spark engine yet (use --engine local)"
            errors.append((key, ReadError(display, message)))
        elif size == 0:
            errors.append((key, ReadError(display, "empty file")))
        else:
            files.append(_File(arg, rank, uri, display, suffix, base))
    return files, errors


def _glob_escaped(uri: str) -> str:
    """`uri` with Hadoop glob characters escaped: Spark globs the paths it is given."""
    return _GLOB_RE.sub(r"\\\1", uri)


def _route(suffix: str) -> str:
    if suffix in LINE_SUFFIXES:
        return "lines"
    return "parquet" if suffix == PARQUET_SUFFIX else "bytes"


def _frames(spark: SparkSession, files: Sequence[_File]) -> DataFrame:
    """One row per JSON line, Parquet row or whole file: (arg, file, block, row, line, data)."""
    from pyspark.sql import functions as F

    groups: dict[tuple[int, str, str], list[str]] = defaultdict(list)
    for f in files:
        groups[(f.arg, _route(f.suffix), f.base or "")].append(_glob_escaped(f.uri))
    frames = []
    for (arg, route, base), uris in sorted(groups.items()):
        position = [
            F.lit(arg).alias("arg"),
            F.col("_metadata.file_path").alias("file"),
            F.col("_metadata.file_block_start").alias("block"),
            # The rows of one split are read in order, in one partition: with the split's start
            # this sorts a file's rows as they stand in it.
            F.monotonically_increasing_id().alias("row"),
        ]
        no_data = F.lit(None).cast("binary").alias("data")
        if route == "lines":
            frame = spark.read.option("lineSep", "\n").text(uris)
            frames.append(frame.select(*position, F.col("value").alias("line"), no_data))
        elif route == "parquet":
            reader = spark.read.option("mergeSchema", "true")
            if base:  # partition columns (source=.../) are read from the folders below it
                reader = reader.option("basePath", base)
            frame = reader.parquet(*uris)
            present = [F.col(name) for name in RECORD_FIELDS if name in frame.columns]
            record = F.to_json(F.struct(*present)) if present else F.lit("{}")
            frames.append(frame.select(*position, record.alias("line"), no_data))
        else:
            frame = spark.read.format("binaryFile").load(uris)
            frames.append(
                frame.select(
                    F.lit(arg).alias("arg"),
                    F.col("_metadata.file_path").alias("file"),
                    F.lit(0).cast("long").alias("block"),
                    F.lit(0).cast("long").alias("row"),
                    F.lit(None).cast("string").alias("line"),
                    F.col("content").alias("data"),
                )
            )
    return reduce(lambda a, b: a.unionByName(b), frames)


def _item_from_line(line: str, where: str) -> Article | ReadError | None:
    """One JSON line as the local reader takes it (`None` for a blank line); no line numbers."""
    if line.startswith("\ufeff"):
        line = line[1:]
    if not line.strip():
        return None
    if len(line) > read.MAX_ARTICLE_BYTES // 4 and len(line.encode()) > read.MAX_ARTICLE_BYTES:
        return ReadError(where, f"line too long ({len(line.encode()) / 2**20:.0f} MiB)")
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        return ReadError(where, f"malformed JSON ({exc.msg} at column {exc.colno})")
    except RecursionError:
        return ReadError(where, "malformed JSON (nested too deeply)")
    return read.record_to_article(record, where, None)


def _items_from_bytes(data: bytes, where: str, suffix: str) -> list[Article | ReadError]:
    """The articles of one whole file (`.txt`, `.json`, `.csv`, `.html`), as the local reader
    reads them once it holds the file's bytes."""
    # TODO(read.py): replace with a public `read.read_bytes(data, where, kind)` shared with
    # `read._read_file`; this adapter mirrors that function after its size checks.
    size = len(data)
    if size == 0:
        return [ReadError(where, "empty file")]
    items: list[Article | ReadError]
    if suffix in read.HTML_SUFFIXES:
        if size > read.MAX_DOCUMENT_BYTES:
            return [ReadError(where, _too_large("HTML document", size, read.MAX_DOCUMENT_BYTES))]
        html = read.decode_html(data, where)
        if isinstance(html, ReadError):
            return [html]
        page = read.extract_html(html)
        if isinstance(page, str):
            return [ReadError(where, page)]
        return [read.page_to_article(page, Path(where).stem, where)]
    limit = read.MAX_ARTICLE_BYTES if suffix in read.TEXT_SUFFIXES else read.MAX_FILE_BYTES
    if size > limit:
        return [ReadError(where, _too_large("file", size, limit))]
    if suffix in read.JSON_SUFFIXES:
        items = list(read._read_json_file(io.BytesIO(data), where, suffix))
    else:
        text = read.decode(data, where)
        if isinstance(text, ReadError):
            items = [text]
        elif suffix in read.CSV_SUFFIXES:
            items = list(read._read_csv(text, where))
        elif not text.strip():
            items = [ReadError(where, "empty file (only whitespace)")]
        else:
            items = [Article(id=Path(where).stem, text=text, path=where)]
    return items or [ReadError(where, "holds no article")]


def _too_large(what: str, size: int, limit: int) -> str:
    return f"{what} too large ({size / 2**20:.1f} MiB > {limit / 2**20:.0f} MiB)"


def _parse_rows(
    rows: Iterable[Row], table: Broadcast[dict[tuple[int, str], _File]]
) -> Iterator[tuple[Key, Article | ReadError]]:
    files = table.value
    for row in rows:
        f = files[(row.arg, _normal_uri(unquote(row.file)))]
        if row.data is not None:
            for number, item in enumerate(_items_from_bytes(bytes(row.data), f.display, f.suffix)):
                yield (f.arg, f.rank, 0, 0, number), item
        else:
            found = _item_from_line(row.line, f.display)
            if found is not None:
                yield (f.arg, f.rank, int(row.block), int(row.row), 0), found


def _summary(
    items: Iterable[tuple[Key, Article | ReadError]],
) -> Iterator[tuple[list[tuple[Key, ReadError]], set[tuple[int, int]], int]]:
    """Per partition: the read errors, the files that gave anything, the articles read."""
    errors: list[tuple[Key, ReadError]] = []
    files: set[tuple[int, int]] = set()
    count = 0
    for key, item in items:
        files.add((key[0], key[1]))
        if isinstance(item, ReadError):
            errors.append((key, item))
        else:
            count += 1
    yield errors, files, count


def _id_of(item: tuple[Key, Article | ReadError]) -> Iterator[tuple[str, tuple[Key, str]]]:
    key, found = item
    if isinstance(found, Article):
        yield found.id, (key, found.path or "-")


def _repeated_id(group: tuple[str, Iterable[tuple[Key, str]]]) -> Iterator[tuple[Key, ReadError]]:
    """Every article with the id of an earlier one (in input order) is an error, as locally."""
    article_id, found = group
    ordered = sorted(found)
    for key, path in ordered[1:]:
        yield key, ReadError(path, f"duplicate id {article_id!r} (first in {ordered[0][1]})")


def _kept(losers: Broadcast[set[Key]], item: tuple[Key, Article | ReadError]) -> bool:
    return isinstance(item[1], Article) and item[0] not in losers.value


@dataclass
class _Read:
    articles: RDD[Any]  # (key, Article): the articles the local engine keeps
    count: int
    errors: list[ReadError]
    held: RDD[Any] | None = None  # what to unpersist once the articles are cleaned


def _read(spark: SparkSession, inputs: Sequence[str]) -> _Read:
    """Every article of `inputs` with the key that sorts it as the local engine reads it."""
    from pyspark import StorageLevel

    context = spark.sparkContext
    files: list[_File] = []
    errors: list[tuple[Key, ReadError]] = []
    for arg, raw in enumerate(inputs):
        found, failed = _list_input(spark, raw, arg)
        files.extend(found)
        errors.extend(failed)
    if not files:
        return _Read(context.emptyRDD(), 0, [e for _, e in sorted(errors, key=_error_order)])
    table = context.broadcast({(f.arg, f.uri): f for f in files})
    items = _frames(spark, files).rdd.mapPartitions(partial(_parse_rows, table=table))
    items = items.persist(StorageLevel.MEMORY_AND_DISK)
    with_items: set[tuple[int, int]] = set()
    count = 0
    for failed, seen, read_here in items.mapPartitions(_summary).collect():
        errors.extend(failed)
        with_items |= seen
        count += read_here
    for f in files:  # a JSON lines or Parquet file with no record is an error, as locally
        if (f.arg, f.rank) not in with_items:
            errors.append(((f.arg, f.rank, _AFTER, 0, 0), ReadError(f.display, "holds no article")))
    # Duplicate ids are rare: only their keys come back, and the articles are filtered in place.
    repeated = items.flatMap(_id_of).groupByKey().flatMap(_repeated_id).collect()
    errors.extend(repeated)
    losers = context.broadcast({key for key, _ in repeated})
    articles = items.filter(partial(_kept, losers))
    ordered = [e for _, e in sorted(errors, key=_error_order)]
    return _Read(articles, count - len(repeated), ordered, items)


def _error_order(item: tuple[Key, ReadError]) -> Key:
    return item[0]


# --- clean ----------------------------------------------------------------------------------


def _group_of(key: Key, article: Article) -> tuple[int, Any]:
    """Articles of one source are cleaned together; one with no source is cleaned alone."""
    source = source_key(article)
    return (0, source) if source is not None else (1, key)


def _group_entry(item: tuple[Key, Article]) -> tuple[Key, tuple[int, Any]]:
    return item[0], _group_of(*item)


def _tagged_index(item: tuple[tuple[Key, Any], int]) -> tuple[Any, tuple[int, Key, Any]]:
    (key, group), index = item
    return group, (0, key, index)


def _tagged_article(item: tuple[Key, Article]) -> tuple[Any, tuple[int, Key, Any]]:
    return _group_of(*item), (1, item[0], item[1])


def _clean_group(
    group: tuple[Any, Iterable[tuple[int, Key, Any]]],
) -> Iterator[tuple[int, tuple[CleanArticle, Clues, SpinReport]]]:
    """One source's articles cleaned together (in input order), each under its index, with
    its clues of origin, then as matched (spun words restored) with its spin report."""
    indices: dict[Key, int] = {}
    members: list[tuple[Key, Article]] = []
    for tag, key, value in group[1]:
        if tag == 0:
            indices[key] = value
        else:
            members.append((key, value))
    members.sort(key=lambda member: member[0])
    docs = clean_articles([article for _, article in members])
    for (key, _), doc in zip(members, docs, strict=True):
        clues = read_clues(doc)  # read before seeing through spin, as `scan` reads them
        matched, spin = matchable(doc)
        yield indices[key], (matched, clues, spin)


def _clean(articles: RDD[Any], partitions: int) -> RDD[Any]:
    """(index, (CleanArticle, Clues, SpinReport)) for every article, boilerplate learned per
    source, the article as matched (`pipeline.matchable`).

    The index is the article's place in the local engine's order. The result is partitioned by
    index, so that the alignment joins do not move the cleaned articles again.
    """
    from pyspark import StorageLevel

    numbered = articles.map(_group_entry).sortByKey().zipWithIndex().map(_tagged_index)
    grouped = articles.map(_tagged_article).union(numbered).groupByKey(partitions)
    cleaned = grouped.flatMap(_clean_group).partitionBy(partitions)
    return cleaned.persist(StorageLevel.MEMORY_AND_DISK)


# --- candidates -----------------------------------------------------------------------------


def _signed(values: np.ndarray) -> list[int]:
    """uint64 hashes as the int64 values Spark stores (the same bits)."""
    signed: list[int] = values.astype(np.uint64, copy=False).view(np.int64).tolist()
    return signed


#: what `_features` gives for one article: its fingerprint and, when the idf is wanted, the
#: keys of every term its sentences may look up (`candidates.term_key` of `article_terms`)
Features = tuple[Fingerprint, np.ndarray]


def _article_features(options: ScanOptions, with_terms: bool, doc: CleanArticle) -> Features:
    looked_up = np.unique(
        np.fromiter((term_key(t) for t in article_terms(doc)) if with_terms else (), np.uint64)
    )
    return fingerprint(doc, options.ngram, rewrites=options.paraphrase), looked_up


def _features(docs: RDD[Any], options: ScanOptions, with_terms: bool) -> RDD[Any]:
    """(index, Features) for (index, CleanArticle), partitioned as `docs` is."""
    from pyspark import StorageLevel

    found = docs.mapValues(partial(_article_features, options, with_terms))
    return found.persist(StorageLevel.MEMORY_AND_DISK)


def _ngrams(item: tuple[int, Features]) -> tuple[int, list[int]]:
    return item[0], _signed(item[1][0].ngrams)


def _names(item: tuple[int, Features]) -> tuple[int, list[int]]:
    return item[0], _signed(item[1][0].names)


def _distinct_terms(item: tuple[int, Features]) -> tuple[int, list[int]]:
    return item[0], _signed(np.unique(item[1][0].terms))


#: articles whose sketches are made together (NumPy works best on long arrays)
SKETCH_BATCH = 512
#: sentence numbers of one article stay below this (an article has far fewer)
_SENTENCE_SPAN = 1 << 24


def _sketch_rows(
    common: Broadcast[np.ndarray],
    sketch_terms: int,
    items: Iterable[tuple[int, Features]],
) -> Iterator[tuple[list[int], list[int], list[int]]]:
    """(docs, sketches, sentences) of a batch of articles, leaving out terms found in more
    than max_df articles."""
    stock = HashLookup(common.value)
    batch: list[tuple[int, Features]] = []
    for item in items:
        batch.append(item)
        if len(batch) == SKETCH_BATCH:
            yield _sketch_batch(stock, sketch_terms, batch)
            batch = []
    if batch:
        yield _sketch_batch(stock, sketch_terms, batch)


def _sketch_batch(
    stock: HashLookup,
    sketch_terms: int,
    batch: Sequence[tuple[int, Features]],
) -> tuple[list[int], list[int], list[int]]:
    hashes = np.concatenate([item[1][0].terms for item in batch])
    # Sentences of the batch numbered apart: article position * _SENTENCE_SPAN + sentence.
    base = np.repeat(
        np.arange(len(batch), dtype=np.int64) * _SENTENCE_SPAN,
        [len(i[1][0].terms) for i in batch],
    )
    sentences = base + np.concatenate([item[1][0].sentences for item in batch]).astype(np.int64)
    if len(stock.members) and len(hashes):
        rare = ~stock.holds(hashes)
        hashes, sentences = hashes[rare], sentences[rare]
    sketches, numbers = sketches_of(hashes, sentences, sketch_terms)
    docs = np.array([item[0] for item in batch], dtype=np.int64)[numbers // _SENTENCE_SPAN]
    return docs.tolist(), _signed(sketches), (numbers % _SENTENCE_SPAN).tolist()


def _candidate_settings(options: ScanOptions) -> dict[str, Any]:
    """`candidates_of`' keyword arguments as `pipeline.scan` passes them: its defaults, and
    `pipeline.candidate_settings` for these options."""
    settings = {
        name: p.default
        for name, p in inspect.signature(candidates_of).parameters.items()
        if p.kind is inspect.Parameter.KEYWORD_ONLY
    }
    return settings | candidate_settings(options)


def _all_pairs(members: Column) -> Column:
    """Every pair (`a` before `b`) of a sorted array: the pairs of one posting list."""
    from pyspark.sql import functions as F

    n = F.size(members)
    return F.flatten(
        F.transform(
            F.sequence(F.lit(1), n - 1),
            lambda i: F.transform(
                F.sequence(i + 1, n),
                lambda j: F.struct(
                    F.element_at(members, i).alias("a"), F.element_at(members, j).alias("b")
                ),
            ),
        )
    )


def _posting_pairs(keys: DataFrame, max_df: int, ranks: DataFrame | None = None) -> DataFrame:
    """The inverted index: (a, b, shared, hubs) for every two articles found together in a
    posting list of 2..`max_df` articles, with how many such lists they share. `keys` holds
    each article's distinct keys: (doc, hashes array). With `ranks` (doc, rank), a list of more
    than `max_df` articles (a hub) pairs each with the one ranked first, counted in `shared`
    and in `hubs`, as `candidates._pair_counts` pairs them."""
    from pyspark.sql import functions as F

    ranked = keys.join(ranks, "doc") if ranks is not None else keys.withColumn("rank", F.lit(0))
    lists = (
        ranked.select("doc", "rank", F.explode("hashes").alias("h"))
        .groupBy("h")
        .agg(F.array_sort(F.collect_list(F.struct("rank", "doc"))).alias("members"))
        .withColumn("listed", F.size("members"))
    )
    pairs = (
        lists.filter(F.col("listed").between(2, max_df))
        .select(F.explode(_all_pairs(F.array_sort(F.col("members.doc")))).alias("p"))
        .select(F.col("p.a").alias("a"), F.col("p.b").alias("b"), F.lit(0).alias("hub"))
    )
    if ranks is not None:
        led = (
            lists.filter(F.col("listed") > max_df)
            .select(
                F.col("members")[0]["doc"].alias("lead"),
                F.explode(F.expr("slice(members, 2, listed - 1)")).alias("m"),
            )
            .select(
                F.least("lead", "m.doc").alias("a"),
                F.greatest("lead", "m.doc").alias("b"),
                F.lit(1).alias("hub"),
            )
        )
        pairs = pairs.unionByName(led)
    return pairs.groupBy("a", "b").agg(
        F.count("*").alias("shared"), F.sum("hub").cast("long").alias("hubs")
    )


def _publication_ranks(spark: SparkSession, docs: RDD[Any]) -> DataFrame:
    """(doc, rank): `candidates.publication_ranks` of the articles of `docs` ((index,
    CleanArticle)), found by the cluster."""
    ordered = docs.map(lambda item: (publication_key(item[1].article.published), item[0]))
    ranked = ordered.sortBy(lambda key: key).zipWithIndex()
    return spark.createDataFrame(
        ranked.map(lambda row: (row[0][1], row[1])), "doc long, rank long", verifySchema=False
    )


def _sketch_pairs(
    spark: SparkSession, features: RDD[Any], max_df: int, sketch_terms: int, min_sentences: int
) -> DataFrame:
    """(a, b) of the articles with at least `min_sentences` sentence pairs sharing a sketch, as
    `candidates.sketch_pairs` finds them."""
    from pyspark.sql import functions as F

    term_docs = spark.createDataFrame(
        features.map(_distinct_terms), "doc long, terms array<long>", verifySchema=False
    )
    common_rows = (
        term_docs.select(F.explode("terms").alias("t"))
        .groupBy("t")
        .count()
        .filter(F.col("count") > max_df)
        .select("t")
        .collect()
    )
    common = np.sort(np.array([r.t for r in common_rows], dtype=np.int64).view(np.uint64))
    stock = spark.sparkContext.broadcast(common)
    rows = features.mapPartitions(partial(_sketch_rows, stock, sketch_terms))
    sketches = (
        spark.createDataFrame(
            rows, "docs array<long>, sketches array<long>, sentences array<int>", verifySchema=False
        )
        .select(F.explode(F.arrays_zip("docs", "sketches", "sentences")).alias("s"))
        .select(
            F.col("s.sketches").alias("sk"),
            F.col("s.docs").alias("doc"),
            F.col("s.sentences").alias("sent"),
        )
    )
    # Sketches in more than max_df articles are stock pairings; runs longer than twice that
    # are skipped, as `sketch_pairs` skips them.
    sentence_pairs = (
        sketches.groupBy("sk")
        .agg(F.array_sort(F.collect_list(F.struct("doc", "sent"))).alias("members"))
        .withColumn("docs", F.size(F.array_distinct(F.col("members.doc"))))
        .filter((F.col("docs") <= max_df) & F.size("members").between(2, 2 * max_df))
        .select(F.explode(_all_pairs(F.col("members"))).alias("p"))
        .select(
            F.col("p.a.doc").alias("a"),
            F.col("p.a.sent").alias("sa"),
            F.col("p.b.doc").alias("b"),
            F.col("p.b.sent").alias("sb"),
        )
        .filter(F.col("a") < F.col("b"))
        .distinct()
    )
    return (
        sentence_pairs.groupBy("a", "b").count().filter(F.col("count") >= min_sentences)
    ).select("a", "b")


def _candidate_frame(
    spark: SparkSession,
    docs: RDD[Any],
    options: ScanOptions,
    n_docs: int,
    features: RDD[Any] | None = None,
) -> DataFrame:
    """(a, b, shared): the pairs `candidates_of` gives for `docs` ((index, CleanArticle)),
    as `pipeline.scan` calls it; `features` are the docs' `_features`, when made already."""
    from pyspark.sql import functions as F

    max_df, min_shared = options.max_df, options.min_shared
    if features is None:
        features = _features(docs, options, with_terms=False)
    prints = spark.createDataFrame(
        features.map(_ngrams),
        "doc long, hashes array<long>",
        verifySchema=False,
    )
    shared = _posting_pairs(prints, max_df, _publication_ranks(spark, docs))
    settings = _candidate_settings(options)
    more: list[DataFrame] = []
    if settings.get("sketches") and n_docs >= 2:
        sketch_terms, min_sentences = settings["sketch_terms"], settings["min_sketch_sentences"]
        more.append(_sketch_pairs(spark, features, max_df, sketch_terms, min_sentences))
    if settings.get("names") and n_docs >= 2:
        names = spark.createDataFrame(
            features.map(_names), "doc long, hashes array<long>", verifySchema=False
        )
        enough = F.col("shared") >= settings["min_shared_names"]
        more.append(_posting_pairs(names, max_df).filter(enough).select("a", "b"))
    enough_hubs = max(min_shared, HUB_MIN_SHARED)
    linked = (F.col("shared") - F.col("hubs") >= min_shared) | (F.col("hubs") >= enough_hubs)
    if not more:
        return shared.filter(linked).select("a", "b", "shared")
    extra = reduce(lambda x, y: x.unionByName(y), more).distinct()
    return (
        shared.join(extra.withColumn("extra", F.lit(True)), ["a", "b"], "full_outer")
        .filter(linked | F.col("extra").isNotNull())
        .select("a", "b", F.coalesce(F.col("shared"), F.lit(0)).cast("long").alias("shared"))
    )


def find_candidates_spark(
    spark: SparkSession, docs: Sequence[CleanArticle], options: ScanOptions | None = None
) -> list[Candidate]:
    """`candidates.find_candidates` on Spark, for cleaned articles held here (tests, checks).

    Returns:
        The same candidates, sorted by `(a, b)`.
    """
    opts = options or ScanOptions()
    rdd = spark.sparkContext.parallelize(list(enumerate(docs)))
    features = _features(rdd, opts, with_terms=False)
    rows = _candidate_frame(spark, rdd, opts, len(docs), features).collect()
    features.unpersist()
    rdd.unpersist()
    found = [Candidate(int(r.a), int(r.b), int(r.shared)) for r in rows]
    return sorted(found, key=lambda c: (c.a, c.b))


# --- idf ------------------------------------------------------------------------------------


def _vocabulary(item: tuple[int, Features]) -> tuple[int, list[int]]:
    return item[0], _signed(item[1][0].vocabulary)


def _looked_up(item: tuple[int, Features]) -> tuple[int, list[int]]:
    return item[0], _signed(item[1][1])


def _restricted(n_docs: int, rarest: float | None, row: Row) -> tuple[int, Idf]:
    """The run's idf of the terms one article looks up."""
    keys = np.array([e.t for e in row.df], dtype=np.int64).view(np.uint64)
    counts = np.array([e.n for e in row.df], dtype=np.int64)
    order = np.argsort(keys)
    return int(row.doc), Idf(keys[order], counts[order], n_docs, rarest)


def _document_frequencies(
    spark: SparkSession, features: RDD[Any], partitions: int, n_docs: int
) -> tuple[RDD[Any], float | None, DataFrame]:
    """The run's idf (`candidates.build_idf`: articles holding each term of their
    `Fingerprint.vocabulary`), restricted for each article to the terms it looks up
    ((index, Idf), partitioned as the cleaned articles are); the largest weight (`None`: no
    term at all); and a frame held in memory until the caller unpersists it."""
    from pyspark.sql import functions as F

    held = spark.createDataFrame(
        features.map(_vocabulary), "doc long, terms array<long>", verifySchema=False
    )
    counted = held.select(F.explode("terms").alias("t")).groupBy("t").count()
    counted = counted.withColumnRenamed("count", "n").persist()
    fewest = counted.agg(F.min("n")).first()
    rarest = None
    if fewest is not None and fewest[0] is not None:
        rarest = idf_weight(int(fewest[0]), n_docs)
    wanted = spark.createDataFrame(
        features.map(_looked_up), "doc long, terms array<long>", verifySchema=False
    ).select("doc", F.explode("terms").alias("t"))
    per_doc = (
        wanted.join(counted, "t")
        .groupBy("doc")
        .agg(F.collect_list(F.struct("t", "n")).alias("df"))
    )
    weights = per_doc.rdd.map(partial(_restricted, n_docs, rarest)).partitionBy(partitions)
    return weights, rarest, counted


# --- align ----------------------------------------------------------------------------------


def _doc_only(value: tuple[CleanArticle, Clues, SpinReport]) -> CleanArticle:
    return value[0]


def _without_counts(value: tuple[CleanArticle, Clues, SpinReport]) -> tuple[Any, ...]:
    return value[0], value[1], None


def _with_weights(
    n_docs: int,
    rarest: float | None,
    value: tuple[tuple[CleanArticle, Clues, SpinReport], Idf | None],
) -> tuple[Any, ...]:
    """An article for alignment with the run's idf of its terms."""
    (doc, clues, _), weights = value
    if weights is None:  # none of its terms is in the run's vocabulary
        weights = Idf(np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.int64), n_docs, rarest)
    return doc, clues, weights


def _by_first(row: Row) -> tuple[int, int]:
    return int(row.a), int(row.b)


def _by_second(item: tuple[int, tuple[int, Any]]) -> tuple[int, tuple[int, Any]]:
    first, (second, cleaned) = item
    return second, (first, cleaned)


def _align(options: ScanOptions, item: tuple[int, Any]) -> Iterator[Pair]:
    """`compare_clean` on one candidate pair, with the idf the local engine would pass."""
    _, ((_, (doc_a, clues_a, weights_a)), (doc_b, clues_b, weights_b)) = item
    idf: Idf | None = None
    if weights_a is not None and weights_b is not None:
        # The run's idf, for the terms of these two articles: all the aligner looks up.
        idf = Idf.joined(weights_a, weights_b)
    clues = {doc_a.id: clues_a, doc_b.id: clues_b}
    pair = compare_clean(doc_a, doc_b, options, clues=clues, idf=idf)
    if pair is not None:
        yield pair


def _pairs(
    for_align: RDD[Any],
    candidate_frame: DataFrame,
    options: ScanOptions,
    partitions: int,
) -> RDD[Any]:
    """Every candidate pair aligned in the executors (with its lower index as `a`, as locally).

    The candidates are partitioned as the articles are before each join, so that only they
    (and the first article of each) move.
    """
    from pyspark import StorageLevel

    by_a = candidate_frame.rdd.map(_by_first).partitionBy(partitions).join(for_align, partitions)
    both = by_a.map(_by_second).partitionBy(partitions).join(for_align, partitions)
    aligned = both.flatMap(partial(_align, options))
    return aligned.persist(StorageLevel.MEMORY_AND_DISK)


# --- the whole run --------------------------------------------------------------------------


@dataclass
class _Run:
    cleaned: RDD[Any]
    pairs: RDD[Any]
    articles: int
    errors: list[ReadError]
    options: ScanOptions
    #: what is held in the cluster's memory until `release`
    held: list[Any] = field(default_factory=list)

    def release(self) -> None:
        for data in [*self.held, self.pairs, self.cleaned]:
            data.unpersist()


def _run(
    spark: SparkSession,
    inputs: Iterable[str | Path],
    options: ScanOptions,
    progress: Progress | None,
) -> _Run:
    """Read, clean, index and align on Spark, stage by stage as `pipeline.scan` does.

    The stages run when the caller asks for the pairs; with `progress`, each is run (and
    counted) as it is reached.
    """
    from pyspark import StorageLevel

    if options.paraphrase:
        options = replace(options, paraphrase_method=resolve_method(options.paraphrase_method))
    found = _read(spark, [str(p) for p in inputs])
    if progress is not None:
        progress("read", found.count, found.count)
    if found.count == 0:
        nothing = spark.sparkContext.emptyRDD()
        return _Run(nothing, nothing, 0, found.errors, options)
    partitions = max(2, spark.sparkContext.defaultParallelism)
    cleaned = _clean(found.articles, partitions)
    held: list[Any] = [] if found.held is None else [found.held]
    if progress is not None:
        cleaned.count()
        progress("clean", found.count, found.count)
        progress("spin", found.count, found.count)
    docs = cleaned.mapValues(_doc_only)
    features = _features(docs, options, with_terms=options.paraphrase)
    frame = _candidate_frame(spark, docs, options, found.count, features).persist()
    held.append(frame)
    if progress is not None:
        n_candidates = frame.count()
        progress("candidates", n_candidates, n_candidates)
        progress("align", 0, n_candidates)
    rarest = None
    if options.paraphrase:
        weights, rarest, per_term = _document_frequencies(spark, features, partitions, found.count)
        held += [features, per_term]
        with_weights = partial(_with_weights, found.count, rarest)
        for_align = cleaned.leftOuterJoin(weights, partitions).mapValues(with_weights)
    else:
        for_align = cleaned.mapValues(_without_counts)
    for_align = for_align.persist(StorageLevel.MEMORY_AND_DISK)
    held.append(for_align)
    pairs = _pairs(for_align, frame, options, partitions)
    if progress is not None:
        pairs.count()
        progress("align", n_candidates, n_candidates)
    return _Run(cleaned, pairs, found.count, found.errors, options, held)


def scan_spark(
    inputs: Iterable[str | Path],
    options: ScanOptions | None = None,
    master: str | None = None,
    spark: SparkSession | None = None,
    progress: Progress | None = None,
) -> ScanResult:
    """`pipeline.scan` on Apache Spark: the same result for the same input.

    Args:
        inputs: files or folders the cluster can read (plain paths or URIs such as
            `hdfs://...`, `s3a://...`): JSON lines, Parquet (fields id, text, title, source,
            url, published, author), and `.txt`, `.json`, `.csv`, `.html` files.
        options: tuning knobs, as for `scan` (`workers` is Spark's business here).
        master: Spark master URL; `None` is the one spark-submit was given, else `local[*]`.
        spark: a session to run in (left running); without one a session is made and stopped.
        progress: called as `progress(stage, done, total)` as stages finish.
    Returns:
        A `ScanResult`; the articles and pairs are gathered on the driver to build it.
    """
    opts = options or ScanOptions()
    with _Session(spark, master) as session:
        run = _run(session, inputs, opts, progress)
        pairs: list[Pair] = run.pairs.collect()
        pairs.sort(key=lambda p: (-p.score, p.source, p.target))
        held = [value for _, value in sorted(run.cleaned.collect(), key=lambda item: item[0])]
        run.release()
    docs = [doc for doc, _, _ in held]
    clues = {doc.id: found for doc, found, _ in held}
    spins = {doc.id: spin for doc, _, spin in held}
    return assemble(docs, pairs, run.errors, run.options, clues, spins)


def _pair_line(pair: Pair) -> tuple[float, str, str, str]:
    record = json.dumps({"type": "pair", **pair_to_dict(pair)}, ensure_ascii=False)
    return -pair.score, pair.source, pair.target, record


def _pair_row(pair: Pair) -> tuple[Any, ...]:
    d = pair_to_dict(pair)
    passages = [
        (p["source"], p["target"], p["kind"], float(p["similarity"]), bool(p.get("quote", False)))
        for p in d["passages"]
    ]
    return (
        d["source"], d["target"], d["relation"], d["direction"], float(d["score"]),
        float(d["coverage_source"]), float(d["coverage_target"]), passages,
    )  # fmt: skip


#: the Parquet schema of `write_pairs_spark`: the pairs of the scan JSON, one row each
PAIR_SCHEMA = (
    "source string, target string, relation string, direction string, score double, "
    "coverage_source double, coverage_target double, passages array<struct<source: array<int>, "
    "target: array<int>, kind: string, similarity: double, quote: boolean>>"
)


def _exists(spark: SparkSession, output: str) -> bool:
    context = spark.sparkContext
    jvm = context._jvm
    assert jvm is not None
    path = jvm.org.apache.hadoop.fs.Path(output)
    return bool(path.getFileSystem(context._jsc.hadoopConfiguration()).exists(path))


def _explained(pairs: Any) -> Any:
    """`provenance.explained_by_a_common_source` on the executors: each pair meets the copies
    made of its two articles (two joins by article id), as the driver sees them all at once."""
    into = (
        pairs.filter(copied)
        .map(lambda p: (p.target, p))
        .groupByKey()
        .mapValues(lambda found: {p.source: p for p in found})
    )
    with_source = pairs.map(lambda p: (p.source, p)).leftOuterJoin(into)
    return (
        with_source.map(lambda kv: (kv[1][0].target, (kv[1][0], kv[1][1] or {})))
        .leftOuterJoin(into)
        .map(lambda kv: explain(kv[1][0][0], kv[1][0][1], kv[1][1] or {}))
    )


def write_pairs_spark(
    inputs: Iterable[str | Path],
    output: str,
    options: ScanOptions | None = None,
    fmt: str = "parquet",
    master: str | None = None,
    spark: SparkSession | None = None,
    progress: Progress | None = None,
) -> SparkSummary:
    """Scan on Spark and write the pairs from the executors, sorted as the scan JSON sorts them.

    Nothing the size of the corpus comes back to the driver: use this for runs too large for
    one machine's memory.

    Args:
        inputs: as for `scan_spark`.
        output: a folder the cluster can write (it must not exist yet).
        fmt: `jsonl` (the pair records of `scan --format jsonl`, one a line, in part files) or
            `parquet` (the same fields, schema `PAIR_SCHEMA`).
    Returns:
        A `SparkSummary`: articles read, pairs written, read errors.
    Raises:
        FileExistsError: when `output` exists.
    """
    from pyspark.sql import functions as F

    if fmt not in PAIR_FORMATS:
        raise ValueError(f"unknown format {fmt!r} (one of {', '.join(PAIR_FORMATS)})")
    opts = options or ScanOptions()
    with _Session(spark, master) as session:
        if _exists(session, output):
            raise FileExistsError(f"{output} exists")
        run = _run(session, inputs, opts, progress)
        pairs = _explained(run.pairs)
        if fmt == "jsonl":
            frame = session.createDataFrame(
                pairs.map(_pair_line), "order double, source string, target string, line string"
            )
            frame.orderBy("order", "source", "target").select("line").write.text(output)
        else:
            frame = session.createDataFrame(pairs.map(_pair_row), PAIR_SCHEMA)
            frame.orderBy(F.col("score").desc(), "source", "target").write.parquet(output)
        written = run.pairs.count()
        run.release()
    return SparkSummary(run.articles, written, run.errors, output, fmt)
