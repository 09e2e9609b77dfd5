"""Property tests: whatever the bytes, every reader ends, without raising, in articles and errors.

Random bytes, valid files cut anywhere, huge single lines and deeply nested HTML go through each
reader (txt, jsonl, json, csv, html, warc, warc.gz). Example counts stay small so the whole file
runs in seconds; a watchdog fails any single read that hangs.
"""

from __future__ import annotations

import csv
import io
import json
import signal
import socket
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fixtures.pages import HARBOUR, VALLEY, WIRE_STORY, Response, news_page, write_warc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from copydesk.model import Article, ReadError
from copydesk.read import extract_html, iter_articles

SUFFIXES = [".txt", ".jsonl", ".json", ".csv", ".html", ".htm", ".warc", ".warc.gz"]
#: Seconds any one read may take before the watchdog calls it a hang.
HANG_SECONDS = 20
FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
)


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Reading must never reach out to the network."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("copydesk tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    yield


@pytest.fixture(autouse=True)
def watchdog() -> Iterator[None]:
    """Fail, rather than hang, when a read takes far too long (POSIX only)."""
    if not hasattr(signal, "SIGALRM"):
        yield
        return

    def hang(signum: int, frame: object) -> None:
        raise TimeoutError(f"a read took more than {HANG_SECONDS} s")

    previous = signal.signal(signal.SIGALRM, hang)
    signal.alarm(HANG_SECONDS * 4)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def read_bytes(data: bytes, suffix: str) -> list[Article | ReadError]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(data)
        started = time.monotonic()
        items = list(iter_articles([path]))
        assert time.monotonic() - started < HANG_SECONDS
    check_items(items, str(path))
    return items


def check_items(items: list[Article | ReadError], where: str) -> None:
    assert items, "a file always yields an article or says why not"
    for item in items:
        assert isinstance(item, (Article, ReadError))
        if isinstance(item, Article):
            assert isinstance(item.text, str) and item.text.strip()
            assert isinstance(item.id, str) and item.id
        else:
            assert item.path == where and item.reason
            assert "\n" not in str(item), "an error is one line"


# --- valid files of every kind, to cut and to damage -------------------------------------------

PAGE = news_page(HARBOUR, "ship", "Ship aground", WIRE_STORY)
OTHER = news_page(VALLEY, "port", "Port shut", WIRE_STORY.replace("Tuesday", "Wednesday"))


def _csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _warc(compressed: bool) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "w.warc"
        responses = [
            Response("https://harbour-post.test/ship", PAGE.encode()),
            Response("https://orrin-courier.test/port", OTHER.encode("cp1252"),
                     content_type="text/html; charset=windows-1252"),
        ]  # fmt: skip
        return write_warc(path, responses, gzip=compressed).read_bytes()


VALID = {
    ".txt": ("Héadline — “quoted”\n\n" + WIRE_STORY).encode("utf-8"),
    ".jsonl": "".join(
        json.dumps(r, ensure_ascii=False) + "\n"
        for r in [
            {"id": "a", "text": WIRE_STORY, "title": "Ship"},
            {"id": "b", "html": PAGE, "published": "2024-05-14"},
        ]
    ).encode("utf-8"),
    ".json": json.dumps([{"id": "a", "text": WIRE_STORY}, {"id": "b", "html": OTHER}]).encode(),
    ".csv": _csv([["id", "text", "html"], ["a", WIRE_STORY, ""], ["b", "", PAGE]]),
    ".html": PAGE.encode("utf-8"),
    ".htm": OTHER.encode("cp1252"),
    ".warc": _warc(False),
    ".warc.gz": _warc(True),
}


@FUZZ
@given(data=st.binary(max_size=2000), suffix=st.sampled_from(SUFFIXES))
def test_random_bytes(data: bytes, suffix: str) -> None:
    read_bytes(data, suffix)


@FUZZ
@given(suffix=st.sampled_from(SUFFIXES), junk=st.binary(min_size=1, max_size=64))
def test_random_bytes_with_a_valid_looking_start(suffix: str, junk: bytes) -> None:
    """The first bytes of a valid file (a WARC header, a gzip header, a doctype), then junk."""
    read_bytes(VALID[suffix][:40] + junk, suffix)


