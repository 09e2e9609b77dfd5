"""Read articles from text, JSONL/JSON, CSV, HTML and WARC files, folders and standard input.

Every problem with an input becomes a `ReadError` naming the file (and line, or WARC record) and
the reason; the rest of the input is still read. Offsets in every output point into
`Article.text`, which is the decoded file (or the record's `text` field) exactly as read, or for
HTML (an `.html` file, an `html` field, a WARC response) the main text extracted from the page.

Bytes are decoded as UTF-8 first, then by their byte-order mark, then by what the document
declares (HTML only) and at last by charset detection, which leans to Windows-1252 when that
reads as cleanly as any other guess. Mojibake is not repaired here: the text stays as read, and
`clean` repairs it for matching only.
"""

from __future__ import annotations

import codecs
import csv
import errno
import gzip
import hashlib
import io
import itertools
import json
import os
import re
import sys
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import unquote, urljoin, urlsplit

from .model import Article, ReadError

if TYPE_CHECKING:
    from fastwarc.warc import WarcRecord
    from lxml.html import HtmlElement

#: Inputs larger than this are refused rather than read into memory whole (WARC files and JSON
#: lines in UTF-8 stream).
MAX_FILE_BYTES = 256 * 1024 * 1024
#: One article (a text file, a JSONL line, a CSV row) larger than this is refused.
MAX_ARTICLE_BYTES = 32 * 1024 * 1024
#: One HTML document (an .html file, an `html` field, a WARC payload) larger than this is refused.
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
#: HTML with more elements than this is refused: extraction time grows faster than the page.
MAX_HTML_ELEMENTS = 30_000
#: Deepest nesting of HTML elements read; libxml2 cuts what lies deeper (at 2,048 levels).
MAX_HTML_DEPTH = 2_000
#: Text extracted from HTML with fewer words than this is no article.
MIN_HTML_WORDS = 5
#: Errors reported for one input before the rest are only counted: a misnamed or binary file
#: would otherwise give one line per line of it.
MAX_ERRORS_PER_FILE = 20

TEXT_SUFFIXES = {".txt"}
JSON_SUFFIXES = {".jsonl", ".json", ".ndjson"}
#: files read a line at a time, of any size (each line is bounded by `MAX_ARTICLE_BYTES`)
STREAMED_SUFFIXES = {".jsonl", ".ndjson"}
CSV_SUFFIXES = {".csv"}
HTML_SUFFIXES = {".html", ".htm"}
WARC_SUFFIXES = {".warc", ".warc.gz"}
KNOWN_SUFFIXES = TEXT_SUFFIXES | JSON_SUFFIXES | CSV_SUFFIXES | HTML_SUFFIXES | WARC_SUFFIXES
OPTIONAL_FIELDS = ("title", "source", "url", "published", "author")
NO_TEXT = "no article text found in HTML"

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
    taken: set[str] = set()  # ids made up for WARC records, unique across the run
    for raw in paths:
        if str(raw) == "-":
            stream = stdin if stdin is not None else sys.stdin.buffer
            items = _capped(_read_jsonl_stream(stream, "<stdin>"), "<stdin>")
            yield from _or_nothing(items, "<stdin>")
            continue
        path = Path(raw)
        problem = _link_problem(path) if path.is_symlink() else None
        if problem is not None:
            yield ReadError(str(path), problem)
        elif path.is_dir():
            for found in _walk(path):
                if isinstance(found, ReadError):
                    yield found
                else:
                    yield from read_file(found, taken)
        elif path.exists():
            yield from read_file(path, taken)
        else:
            yield ReadError(str(path), "no such file or folder")


def _walk(root: Path) -> Iterator[Path | ReadError]:
    """The files of a known kind under `root`, sorted, and an error for every folder or link
    that cannot be followed; hidden files and folders are skipped.

    Folders are told apart by their real path, so a folder reached twice (through a link, or a
    link back up to a folder being walked) is read once and the walk ends.
    """
    found: list[tuple[Path, ReadError | None]] = []
    top = Path(os.path.realpath(root))
    walked = {top}
    stack = [(root, top)]
    while stack:
        folder, real = stack.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as exc:
            unread = ReadError(str(folder), f"cannot read folder: {exc.strerror or exc}")
            found.append((folder, unread))
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = folder / entry.name
            link = entry.is_symlink()
            problem = _link_problem(path) if link else None
            if problem is not None:
                found.append((path, ReadError(str(path), problem)))
            elif entry.is_dir():
                target = Path(os.path.realpath(path)) if link else real / entry.name
                if real.is_relative_to(target):
                    reason = f"symbolic link to {target}, a folder above it: not followed"
                    found.append((path, ReadError(str(path), reason)))
                elif target not in walked:
                    walked.add(target)
                    stack.append((path, target))
            elif entry.is_file() and file_kind(path) is not None:
                found.append((path, None))
    found.sort(key=lambda pair: pair[0])
    for path, error in found:
        yield path if error is None else error


