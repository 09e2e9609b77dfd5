"""Read articles from text, JSONL/JSON and CSV files, folders and standard input.

Every problem with an input becomes a `ReadError` naming the file (and line) and the reason; the
rest of the input is still read. Offsets in every output point into `Article.text`, which is the
decoded file (or the record's `text` field) exactly as read.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import sys
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

from .model import Article, ReadError

#: Inputs larger than this are refused rather than read into memory whole.
MAX_FILE_BYTES = 256 * 1024 * 1024
#: One article (a text file, a JSONL line, a CSV row) larger than this is refused.
MAX_ARTICLE_BYTES = 32 * 1024 * 1024

TEXT_SUFFIXES = {".txt"}
JSON_SUFFIXES = {".jsonl", ".json", ".ndjson"}
CSV_SUFFIXES = {".csv"}
KNOWN_SUFFIXES = TEXT_SUFFIXES | JSON_SUFFIXES | CSV_SUFFIXES
OPTIONAL_FIELDS = ("title", "source", "url", "published", "author")

Item = Article | ReadError


def read_articles(
    paths: Iterable[str | Path], stdin: IO[bytes] | None = None
) -> tuple[list[Article], list[ReadError]]:
    """Read every article under `paths` (`-` means JSONL on `stdin`); ids must be unique.

    Returns the articles in input order and the errors met on the way.
    """
    articles: list[Article] = []
    errors: list[ReadError] = []
    first_seen: dict[str, str] = {}
    for item in iter_articles(paths, stdin):
        if isinstance(item, ReadError):
            errors.append(item)
        elif item.id in first_seen:
            errors.append(
                ReadError(
                    item.path or "-", f"duplicate id {item.id!r} (first in {first_seen[item.id]})"
                )
            )
        else:
            first_seen[item.id] = item.path or "-"
            articles.append(item)
    return articles, errors


def iter_articles(paths: Iterable[str | Path], stdin: IO[bytes] | None = None) -> Iterator[Item]:
    """Yield articles and read errors from files, folders (recursively) and `-`."""
    for raw in paths:
        if str(raw) == "-":
            stream = stdin if stdin is not None else sys.stdin.buffer
            yield from _or_nothing(_read_jsonl_stream(stream, "<stdin>"), "<stdin>")
            continue
        path = Path(raw)
        if path.is_dir():
            for file in sorted(p for p in path.rglob("*") if p.is_file()):
                rel = file.relative_to(path)
                if any(part.startswith(".") for part in rel.parts):
                    continue
                if file.suffix.lower() in KNOWN_SUFFIXES:
                    yield from read_file(file)
        elif path.exists():
            yield from read_file(path)
        else:
            yield ReadError(str(path), "no such file or folder")


def read_file(path: Path) -> Iterator[Item]:
    """Yield the articles of one file, told apart by its extension."""
    yield from _or_nothing(_read_file(path), str(path))


def _or_nothing(items: Iterable[Item], where: str) -> Iterator[Item]:
    """Pass `items` on; an input that yields neither an article nor an error is an error."""
    empty = True
    for item in items:
        empty = False
        yield item
    if empty:
        yield ReadError(where, "holds no article")


def _read_file(path: Path) -> Iterator[Item]:
    suffix = path.suffix.lower()
    if suffix not in KNOWN_SUFFIXES:
        yield ReadError(str(path), f"unsupported file type {suffix or '(none)'!r}")
        return
    try:
        size = path.stat().st_size
    except OSError as exc:
        yield ReadError(str(path), f"cannot read: {exc.strerror or exc}")
        return
    if size == 0:
        yield ReadError(str(path), "empty file")
        return
    limit = MAX_ARTICLE_BYTES if suffix in TEXT_SUFFIXES else MAX_FILE_BYTES
    if size > limit:
        yield ReadError(
            str(path), f"file too large ({size / 2**20:.0f} MiB > {limit // 2**20} MiB)"
        )
        return
    if suffix in JSON_SUFFIXES:
        try:
            with path.open("rb") as stream:
                yield from _read_json_file(stream, str(path), suffix)
        except OSError as exc:
            yield ReadError(str(path), f"cannot read: {exc.strerror or exc}")
        return
    try:
        data = path.read_bytes()
    except OSError as exc:
        yield ReadError(str(path), f"cannot read: {exc.strerror or exc}")
        return
    text = decode(data, str(path))
    if isinstance(text, ReadError):
        yield text
    elif suffix in CSV_SUFFIXES:
        yield from _read_csv(text, str(path))
    elif not text.strip():
        yield ReadError(str(path), "empty file (only whitespace)")
    else:
        yield Article(id=path.stem, text=text, path=str(path))


def decode(data: bytes, where: str) -> str | ReadError:
    """Decode bytes as UTF-8 (or UTF-16 with a byte-order mark); refuse binary data."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return ReadError(where, "not valid UTF-16 despite its byte-order mark")
    if b"\x00" in data[:8192]:
        return ReadError(where, "binary file (contains NUL bytes), not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return ReadError(
            where, f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        )


