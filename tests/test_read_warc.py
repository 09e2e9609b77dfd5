"""copydesk.read on WARC archives: HTML responses become articles, damage is one error."""

from __future__ import annotations

import gzip
import random
import socket
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from fixtures.pages import (
    FESTIVAL_STORY,
    HARBOUR,
    LIBRARY_STORY,
    VALLEY,
    WIRE_STORY,
    Response,
    found_share,
    news_page,
    page_url,
    write_warc,
)

import copydesk
from copydesk import read
from copydesk.model import Article, ReadError
from copydesk.read import NO_TEXT, iter_articles, read_articles, url_id

TITLE = "Container ship aground closes Kestle Bay port"
SHIP_URL = page_url(HARBOUR, "2024/05/14/ship-aground")
KITES_URL = page_url(VALLEY, "kites-return")
LIBRARY_URL = page_url(VALLEY, "library-sundays?ref=home")


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("copydesk tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    yield


def crawl() -> list[Response]:
    """A small crawl: three articles among the other things a crawler stores."""
    ship = news_page(HARBOUR, "2024/05/14/ship-aground", TITLE, WIRE_STORY).encode()
    kites = news_page(VALLEY, "kites-return", "Kites return", FESTIVAL_STORY, published=None)
    library = news_page(VALLEY, "library", "Library on Sundays", LIBRARY_STORY, canonical=None)
    return [
        Response(SHIP_URL, ship),
        Response(
            "https://harbour-post.test/logo.png",
            b"\x89PNG\r\n\x1a\n\x00\x00",
            "200 OK",
            "image/png",
        ),
        Response(
            "https://harbour-post.test/gone", b"<html><body>Not here</body></html>", "404 Not Found"
        ),
        Response(
            "https://harbour-post.test/old",
            b"",
            "301 Moved Permanently",
            "text/html",
            [("Location", SHIP_URL)],
        ),  # fmt: skip
        Response(
            "https://harbour-post.test/feed.json", b'{"items": []}', "200 OK", "application/json"
        ),
        Response(
            KITES_URL,
            kites.encode("cp1252"),
            content_type="text/html; charset=windows-1252",
            warc_date="2024-06-01T10:20:30Z",
        ),  # fmt: skip
        Response(
            LIBRARY_URL, gzip.compress(library.encode()), headers=[("Content-Encoding", "gzip")]
        ),
    ]


@pytest.fixture(params=[False, True], ids=["warc", "warc.gz"])
def archive(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    name = "crawl.warc.gz" if request.param else "crawl.warc"
    return write_warc(tmp_path / name, crawl(), gzip=request.param)


def test_html_responses_become_articles(archive: Path) -> None:
    articles, errors = read_articles([archive])
    assert errors == [], [str(e) for e in errors]
    assert [a.url for a in articles] == [SHIP_URL, KITES_URL, LIBRARY_URL]
    ship, kites, library = articles
    assert [a.id for a in articles] == [
        "harbour-post.test-news-2024-05-14-ship-aground",
        "orrin-courier.test-news-kites-return",
        "orrin-courier.test-news-library-sundays-ref-home",
    ]
    assert all(a.extracted and a.path == str(archive) for a in articles)
    assert found_share(WIRE_STORY, ship.text) >= 0.95
    assert found_share(FESTIVAL_STORY, kites.text) >= 0.95
    assert found_share(LIBRARY_STORY, library.text) >= 0.95  # gzip content encoding undone
    assert "cookies" not in ship.text and "Related stories" not in ship.text
    assert ship.title == TITLE and ship.author == "Dana Whitlock"
    assert ship.published == "2024-05-14"  # from the page
    assert kites.published == "2024-06-01T10:20:30Z"  # no date in the page: the WARC-Date
    assert ship.canonical == SHIP_URL and library.canonical is None
    assert "Children’s workshops" in kites.text  # the HTTP header's charset


def test_chunked_transfer_and_deflate(tmp_path: Path) -> None:
    html = news_page(HARBOUR, "ship", TITLE, WIRE_STORY).encode()
    chunked = b"".join(
        b"%x\r\n%s\r\n" % (len(html[i : i + 700]), html[i : i + 700])
        for i in range(0, len(html), 700)
    )
    deflater = zlib.compressobj(wbits=-15)
    raw_deflate = deflater.compress(html) + deflater.flush()
    path = write_warc(
        tmp_path / "enc.warc",
        [
            Response(
                "https://a.test/chunked",
                chunked + b"0\r\n\r\n",
                headers=[("Transfer-Encoding", "chunked")],
            ),
            Response(
                "https://a.test/deflate",
                zlib.compress(html),
                headers=[("Content-Encoding", "deflate")],
            ),
            Response(
                "https://a.test/raw-deflate", raw_deflate, headers=[("Content-Encoding", "deflate")]
            ),
            Response(
                "https://a.test/bad-gzip",
                b"not gzip at all",
                headers=[("Content-Encoding", "gzip")],
            ),
            Response("https://a.test/zstd", b"(\xb5/\xfd", headers=[("Content-Encoding", "zstd")]),
        ],  # fmt: skip
        gzip=False,
    )
    articles, errors = read_articles([path])
    assert [a.url for a in articles] == [
        "https://a.test/chunked",
        "https://a.test/deflate",
        "https://a.test/raw-deflate",
    ]
    assert all(found_share(WIRE_STORY, a.text) >= 0.95 for a in articles)
    assert len(errors) == 2
    assert errors[0].reason.startswith("https://a.test/bad-gzip: cannot undo gzip")
    assert errors[1].reason == "https://a.test/zstd: unsupported content encoding 'zstd'"


def test_pages_without_text_are_errors_naming_the_url(tmp_path: Path) -> None:
    empty = b"<html><body><nav><a href='/'>Home</a></nav></body></html>"
    path = write_warc(
        tmp_path / "c.warc.gz",
        [Response("https://a.test/empty", empty), *crawl()[:1]],
        gzip=True,
    )
    articles, errors = read_articles([path])
    assert [a.url for a in articles] == [SHIP_URL]
    assert [str(e) for e in errors] == [f"{path}: https://a.test/empty: {NO_TEXT}"]


def test_ids_are_unique_in_the_run(tmp_path: Path) -> None:
    page = news_page(HARBOUR, "ship", TITLE, WIRE_STORY).encode()
    again = [
        Response("https://www.a.test/story.html", page),
        Response("https://a.test/story", page),
    ]
    first = write_warc(tmp_path / "1.warc", again, gzip=False)
    second = write_warc(tmp_path / "2.warc.gz", again[:1], gzip=True)
    articles, errors = read_articles([first, second])
    assert errors == []
    assert [a.id for a in articles] == ["a.test-story", "a.test-story-2", "a.test-story-3"]


def test_url_ids() -> None:
    assert url_id("https://www.News.test/2024/05/flood-hits-town.html") == (
        "news.test-2024-05-flood-hits-town"
    )
    assert url_id("https://a.test/") == "a.test"
    assert url_id("https://a.test/article.php?id=1234") == "a.test-article-id-1234"
    long = url_id("https://a.test/" + "word-" * 60)
    assert len(long) <= 100 and long != url_id("https://a.test/" + "word-" * 61)
    assert url_id("https://a.test/caf%C3%A9-ouvert") == "a.test-café-ouvert"


def test_folder_walk_finds_warc_files(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    write_warc(tmp_path / "sub" / "x.warc.gz", crawl()[:1], gzip=True)
    (tmp_path / "other.gz").write_bytes(gzip.compress(b"not an archive"))
    articles, errors = read_articles([tmp_path])
    assert errors == []
    assert [a.url for a in articles] == [SHIP_URL]


def test_document_size_limit_names_the_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_warc(tmp_path / "c.warc", crawl(), gzip=False)
    monkeypatch.setattr(read, "MAX_DOCUMENT_BYTES", 3000)
    articles, errors = read_articles([path])
    assert articles == []
    assert [e.reason.split(": ")[0] for e in errors] == [SHIP_URL, KITES_URL, LIBRARY_URL]
    assert all("HTML document too large" in e.reason for e in errors)  # gzip bombs too


# --- damage ----------------------------------------------------------------------------------


def positions(path: Path) -> list[int]:
    """Where each record of an uncompressed WARC file starts."""
    data = path.read_bytes()
    starts, at = [], data.find(b"WARC/1.")
    while at >= 0:
        starts.append(at)
        at = data.find(b"\r\n\r\nWARC/1.", at + 1)
        at = at + 4 if at >= 0 else -1
    return starts


@pytest.mark.parametrize("compressed", [False, True], ids=["warc", "warc.gz"])
@pytest.mark.parametrize("where", [0.1, 0.35, 0.5, 0.65, 0.8, 0.95, 0.999])
def test_truncated_archive_gives_the_records_before_and_one_error(
    tmp_path: Path, compressed: bool, where: float
) -> None:
    full = write_warc(
        tmp_path / ("full.warc" + (".gz" if compressed else "")), crawl(), gzip=compressed
    )
    whole = [a.url for a in read_articles([full])[0]]
    data = full.read_bytes()
    cut = tmp_path / ("cut.warc" + (".gz" if compressed else ""))
    cut.write_bytes(data[: int(len(data) * where)])
    items = list(iter_articles([cut]))
    articles = [i for i in items if isinstance(i, Article)]
    errors = [i for i in items if isinstance(i, ReadError)]
    assert [a.url for a in articles] == whole[: len(articles)]
    assert len(errors) == 1, [str(e) for e in errors]
    assert errors[0].path == str(cut)
    assert "truncated or damaged WARC" in errors[0].reason or "damaged WARC" in errors[0].reason
    assert "\n" not in str(errors[0])


def test_archive_cut_inside_a_record_header_is_noticed(tmp_path: Path) -> None:
    full = write_warc(tmp_path / "full.warc", crawl(), gzip=False)
    data = full.read_bytes()
    last = positions(full)[-1]
    for cut_at in (last + 10, last + 60):  # fastwarc stops quietly here
        cut = tmp_path / f"cut{cut_at}.warc"
        cut.write_bytes(data[:cut_at])
        items = list(iter_articles([cut]))
        assert [i.url for i in items if isinstance(i, Article)] == [
            SHIP_URL,
            KITES_URL,
            LIBRARY_URL,
        ]
        errors = [i for i in items if isinstance(i, ReadError)]
        assert len(errors) == 1 and "is not a whole WARC record" in errors[0].reason


def test_corrupt_bytes_mid_archive(tmp_path: Path) -> None:
    full = write_warc(tmp_path / "full.warc.gz", crawl(), gzip=True)
    data = bytearray(full.read_bytes())
    middle = len(data) * 2 // 3
    data[middle : middle + 40] = b"\x00" * 40
    bad = tmp_path / "bad.warc.gz"
    bad.write_bytes(bytes(data))
    items = list(iter_articles([bad]))
    errors = [i for i in items if isinstance(i, ReadError)]
    assert len(errors) == 1 and errors[0].path == str(bad)
    urls = [i.url for i in items if isinstance(i, Article)]
    assert urls == [SHIP_URL, KITES_URL, LIBRARY_URL][: len(urls)]


def test_damage_inside_a_record_counts_only_the_records_before(tmp_path: Path) -> None:
    """fastwarc reads a long payload lazily, so the damage shows while the record is read."""
    noise = random.Random(3).randbytes(300_000).hex()  # incompressible: gzip keeps its length
    long_page = news_page(VALLEY, "long", "Long page", LIBRARY_STORY).replace(
        "</body>", f"<!-- {noise} --></body>"
    )
    pages = crawl()
    responses = [pages[0], pages[5], Response(page_url(VALLEY, "long"), long_page.encode())]
    full = write_warc(tmp_path / "full.warc.gz", responses, gzip=True, extras=False)
    data = bytearray(full.read_bytes())
    data[-5000:-4960] = b"\x00" * 40  # inside the long page's payload
    bad = tmp_path / "bad.warc.gz"
    bad.write_bytes(bytes(data))
    items = list(iter_articles([bad]))
    assert [i.url for i in items if isinstance(i, Article)] == [SHIP_URL, KITES_URL]
    errors = [i for i in items if isinstance(i, ReadError)]
    assert len(errors) == 1  # the warcinfo record and the two pages were read whole
    assert errors[0].reason.startswith("damaged WARC after 3 whole records (")


def test_trailing_garbage_after_whole_records(tmp_path: Path) -> None:
    full = write_warc(tmp_path / "g.warc", crawl(), gzip=False)
    full.write_bytes(full.read_bytes() + b"\r\n\r\nthis is not a record\n")
    items = list(iter_articles([full]))
    assert len([i for i in items if isinstance(i, Article)]) == 3
    assert len([i for i in items if isinstance(i, ReadError)]) == 1


def test_single_gzip_stream_archive_is_fine(tmp_path: Path) -> None:
    plain = write_warc(tmp_path / "p.warc", crawl(), gzip=False)
    whole = tmp_path / "one-stream.warc.gz"
    whole.write_bytes(gzip.compress(plain.read_bytes()))
    articles, errors = read_articles([whole])
    assert errors == []
    assert [a.url for a in articles] == [SHIP_URL, KITES_URL, LIBRARY_URL]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("text.warc", b"hello, this is not an archive\n" * 20),
        ("random.warc.gz", gzip.compress(b"\x01\x02 not warc")),
        ("html.warc", b"<html><body>A web page saved under the wrong name</body></html>"),
    ],
)
def test_not_a_warc_file(tmp_path: Path, name: str, content: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    articles, errors = read_articles([path])
    assert articles == []
    assert [e.reason for e in errors] == [
        "not a WARC file (it does not start with a WARC/1.x record)"
    ]


def test_archive_with_no_html_responses(tmp_path: Path) -> None:
    path = write_warc(tmp_path / "imgs.warc", crawl()[1:3], gzip=False)
    articles, errors = read_articles([path])
    assert articles == []
    assert [e.reason for e in errors] == ["holds no article"]


# --- pairing -----------------------------------------------------------------------------------


def test_wire_story_on_two_sites_is_paired_and_chrome_is_not(tmp_path: Path) -> None:
    pages = [
        Response(page_url(HARBOUR, "ship"), news_page(HARBOUR, "ship", TITLE, WIRE_STORY).encode()),
        Response(
            page_url(VALLEY, "port-shut"),
            news_page(VALLEY, "port-shut", "Stranded ship shuts Kestle port", WIRE_STORY).encode(),
        ),
        Response(
            page_url(HARBOUR, "kites"),
            news_page(HARBOUR, "kites", "Kites", FESTIVAL_STORY).encode(),
        ),
        Response(
            page_url(HARBOUR, "library"),
            news_page(HARBOUR, "library", "Library", LIBRARY_STORY).encode(),
        ),
    ]
    path = write_warc(tmp_path / "day.warc.gz", pages, gzip=True)
    result = copydesk.scan([path])
    assert result.errors == []
    assert [(p.source, p.target) for p in result.pairs] in (
        [("harbour-post.test-news-ship", "orrin-courier.test-news-port-shut")],
        [("orrin-courier.test-news-port-shut", "harbour-post.test-news-ship")],
    )
    pair = result.pairs[0]
    assert pair.relation in ("duplicate", "copy")
    texts = {r.article.id: r.article.text for r in result.articles}
    for passage in pair.passages:
        a = texts[pair.source][passage.source[0] : passage.source[1]]
        b = texts[pair.target][passage.target[0] : passage.target[1]]
        assert a.split() == b.split()