def _link_problem(link: Path) -> str | None:
    """Why the symbolic link `link` leads nowhere, or `None` when it leads to something."""
    try:
        link.stat()
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symbolic link loop (the links lead back to each other)"
        if exc.errno == errno.ENOENT:
            return f"broken symbolic link (its target {os.readlink(link)} does not exist)"
        return f"cannot follow symbolic link: {exc.strerror or exc}"
    return None


def file_kind(path: Path) -> str | None:
    """The known suffix of `path` (`.warc.gz` counts as one), or `None`."""
    name = path.name.lower()
    if name.endswith(".warc.gz"):
        return ".warc.gz"
    suffix = path.suffix.lower()
    return suffix if suffix in KNOWN_SUFFIXES else None


def read_file(path: Path, taken: set[str] | None = None) -> Iterator[Item]:
    """Yield the articles of one file, told apart by its extension.

    `taken` holds the ids already made up for WARC records in this run (they are made unique).
    """
    items = _read_file(path, set() if taken is None else taken)
    yield from _or_nothing(_capped(items, str(path)), str(path))


def _or_nothing(items: Iterable[Item], where: str) -> Iterator[Item]:
    """Pass `items` on; an input that yields neither an article nor an error is an error."""
    empty = True
    for item in items:
        empty = False
        yield item
    if empty:
        yield ReadError(where, "holds no article")


def _capped(items: Iterable[Item], where: str) -> Iterator[Item]:
    """Pass `items` on, but past `MAX_ERRORS_PER_FILE` errors only count them, in one last line."""
    shown = hidden = 0
    for item in items:
        if isinstance(item, ReadError):
            if shown == MAX_ERRORS_PER_FILE:
                hidden += 1
                continue
            shown += 1
        yield item
    if hidden:
        yield ReadError(where, f"... and {hidden:,} more errors (only the first {shown} are shown)")


def _read_file(path: Path, taken: set[str]) -> Iterator[Item]:
    kind = file_kind(path)
    if kind is None:
        yield ReadError(str(path), f"unsupported file type {path.suffix.lower() or '(none)'!r}")
        return
    try:
        size = path.stat().st_size
    except OSError as exc:
        yield ReadError(str(path), f"cannot read: {exc.strerror or exc}")
        return
    if size == 0:
        yield ReadError(str(path), "empty file")
        return
    if kind in WARC_SUFFIXES:
        yield from _read_warc(path, taken)
        return
    if kind in HTML_SUFFIXES:
        if size > MAX_DOCUMENT_BYTES:
            yield ReadError(str(path), _too_large("HTML document", size, MAX_DOCUMENT_BYTES))
            return
    elif kind not in STREAMED_SUFFIXES:  # JSON lines are read line by line: no whole-file limit
        limit = MAX_ARTICLE_BYTES if kind in TEXT_SUFFIXES else MAX_FILE_BYTES
        if size > limit:
            yield ReadError(str(path), _too_large("file", size, limit))
            return
    if kind in JSON_SUFFIXES:
        try:
            with path.open("rb") as stream:
                yield from _read_json_file(stream, str(path), kind)
        except OSError as exc:
            yield ReadError(str(path), f"cannot read: {exc.strerror or exc}")
        return
    try:
        data = path.read_bytes()
    except OSError as exc:
        yield ReadError(str(path), f"cannot read: {exc.strerror or exc}")
        return
    if kind in HTML_SUFFIXES:
        yield _read_html_file(data, path)
        return
    text = decode(data, str(path))
    if isinstance(text, ReadError):
        yield text
    elif kind in CSV_SUFFIXES:
        yield from _read_csv(text, str(path))
    elif not text.strip():
        yield ReadError(str(path), "empty file (only whitespace)")
    else:
        yield Article(id=path.stem, text=text, path=str(path))


def _too_large(what: str, size: int, limit: int) -> str:
    return f"{what} too large ({size / 2**20:.1f} MiB > {limit / 2**20:.0f} MiB)"


# --- decoding ---------------------------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
#: Declared encodings that browsers read as Windows-1252, its superset.
_AS_CP1252 = {"latin_1", "iso8859_1", "ascii", "cp1252"}
#: C0 and C1 control characters that no text holds (tab, newlines and form feed are text).
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
#: A decoded guess with more control characters than this share is binary data.
MAX_CONTROL_SHARE = 0.02