def record_to_article(record: Any, where: str, line: int | None) -> Item:
    """Turn one JSON object or CSV row into an `Article`, checking the contract's fields."""
    if not isinstance(record, dict):
        return ReadError(where, f"expected a JSON object, got {type(record).__name__}", line)
    rid = record.get("id")
    if rid is None or (isinstance(rid, str) and not rid.strip()):
        return ReadError(where, "missing 'id'", line)
    if not isinstance(rid, (str, int)) or isinstance(rid, bool):
        return ReadError(where, f"'id' must be a string, got {type(rid).__name__}", line)
    text = record.get("text")
    if text is None:
        return ReadError(where, f"article {rid!r} has no 'text'", line)
    if not isinstance(text, str):
        return ReadError(where, f"article {rid!r}: 'text' must be a string", line)
    if not text.strip():
        return ReadError(where, f"article {rid!r} has empty 'text'", line)
    fields: dict[str, str | None] = {}
    for name in OPTIONAL_FIELDS:
        value = record.get(name)
        if value is None or value == "":
            fields[name] = None
        elif isinstance(value, (str, int, float)) and not isinstance(value, bool):
            fields[name] = str(value)
        else:
            return ReadError(where, f"article {rid!r}: '{name}' must be a string", line)
    if fields["published"] is not None and parse_date(fields["published"]) is None:
        return ReadError(
            where,
            f"article {rid!r}: 'published' is not an ISO 8601 date: {fields['published']!r}",
            line,
        )
    return Article(id=str(rid), text=text, path=where, **fields)


def parse_date(value: str | None) -> datetime | None:
    """Parse an ISO 8601 date or datetime; naive values are taken as UTC."""
    if not value:
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed


def _read_json_file(stream: IO[bytes], where: str, suffix: str) -> Iterator[Item]:
    if suffix == ".json":
        # A .json file may hold one array of articles, one object, or JSON lines.
        data = stream.read()
        text = decode(data, where)
        if isinstance(text, ReadError):
            yield text
            return
        try:
            document = json.loads(text)
        except RecursionError:
            yield ReadError(where, "malformed JSON (nested too deeply)")
            return
        except json.JSONDecodeError:
            yield from _read_jsonl_stream(io.BytesIO(data), where)
            return
        records = document if isinstance(document, list) else [document]
        for index, record in enumerate(records, start=1):
            item = record_to_article(record, where, index)
            if isinstance(item, ReadError) and item.line is not None:
                item = ReadError(where, item.reason + f" (item {index})")
            yield item
        return
    head = stream.read(8192)
    stream.seek(0)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in head:
        # UTF-16 lines cannot be split on b"\n"; binary data is refused once, not line by line
        text = decode(stream.read(), where)
        if isinstance(text, ReadError):
            yield text
            return
        stream = io.BytesIO(text.encode("utf-8"))
    yield from _read_jsonl_stream(stream, where)


def _read_jsonl_stream(stream: IO[bytes], where: str) -> Iterator[Item]:
    for number, raw in enumerate(stream, start=1):
        if len(raw) > MAX_ARTICLE_BYTES:
            yield ReadError(where, f"line too long ({len(raw) / 2**20:.0f} MiB)", number)
            continue
        if not raw.strip():
            continue
        line = decode(raw, where)
        if isinstance(line, ReadError):
            yield ReadError(where, line.reason, number)
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield ReadError(where, f"malformed JSON ({exc.msg} at column {exc.colno})", number)
            continue
        except RecursionError:
            yield ReadError(where, "malformed JSON (nested too deeply)", number)
            continue
        yield record_to_article(record, where, number)


def _read_csv(text: str, where: str) -> Iterator[Item]:
    csv.field_size_limit(MAX_ARTICLE_BYTES)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if not header or "text" not in header or "id" not in header:
            yield ReadError(where, "CSV header must name at least the columns 'id' and 'text'")
            return
        ended = reader.line_num
        for row in reader:
            # csv counts physical lines: a record spans the lines after the previous one's end
            started, ended = ended + 1, reader.line_num
            if row:
                yield record_to_article(dict(zip(header, row, strict=False)), where, started)
    except csv.Error as exc:
        yield ReadError(where, f"malformed CSV ({exc})", reader.line_num)