@settings(FUZZ, max_examples=40)
@given(suffix=st.sampled_from(SUFFIXES), fraction=st.floats(min_value=0.0, max_value=1.0))
def test_truncated_files(suffix: str, fraction: float) -> None:
    data = VALID[suffix]
    cut = data[: int(len(data) * fraction)]
    items = read_bytes(cut, suffix)
    if suffix.startswith(".warc") and cut:
        whole = [i.id for i in read_bytes(data, suffix) if isinstance(i, Article)]
        got = [i.id for i in items if isinstance(i, Article)]
        errors = [i for i in items if isinstance(i, ReadError)]
        assert got == whole[: len(got)], "a damaged archive yields the records before the damage"
        if len(cut) < len(data) - 4:
            assert len(errors) == 1, [str(e) for e in errors]


@settings(FUZZ, max_examples=30)
@given(
    suffix=st.sampled_from([".warc", ".warc.gz", ".jsonl", ".html"]),
    position=st.floats(min_value=0.0, max_value=1.0),
    garbage=st.binary(min_size=1, max_size=32),
)
def test_overwritten_bytes(suffix: str, position: float, garbage: bytes) -> None:
    data = bytearray(VALID[suffix])
    at = int((len(data) - 1) * position)
    data[at : at + len(garbage)] = garbage
    items = read_bytes(bytes(data), suffix)
    if suffix.startswith(".warc"):
        assert len([i for i in items if isinstance(i, ReadError)]) <= 3


@pytest.mark.parametrize("suffix", [".txt", ".jsonl", ".csv", ".html", ".json"])
def test_huge_single_line(suffix: str) -> None:
    line = ("word " * 400_000).strip()  # 2 MB, no newline
    data = {
        ".txt": line.encode(),
        ".jsonl": json.dumps({"id": "big", "text": line}).encode(),
        ".json": json.dumps({"id": "big", "html": f"<p>{line}</p>"}).encode(),
        ".csv": f"id,text\nbig,{line}\n".encode(),
        ".html": f"<html><body><article><p>{line}</p></article></body></html>".encode(),
    }[suffix]
    read_bytes(data, suffix)


@settings(FUZZ, max_examples=20)
@given(
    depth=st.integers(min_value=1, max_value=20_000),
    tags=st.lists(st.sampled_from(["div", "span", "table", "li", "b", "p", "section"]), min_size=1),
    closed=st.booleans(),
)
def test_deeply_nested_html(depth: int, tags: list[str], closed: bool) -> None:
    opening = "".join(f"<{tags[i % len(tags)]}>" for i in range(depth))
    closing = "".join(f"</{tags[i % len(tags)]}>" for i in reversed(range(depth))) if closed else ""
    html = f"<html><body>{opening}<p>{WIRE_STORY}</p>{closing}</body></html>"
    read_bytes(html.encode(), ".html")
    assert isinstance(extract_html(html), (str, object))


TAG_SOUP = st.lists(
    st.sampled_from(
        ["<div>", "</div>", "<p>", "</p>", "<script>", "</script>", "<style>", "<!--", "-->",
         "<![CDATA[", "]]>", "<table><tr><td>", "</td></tr></table>", "<a href='x'>", "</a>",
         "<meta charset='utf-16'>", "<?xml version='1.0' encoding='bogus'?>", "&amp;", "&#0;",
         "&#x110000;", "\x00", "\x0c", "<br/>", "<nav>", "<article>", "</article>", "<h1>",
         "Kestle Bay harbour closed after the ship ran aground. ", "“”’ café £ ",
         "<frameset>", "<svg><foreignObject>", "<template>", "<noscript>"]
    ),
    max_size=200,
).map("".join)  # fmt: skip


@FUZZ
@given(soup=TAG_SOUP)
def test_tag_soup(soup: str) -> None:
    read_bytes(soup.encode("utf-8", "surrogatepass"), ".html")
    result = extract_html(soup)
    assert isinstance(result, str) or result.text.strip()