@dataclass(frozen=True)
class _Decoded:
    text: str
    encoding: str


def decode(data: bytes, where: str, declared: str | None = None) -> str | ReadError:
    """Decode bytes to text; refuse binary data.

    UTF-8 comes first, then a byte-order mark (UTF-16, UTF-32), then `declared` (an HTML meta
    charset or HTTP header), then charset detection. UTF-8 wins over a declared single-byte
    charset because text in one of those is almost never valid UTF-8 by accident.
    """
    result = _decode(data, declared)
    return ReadError(where, result) if isinstance(result, str) else result.text


def _codec(name: str | None) -> str | None:
    """The Python codec for an encoding label, or `None` when unknown."""
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().strip("\"'").lower()).name.replace("-", "_")
    except (LookupError, ValueError):
        return None


def _decode(data: bytes, declared: str | None = None) -> _Decoded | str:
    """The decoded text and the encoding used, or the reason it cannot be decoded."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return _Decoded(data.decode(encoding), encoding)
            except UnicodeDecodeError:
                if encoding == "utf-32":  # FF FE 00 00 may open UTF-16 too
                    continue
                name = "UTF-8" if encoding == "utf-8-sig" else encoding.upper()
                return f"not valid {name} despite its byte-order mark"
    codec = _codec(declared)
    if b"\x00" in data[:8192]:
        if codec and codec.startswith(("utf_16", "utf_32")):
            try:
                return _Decoded(data.decode(codec), codec)
            except UnicodeDecodeError:
                pass
        wide = _bomless_utf16(data)
        return wide if wide is not None else "binary file (contains NUL bytes), not text"
    try:
        return _Decoded(data.decode("utf-8"), "utf_8")
    except UnicodeDecodeError as exc:
        first_error = exc
    mostly = _mostly_utf8(data)
    if mostly is not None:
        return _Decoded(mostly, "utf_8")
    if codec and codec != "utf_8" and not codec.startswith(("utf_16", "utf_32")):
        for candidate in ("cp1252", codec) if codec in _AS_CP1252 else (codec,):
            try:
                return _Decoded(data.decode(candidate), candidate)
            except (UnicodeDecodeError, LookupError):
                continue
    guess = _detect(data)
    if guess is None:
        return (
            f"not valid UTF-8 (byte 0x{data[first_error.start]:02x} at offset "
            f"{first_error.start}) and no other encoding fits"
        )
    controls = len(guess.text) - len(_CONTROL_RE.sub("", guess.text))
    if controls > MAX_CONTROL_SHARE * len(guess.text):
        return f"binary data, not text (read as {guess.encoding}, {controls} control characters)"
    return guess


#: In UTF-16 text without a byte-order mark, the share of characters whose high byte must be
#: NUL (ASCII and Latin-1 ones) for it to be told apart from binary data
MIN_UTF16_NARROW_SHARE = 0.7


def _bomless_utf16(data: bytes) -> _Decoded | None:
    """Mostly-ASCII UTF-16 without a byte-order mark, else `None`.

    Its high bytes are NUL and its low bytes are not: every odd byte is NUL in little-endian,
    every even byte in big-endian. Binary data rarely keeps to one side, and when it does its
    characters are controls.
    """
    if len(data) % 2:
        return None
    sample = data[:8192]
    units = len(sample) // 2
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    for high, low, codec in ((odd, even, "utf_16_le"), (even, odd, "utf_16_be")):
        if high >= MIN_UTF16_NARROW_SHARE * units and low <= 0.01 * units:
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                return None
            controls = len(text) - len(_CONTROL_RE.sub("", text))
            return _Decoded(text, codec) if controls <= MAX_CONTROL_SHARE * len(text) else None
    return None


def _mostly_utf8(data: bytes) -> str | None:
    """UTF-8 text with a few stray bytes, decoded with U+FFFD for them, else `None`."""
    text = data.decode("utf-8", errors="replace")
    stray = text.count("\ufffd") - data.count("\ufffd".encode())
    non_ascii = len(text) - len(text.encode("ascii", errors="ignore")) - stray
    return text if non_ascii >= 10 * stray else None


#: Characters of Western European text besides ASCII: Latin-1 letters and typography.
_WESTERN = set(
    "ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞßàáâãäåæçèéêëìíîïðñòóôõöøùúûüýþÿŒœŠšŽžŸ"
    "‘’‚“”„–—…•†‡‰‹›€™£¥¢§¶©®°±·«»¡¿ªº¼½¾×÷\xa0\xad"
)
#: A symbol wedged between two letters: Central European text read as Windows-1252 ("powiedzia³").
_WEDGED_RE = re.compile(r"[^\W\d_][^\w\s\x00-\x7f’‘·\xad][^\W\d_]")
#: Western text has most of its letters in ASCII; Cyrillic or Greek read as Windows-1252 has not.
MAX_WESTERN_NON_ASCII = 0.3


_ASCII_RUN_RE = re.compile(r"[\x00-\x7f]+")
_NOT_ASCII_LETTERS = bytes(b for b in range(256) if not (65 <= b <= 90 or 97 <= b <= 122))


def _western(data: bytes) -> str | None:
    """`data` read as Windows-1252 when that gives plausible Western European text."""
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    beyond_ascii = _ASCII_RUN_RE.sub("", text)
    if not set(beyond_ascii) <= _WESTERN or _WEDGED_RE.search(text):
        return None
    foreign = sum(1 for ch in beyond_ascii if ch.isalpha())
    ascii_letters = len(data.translate(None, _NOT_ASCII_LETTERS))
    return text if foreign <= MAX_WESTERN_NON_ASCII * (foreign + ascii_letters) else None


#: Detection never guesses these without a byte-order mark: every byte string is UTF-16.
_NO_GUESS = ["utf_16", "utf_16_be", "utf_16_le", "utf_32", "utf_32_be", "utf_32_le"]


def _detect(data: bytes) -> _Decoded | None:
    """Windows-1252 when it reads as Western text, else charset detection (charset-normalizer),
    which leans to Windows-1252 among equally clean guesses."""
    western = _western(data)
    if western is not None:
        return _Decoded(western, "cp1252")
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data, cp_exclusion=_NO_GUESS))
    if not matches:
        return None
    best = matches[0]
    for match in matches:
        if match.chaos > best.chaos + 0.01:
            break
        if "cp1252" in match.could_be_from_charset:
            try:
                return _Decoded(data.decode("cp1252"), "cp1252")
            except UnicodeDecodeError:
                break
    return _Decoded(str(best), best.encoding)


# --- HTML ---------------------------------------------------------------------------------------

_META_CHARSET_RE = re.compile(
    rb"""<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.IGNORECASE
)
_XML_ENCODING_RE = re.compile(rb"""^\s*<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9_.:\-]+)""")
_XML_DECLARATION_RE = re.compile(r"^\s*<\?xml[^>]*>")
#: Characters lxml refuses in a document: C0 controls but tab and newlines, lone surrogates.
_NOT_XML_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def declared_charset(data: bytes) -> str | None:
    """The charset an HTML document declares near its start (meta tag or XML declaration)."""
    head = data[:8192]
    match = _META_CHARSET_RE.search(head) or _XML_ENCODING_RE.search(head)
    return match.group(1).decode("ascii") if match else None


def decode_html(data: bytes, where: str, http_charset: str | None = None) -> str | ReadError:
    """Decode an HTML document: BOM, UTF-8, the HTTP header's charset, the meta charset, guess."""
    declared = http_charset if _codec(http_charset) else declared_charset(data)
    return decode(data, where, declared)


@dataclass
class Page:
    """What `extract_html` finds in a page: its main text and metadata."""

    text: str
    title: str | None = None
    author: str | None = None
    published: str | None = None
    canonical: str | None = None
    sitename: str | None = None


def _html_parser() -> Any:
    from lxml.html import HTMLParser

    # `huge_tree`: libxml2 otherwise cuts every element past 255 levels without a word (a page
    # of nested layout boxes lost its article); past `MAX_HTML_DEPTH` the page is refused.
    return HTMLParser(
        collect_ids=False,
        default_doctype=False,
        remove_comments=True,
        remove_pis=True,
        huge_tree=True,
    )


def _depth(tree: Any) -> int:
    """How deep the elements of a parsed page nest."""
    from lxml.etree import iterwalk

    depth = deepest = 0
    for event, _ in iterwalk(tree, events=("start", "end")):
        depth += 1 if event == "start" else -1
        deepest = max(deepest, depth)
    return deepest


def extract_html(html: str, url: str | None = None) -> Page | str:
    """The main text and metadata of an HTML page, or why there is none.

    The text is trafilatura's (menus, cookie notices, link lists and comments left out), one
    paragraph per line with a blank line between paragraphs. The date comes from the page's
    markup (trafilatura, then htmldate with `url`), never from a guess at its free text.
    """
    if len(html) > MAX_DOCUMENT_BYTES:
        return _too_large("HTML document", len(html), MAX_DOCUMENT_BYTES)
    html = _XML_DECLARATION_RE.sub("", _NOT_XML_RE.sub("", html), count=1)
    if not html.strip():
        return NO_TEXT
    import trafilatura
    from htmldate import find_date
    from lxml.etree import ParserError
    from lxml.html import document_fromstring

    try:
        tree = document_fromstring(html, parser=_html_parser())
    except ParserError:  # "Document is empty"
        return NO_TEXT
    except Exception as exc:  # whatever lxml refuses
        return _failed("HTML parsing", exc)
    elements = sum(1 for _ in itertools.islice(tree.iter(), MAX_HTML_ELEMENTS + 1))
    if elements > MAX_HTML_ELEMENTS:
        return f"HTML too complex (more than {MAX_HTML_ELEMENTS} elements)"
    if _depth(tree) > MAX_HTML_DEPTH:
        return f"HTML nested too deeply (more than {MAX_HTML_DEPTH:,} levels)"
    try:
        document = trafilatura.bare_extraction(
            tree,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            include_images=False,
            include_links=False,
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
        if document is None or isinstance(document, dict):
            return NO_TEXT
        published = document.date
        if not published or parse_date(published) is None:
            published = find_date(tree, extensive_search=False, original_date=True, url=url)
    except Exception as exc:  # hostile pages must not stop the run
        return _failed("HTML extraction", exc)
    paragraphs = [line.strip() for line in (document.text or "").splitlines()]
    text = "\n\n".join(p for p in paragraphs if p)
    if len(text.split()) < MIN_HTML_WORDS:  # a lone "Home" from a menu is no article
        return NO_TEXT
    return Page(
        text=text,
        title=_clean_field(document.title),
        author=_clean_field(document.author),
        published=published if published and parse_date(published) else None,
        canonical=canonical_url(tree, url),
        sitename=_clean_field(document.sitename),
    )


def _failed(what: str, exc: BaseException) -> str:
    detail = " ".join(str(exc).split())[:80]
    return f"{what} failed ({type(exc).__name__}{': ' + detail if detail else ''})"


def _clean_field(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    value = " ".join(value.split())
    return value or None


def canonical_url(tree: HtmlElement, base: str | None = None) -> str | None:
    """The page's `<link rel="canonical">`, else its `og:url`, made absolute against `base`."""
    found: list[str] = []
    for link in tree.iterfind(".//link[@href]"):
        if "canonical" in (link.get("rel") or "").lower().split():
            found.append(link.get("href") or "")
    for meta in tree.iterfind(".//meta[@content]"):
        if (meta.get("property") or meta.get("name") or "").strip().lower() == "og:url":
            found.append(meta.get("content") or "")
    for href in found:
        href = href.strip()
        absolute = urljoin(base, href) if base else href
        parts = urlsplit(absolute)
        if parts.scheme in ("http", "https") and parts.netloc:
            return absolute
    return None


def _read_html_file(data: bytes, path: Path) -> Item:
    html = decode_html(data, str(path))
    if isinstance(html, ReadError):
        return html
    page = extract_html(html)
    if isinstance(page, str):
        return ReadError(str(path), page)
    return page_to_article(page, path.stem, str(path))


def page_to_article(
    page: Page, article_id: str, where: str, given: dict[str, str | None] | None = None
) -> Article:
    """An `Article` from an extracted page; fields in `given` (non-empty) win over the page's."""
    given = given or {}
    return Article(
        id=article_id,
        text=page.text,
        path=where,
        title=given.get("title") or page.title,
        source=given.get("source") or page.sitename,
        url=given.get("url") or page.canonical,
        published=given.get("published") or page.published,
        author=given.get("author") or page.author,
        extracted=True,
        canonical=page.canonical,
    )


# --- WARC ---------------------------------------------------------------------------------------

_HTML_TYPES = {"text/html", "application/xhtml+xml", "application/xhtml"}
_SLUG_RE = re.compile(r"[^\w.]+")
_PAGE_SUFFIX_RE = re.compile(r"\.(?:s?html?|php\d?|aspx?|jsp|cgi)$", re.IGNORECASE)
_CONTENT_LENGTH_RE = re.compile(rb"(?im)^content-length[ \t]*:[ \t]*(\d+)[ \t]*$")
#: Longest id made from a URL, before a collision suffix.
MAX_ID_CHARS = 100


class _WarcDamage(Exception):
    """The archive is truncated or corrupt from this record on."""


def url_id(url: str) -> str:
    """A readable id from a URL: host and path, e.g. `news.example-2024-03-flood-hits-town`."""
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    path = _PAGE_SUFFIX_RE.sub("", unquote(parts.path).rstrip("/"))
    slug = _SLUG_RE.sub("-", f"{host}/{path}/{unquote(parts.query)}".lower()).strip("-.")
    if len(slug) > MAX_ID_CHARS:
        digest = hashlib.sha1(url.encode("utf-8", "replace")).hexdigest()[:8]
        slug = slug[: MAX_ID_CHARS - 9].rstrip("-.") + "-" + digest
    return slug or "page"


def _unique(base: str, taken: set[str]) -> str:
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base}-{number}"
    taken.add(candidate)
    return candidate


def _read_warc(path: Path, taken: set[str]) -> Iterator[Item]:
    """Every HTML response of a WARC file, then one error if the archive is damaged."""
    from fastwarc.warc import ArchiveIterator

    where = str(path)
    try:
        stream = path.open("rb")
    except OSError as exc:
        yield ReadError(where, f"cannot read: {exc.strerror or exc}")
        return
    with stream:
        gz = stream.read(2) == b"\x1f\x8b"
        problem = _warc_start_problem(stream, gz)
        if problem is not None:
            yield ReadError(where, problem)
            return
        stream.seek(0)
        count, last_start = 0, 0
        try:
            for record in ArchiveIterator(stream, parse_http=False):
                last_start = record.stream_pos
                item = _warc_item(record, where, taken)
                count += 1  # only now is the record read whole
                if item is not None:
                    yield item
        except _WarcDamage as exc:
            yield ReadError(where, f"truncated or damaged WARC: {exc}")
            return
        except Exception as exc:  # fastwarc raises OSError and others
            yield ReadError(where, f"damaged WARC after {count} whole records ({exc})")
            return
        if not _tail_is_whole(stream, last_start if count else 0, gz):
            yield ReadError(
                where,
                f"truncated or damaged WARC: the rest of the file after {count} records "
                "is not a whole WARC record",
            )


def _warc_start_problem(stream: IO[bytes], gz: bool) -> str | None:
    """Why the file cannot be a WARC archive, judged from its start, or `None`."""
    stream.seek(0)
    head = stream.read(1 << 16)
    if gz:
        try:
            head = zlib.decompressobj(47).decompress(head, 64)
        except zlib.error as exc:
            return f"damaged gzip data at the start of the file ({exc})"
        if not head:
            return "truncated or damaged WARC: the gzip data breaks off before the first record"
    if head.lstrip().startswith(b"WARC/"):
        return None
    return "not a WARC file (it does not start with a WARC/1.x record)"


def _warc_item(record: WarcRecord, where: str, taken: set[str]) -> Item | None:
    """The article of one HTML response record; `None` for every other record."""
    from fastwarc.warc import WarcRecordType

    if record.record_type != WarcRecordType.response:
        return None
    if not (record.headers.get("Content-Type") or "").lower().startswith("application/http"):
        return None
    try:
        record.parse_http(auto_decode="none")
    except Exception:  # a malformed HTTP header: not a page we can read
        return None
    status = record.http_headers.status_code
    mime = (record.http_content_type or "").split(";")[0].strip().lower()
    if status != 200 or mime not in _HTML_TYPES:
        return None
    uri = (record.headers.get("WARC-Target-URI") or "").strip().strip("<>")
    name = uri or record.record_id or "?"
    expected = record.content_length
    if expected > MAX_DOCUMENT_BYTES:
        return ReadError(
            where, f"{name}: " + _too_large("HTML document", expected, MAX_DOCUMENT_BYTES)
        )
    body = record.reader.read(expected + 1)
    if len(body) < expected:
        raise _WarcDamage(f"record {name} ends after {len(body)} of its {expected} bytes")
    payload = _http_payload(body, record.http_headers)
    if isinstance(payload, str):
        return ReadError(where, f"{name}: {payload}")
    html = decode_html(payload, where, record.http_charset)
    if isinstance(html, ReadError):
        return ReadError(where, f"{name}: {html.reason}")
    page = extract_html(html, uri or None)
    if isinstance(page, str):
        return ReadError(where, f"{name}: {page}")
    article = page_to_article(page, _unique(url_id(uri) if uri else "page", taken), where)
    article.url = uri or page.canonical
    if article.published is None:
        date = (record.headers.get("WARC-Date") or "").strip()
        article.published = date if parse_date(date) else None
    return article


def _http_payload(body: bytes, headers: Any) -> bytes | str:
    """Undo chunked transfer and gzip/deflate/brotli content encodings, or say why not."""
    if "chunked" in (headers.get("Transfer-Encoding") or "").lower():
        body = _unchunk(body)
    encoding = (headers.get("Content-Encoding") or "identity").strip().lower()
    try:
        if encoding in ("gzip", "x-gzip", "deflate"):
            # wbits 47 takes gzip or zlib headers; raw deflate needs -15
            wbits = 47 if encoding != "deflate" or body[:1] == b"\x78" else -15
            inflater = zlib.decompressobj(wbits)
            out = inflater.decompress(body, MAX_DOCUMENT_BYTES + 1)
        elif encoding == "br":
            try:
                import brotli  # type: ignore[import-not-found,unused-ignore]
            except ImportError:
                return "brotli content encoding (install brotli to read it)"
            out = brotli.decompress(body)
        elif encoding in ("identity", "none", ""):
            return body
        else:
            return f"unsupported content encoding {encoding!r}"
    except Exception as exc:  # zlib.error, brotli.error
        return f"cannot undo {encoding} content encoding ({exc})"
    if len(out) > MAX_DOCUMENT_BYTES:
        return _too_large("HTML document", len(out), MAX_DOCUMENT_BYTES)
    return bytes(out)


def _unchunk(body: bytes) -> bytes:
    """The data of a chunked HTTP body (what is left as is when it is not chunked after all)."""
    out, pos = bytearray(), 0
    while True:
        end = body.find(b"\r\n", pos)
        if end < 0:
            return body
        try:
            size = int(body[pos:end].split(b";")[0].strip(), 16)
        except ValueError:
            return body
        if size == 0:
            return bytes(out)
        out += body[end + 2 : end + 2 + size]
        pos = end + 2 + size + 2


def _tail_is_whole(stream: IO[bytes], start: int, gz: bool) -> bool:
    """Whether the archive from `start` (the last record read) to its end is whole records.

    fastwarc stops quietly at a record header cut short; this finds such an end. In a gzipped
    archive `start` is the last record's gzip member; when the file is one gzip stream instead,
    the check reads it from the top.
    """
    try:
        stream.seek(start)
        if not gz:
            return _whole_records(stream)
        if stream.read(2) != b"\x1f\x8b":
            start = 0
        stream.seek(start)
        return _whole_records(gzip.GzipFile(fileobj=stream))
    except (OSError, EOFError, zlib.error):
        return False


def _whole_records(stream: IO[bytes] | gzip.GzipFile) -> bool:
    """Whether `stream` holds whole WARC records (header, Content-Length bytes) to its end."""
    buffer = b""
    while True:
        buffer = buffer.lstrip(b" \t\r\n")
        while not buffer:
            chunk = stream.read(1 << 16)
            if not chunk:
                return True
            buffer = chunk.lstrip(b" \t\r\n")
        while b"\r\n\r\n" not in buffer:
            chunk = stream.read(1 << 16)
            if not chunk or len(buffer) > 1 << 20:
                return False
            buffer += chunk
        end = buffer.index(b"\r\n\r\n")
        match = _CONTENT_LENGTH_RE.search(buffer[:end])
        if not buffer.startswith(b"WARC/") or match is None:
            return False
        remaining = int(match.group(1))
        buffer = buffer[end + 4 :]
        if len(buffer) >= remaining:
            buffer = buffer[remaining:]
            continue
        remaining -= len(buffer)
        buffer = b""
        while remaining > 0:
            chunk = stream.read(min(remaining, 1 << 20))
            if not chunk:
                return False
            remaining -= len(chunk)


# --- records: JSON lines, JSON, CSV -------------------------------------------------------------


def record_to_article(record: Any, where: str, line: int | None) -> Item:
    """Turn one JSON object or CSV row into an `Article`, checking the contract's fields.

    A record with an `html` field and no (or an empty) `text` gets the page's extracted text
    and metadata; the record's own fields win over the page's.
    """
    if not isinstance(record, dict):
        return ReadError(where, f"expected a JSON object, got {type(record).__name__}", line)
    rid = record.get("id")
    if rid is None or (isinstance(rid, str) and not rid.strip()):
        return ReadError(where, "missing 'id'", line)
    if not isinstance(rid, (str, int)) or isinstance(rid, bool):
        return ReadError(where, f"'id' must be a string, got {type(rid).__name__}", line)
    text, html = record.get("text"), record.get("html")
    blank = text is None or (isinstance(text, str) and not text.strip())
    from_html = blank and html is not None and html != ""
    if from_html:
        if not isinstance(html, str):
            return ReadError(where, f"article {rid!r}: 'html' must be a string", line)
    elif text is None:
        return ReadError(where, f"article {rid!r} has no 'text'", line)
    elif not isinstance(text, str):
        return ReadError(where, f"article {rid!r}: 'text' must be a string", line)
    elif not text.strip():
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
    if isinstance(html, str) and from_html:
        page = extract_html(html, fields["url"])
        if isinstance(page, str):
            return ReadError(where, f"article {rid!r}: {page}", line)
        return page_to_article(page, str(rid), where, fields)
    return Article(
        id=str(rid),
        text=str(text),
        path=where,
        title=fields["title"],
        source=fields["source"],
        url=fields["url"],
        published=fields["published"],
        author=fields["author"],
    )


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
        decoded = _decode(data)
        if isinstance(decoded, str):
            yield ReadError(where, decoded)
            return
        try:
            document = json.loads(decoded.text)
        except RecursionError:
            yield ReadError(where, "malformed JSON (nested too deeply)")
            return
        except json.JSONDecodeError:
            yield from _read_jsonl_stream(_utf8_stream(data, decoded), where)
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
    if head.startswith(tuple(bom for bom, _ in _BOMS if bom != codecs.BOM_UTF8)) or (
        b"\x00" in head
    ):
        # UTF-16 lines cannot be split on b"\n"; binary data is refused once, not line by line
        data = stream.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            yield ReadError(where, _too_large("file not in UTF-8", len(data), MAX_FILE_BYTES))
            return
        decoded = _decode(data)
        if isinstance(decoded, str):
            yield ReadError(where, decoded)
            return
        stream = io.BytesIO(decoded.text.encode("utf-8"))
    yield from _read_jsonl_stream(stream, where)


def _utf8_stream(data: bytes, decoded: _Decoded) -> IO[bytes]:
    """`data` as UTF-8 lines (re-encoded when it was in another encoding)."""
    if decoded.encoding in ("utf_8", "utf-8-sig"):
        return io.BytesIO(data)
    return io.BytesIO(decoded.text.encode("utf-8"))


def _read_jsonl_stream(stream: IO[bytes], where: str) -> Iterator[Item]:
    """The records of JSON lines; every good one is read, whatever else the input holds.

    Lines that are not JSON are held back until one is: when the first `MAX_ERRORS_PER_FILE`
    all fail, the input is something else (a misnamed text file, random bytes), and one line at
    the end says so instead of one line per line.
    """
    fallback: str | None = None  # the encoding of the last line that was not UTF-8
    held: list[ReadError] = []  # the lines before the first JSON line that are not JSON
    json_seen = False
    lines = not_json = 0
    for number, raw in enumerate(stream, start=1):
        if len(raw) > MAX_ARTICLE_BYTES:
            yield ReadError(where, f"line too long ({len(raw) / 2**20:.0f} MiB)", number)
            continue
        if not raw.strip():
            continue
        lines += 1
        decoded = _decode(raw, fallback)
        if isinstance(decoded, str):
            problem = decoded
        else:
            if decoded.encoding not in ("utf_8", "utf-8-sig"):
                fallback = decoded.encoding
            try:
                record, problem = json.loads(decoded.text), None
            except json.JSONDecodeError as exc:
                # some messages end in "at", which the column completes
                problem = f"malformed JSON ({exc.msg.removesuffix(' at')} at column {exc.colno})"
            except RecursionError:
                problem = "malformed JSON (nested too deeply)"
        given_up = len(held) == MAX_ERRORS_PER_FILE  # on JSON lines: not JSON lines at all
        if problem is not None:
            not_json += 1
            if json_seen and not given_up:
                yield ReadError(where, problem, number)
            elif not given_up:
                held.append(ReadError(where, problem, number))
            continue
        if not json_seen and not given_up:
            yield from held
            held = []
        json_seen = True
        yield record_to_article(record, where, number)
    if len(held) == MAX_ERRORS_PER_FILE:
        first = held[0]
        yield ReadError(
            where,
            f"not JSON lines: {not_json:,} of {lines:,} lines are not JSON "
            f"(line {first.line}: {first.reason})",
        )
    else:
        yield from held


def _read_csv(text: str, where: str) -> Iterator[Item]:
    csv.field_size_limit(MAX_ARTICLE_BYTES)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if not header or "id" not in header or ("text" not in header and "html" not in header):
            yield ReadError(
                where, "CSV header must name at least the columns 'id' and 'text' (or 'html')"
            )
            return
        ended = reader.line_num
        for row in reader:
            # csv counts physical lines: a record spans the lines after the previous one's end
            started, ended = ended + 1, reader.line_num
            if not row:
                continue
            fields = f"{len(row)} field{'s' * (len(row) != 1)}, the header has {len(header)}"
            if any(field.strip() for field in row[len(header) :]):
                # the extra fields have no column to go to: a stray quote or comma
                yield ReadError(where, fields, started)
                continue
            item = record_to_article(dict(zip(header, row, strict=False)), where, started)
            if isinstance(item, ReadError) and len(row) < len(header):
                # a short row shifts no field, but the missing ones may be what the error is about
                item = ReadError(where, f"{item.reason} ({fields})", started)
            yield item
    except csv.Error as exc:
        yield ReadError(where, f"malformed CSV ({exc})", reader.line_num)
