"""copydesk.read on HTML: main text without site chrome, metadata, encodings, limits, pairing."""

from __future__ import annotations

import codecs
import csv
import io
import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from fixtures.pages import (
    FESTIVAL_STORY,
    HARBOUR,
    LIBRARY_STORY,
    VALLEY,
    WIRE_STORY,
    Site,
    extra_chars,
    found_share,
    news_page,
    page_url,
)

import copydesk
from copydesk import read
from copydesk.model import Article, ReadError
from copydesk.read import NO_TEXT, declared_charset, extract_html, read_articles

FIXTURES = Path(__file__).parent / "fixtures"
TITLE = "Container ship aground closes Kestle Bay port"
CHROME = [
    "cookies",
    "Accept all",
    "Related stories",
    "Council approves new flood barrier",
    "Record turnout at Orrin",
    "tug budget",  # a reader's comment
    "comments",
    "Subscribe",
    "morning briefing",
    "All rights reserved",
    "Privacy policy",
    "Weather",
    "Valley news",
    "window.dataLayer",
]


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Reading must never reach out to the network."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("copydesk tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    yield


def write_page(path: Path, html: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(html.encode(encoding))
    return path


def read_one(path: Path) -> Article:
    articles, errors = read_articles([path])
    assert errors == [], [str(e) for e in errors]
    assert len(articles) == 1
    return articles[0]


def assert_no_chrome(text: str) -> None:
    for phrase in CHROME:
        assert phrase not in text, f"site chrome {phrase!r} left in the extracted text"


# --- main text and metadata --------------------------------------------------------------------


@pytest.mark.parametrize("site", [HARBOUR, VALLEY], ids=["article-layout", "div-layout"])
def test_main_text_is_the_article_and_little_else(tmp_path: Path, site: Site) -> None:
    path = write_page(tmp_path / "ship.html", news_page(site, "ship-aground", TITLE, WIRE_STORY))
    article = read_one(path)
    assert article.extracted is True
    assert found_share(WIRE_STORY, article.text) >= 0.95
    assert extra_chars(WIRE_STORY, article.text, allowed=TITLE + " By Dana Whitlock") <= 40
    assert_no_chrome(article.text)
    # one paragraph a line, a blank line between paragraphs
    assert "\n\nThe harbour authority said" in article.text


def test_metadata_is_found(tmp_path: Path) -> None:
    html = news_page(HARBOUR, "ship-aground", TITLE, WIRE_STORY, author="Dana Whitlock")
    article = read_one(write_page(tmp_path / "ship.html", html))
    assert article.id == "ship"
    assert article.path == str(tmp_path / "ship.html")
    assert article.title == TITLE
    assert article.author == "Dana Whitlock"
    assert article.published == "2024-05-14"
    assert article.canonical == page_url(HARBOUR, "ship-aground")
    assert article.url == article.canonical  # a file has no URL of its own
    assert article.source == HARBOUR.name


def test_og_url_stands_in_for_a_missing_canonical_link(tmp_path: Path) -> None:
    og = "https://harbour-post.test/news/og-ship"
    html = news_page(HARBOUR, "ship", TITLE, WIRE_STORY, canonical=None, og_url=og)
    assert read_one(write_page(tmp_path / "a.html", html)).canonical == og


def test_relative_canonical_needs_a_base(tmp_path: Path) -> None:
    html = news_page(HARBOUR, "ship", TITLE, WIRE_STORY, canonical="/news/relative-ship")
    article = read_one(write_page(tmp_path / "a.html", html))
    assert article.canonical is None and article.url is None
    page = extract_html(html, "https://harbour-post.test/some/where")
    assert not isinstance(page, str)
    assert page.canonical == "https://harbour-post.test/news/relative-ship"


def test_date_from_visible_markup_and_none_without_one(tmp_path: Path) -> None:
    body = "".join(f"<p>{p}</p>" for p in WIRE_STORY.split("\n\n"))
    dated = f'<html><body><article><time datetime="2023-11-02">2 Nov</time>{body}</article>'
    undated = f"<html><body><article>{body}</article><footer>© 2022 Somebody</footer>"
    assert read_one(write_page(tmp_path / "dated.html", dated)).published == "2023-11-02"
    # no guessing from a copyright year or from dates in the text
    assert read_one(write_page(tmp_path / "undated.html", undated)).published is None


def test_htm_and_a_folder_of_pages(tmp_path: Path) -> None:
    write_page(tmp_path / "one.htm", news_page(HARBOUR, "a", TITLE, WIRE_STORY))
    write_page(tmp_path / "two.html", news_page(VALLEY, "b", "Kites", FESTIVAL_STORY))
    (tmp_path / "notes.txt").write_text("A plain text article about nothing much.")
    articles, errors = read_articles([tmp_path])
    assert errors == []
    assert [(a.id, a.extracted) for a in articles] == [
        ("notes", False),
        ("one", True),
        ("two", True),
    ]


def test_committed_windows_1252_page() -> None:
    """A small page saved by hand in Windows-1252, declared in its meta tag."""
    path = FIXTURES / "orrin-ferry-cp1252.html"
    assert b"\x92" in path.read_bytes()  # the curly apostrophe, one byte
    article = read_one(path)
    assert "Penmorrow’s ferry" in article.text
    assert "“We are doing what we can,”" in article.text
    assert "£3" in article.text and "café" in article.text
    assert article.title == "Penmorrow ferry fares to rise by £3"
    assert article.author == "Rhian Castell"
    assert article.published == "2024-02-09"
    assert article.canonical == "https://orrin-courier.test/news/penmorrow-ferry-fares"
    assert "Cookie" not in article.text and "Most read" not in article.text


# --- records with an `html` field ----------------------------------------------------------------


def test_jsonl_html_field_with_explicit_fields_winning(tmp_path: Path) -> None:
    html = news_page(HARBOUR, "ship", TITLE, WIRE_STORY)
    records = [
        {"id": "p1", "html": html},
        {
            "id": "p2",
            "html": html,
            "title": "My own title",
            "published": "2024-05-15T06:00:00Z",
            "url": "https://mirror.test/p2",
            "source": "Mirror",
        },
        {"id": "t", "text": "Plain text wins over html.", "html": html},
    ]
    path = tmp_path / "feed.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    articles, errors = read_articles([path])
    assert errors == []
    p1, p2, t = articles
    assert p1.title == TITLE and p1.published == "2024-05-14" and p1.extracted
    assert p1.url == page_url(HARBOUR, "ship") == p1.canonical
    assert (p2.title, p2.published, p2.url, p2.source) == (
        "My own title",
        "2024-05-15T06:00:00Z",
        "https://mirror.test/p2",
        "Mirror",
    )
    assert p2.canonical == page_url(HARBOUR, "ship") and p2.author == "Dana Whitlock"
    assert found_share(WIRE_STORY, p2.text) >= 0.95
    assert t.text == "Plain text wins over html." and not t.extracted


def test_csv_html_column(tmp_path: Path) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["id", "text", "html"])
    writer.writerow(["a", "", news_page(VALLEY, "kites", "Kites return", FESTIVAL_STORY)])
    writer.writerow(["b", "Text of b.", ""])
    (tmp_path / "t.csv").write_text(buffer.getvalue(), encoding="utf-8")
    csv_only_html = tmp_path / "h.csv"
    csv_only_html.write_text(
        'id,html\nc,"<html><body><article><p>' + LIBRARY_STORY.replace("\n", " ") + '</p>"\n'
    )
    articles, errors = read_articles([tmp_path])
    assert errors == []
    by_id = {a.id: a for a in articles}
    assert found_share(FESTIVAL_STORY, by_id["a"].text) >= 0.95 and by_id["a"].extracted
    assert by_id["b"].text == "Text of b." and not by_id["b"].extracted
    assert found_share(LIBRARY_STORY, by_id["c"].text) >= 0.95


def test_record_html_errors(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    lines = [
        {"id": "empty-page", "html": "<html><body><nav><a href='/'>Home</a></nav></body></html>"},
        {"id": "not-string", "html": ["<p>"]},
        {"id": "ok", "text": "Fine."},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in lines))
    articles, errors = read_articles([path])
    assert [a.id for a in articles] == ["ok"]
    assert [(e.line, e.reason) for e in errors] == [
        (1, f"article 'empty-page': {NO_TEXT}"),
        (2, "article 'not-string': 'html' must be a string"),
    ]


# --- pages without text, too big, too complex ------------------------------------------------


@pytest.mark.parametrize(
    "html",
    [
        "<html><body></body></html>",
        "<html><head><title>Only a title</title></head><body><nav><ul><li><a href='/'>Home</a>"
        "</li></ul></nav><footer>© 2024</footer></body></html>",
        "   \n  ",
        "<!-- nothing but a comment -->",
        "<?xml version='1.0' encoding='utf-8'?>",
    ],
    ids=["empty-body", "chrome-only", "blank", "comment", "xml-declaration"],
)
def test_page_without_text_is_one_error(tmp_path: Path, html: str) -> None:
    (tmp_path / "ok.txt").write_text("Read in spite of the empty page.")
    bad = write_page(tmp_path / "empty.html", html)
    articles, errors = read_articles([tmp_path])
    assert [a.id for a in articles] == ["ok"]
    assert [str(e) for e in errors] == [f"{bad}: {NO_TEXT}"]


def test_document_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(read, "MAX_DOCUMENT_BYTES", 4096)
    big = write_page(tmp_path / "big.html", news_page(HARBOUR, "s", TITLE, WIRE_STORY))
    (tmp_path / "feed.jsonl").write_text(
        json.dumps({"id": "r", "html": news_page(VALLEY, "s", TITLE, WIRE_STORY)})
        + "\n"
        + json.dumps(
            {
                "id": "fine",
                "html": "<html><body><p>A short page of text, read all the same.</p></body></html>",
            }
        )
        + "\n"
    )
    articles, errors = read_articles([tmp_path])
    assert [a.id for a in articles] == ["fine"]
    assert len(errors) == 2
    assert errors[0].path == str(big)
    assert "HTML document too large" in errors[0].reason and "\n" not in str(errors[0])
    assert errors[1].line == 1 and "too large" in errors[1].reason


def test_element_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(read, "MAX_HTML_ELEMENTS", 50)
    path = write_page(tmp_path / "busy.html", news_page(HARBOUR, "s", TITLE, WIRE_STORY))
    articles, errors = read_articles([path])
    assert articles == []
    assert [e.reason for e in errors] == ["HTML too complex (more than 50 elements)"]


def test_an_article_deep_inside_nested_boxes_is_read_and_a_bottomless_page_refused(
    tmp_path: Path,
) -> None:
    # libxml2 cut every element past 255 levels without a word: the article was lost
    deep = tmp_path / "deep.html"
    body = "".join(f"<p>{paragraph}</p>" for paragraph in WIRE_STORY.split("\n\n"))
    deep.write_text(f"<html><body>{'<div>' * 600}{body}{'</div>' * 600}</body></html>", "utf-8")
    bottomless = tmp_path / "bottomless.html"
    bottomless.write_text(f"<html><body>{'<div>' * 5000}{body}</body></html>", "utf-8")
    articles, errors = read_articles([deep, bottomless])
    assert [a.id for a in articles] == ["deep"] and articles[0].text.split()[:4] == WIRE_STORY.split()[:4]  # noqa: E501
    assert [(e.path, e.reason) for e in errors] == [
        (str(bottomless), "HTML nested too deeply (more than 2,000 levels)")
    ]


# --- encodings ---------------------------------------------------------------------------------

CURLY_STORY = (
    "The harbour master’s “best of the bad places” remark drew smiles – even from the crew.\n\n"
    "Café owners on the quay said takings were down by £200 a day; one called it “a disaster”."
)


def curly_page(charset: str | None) -> str:
    return news_page(
        HARBOUR, "curly", "Quay café owners count the cost", CURLY_STORY, charset=charset
    )


@pytest.mark.parametrize(
    ("encoding", "declared"),
    [
        ("utf-8", "utf-8"),
        ("cp1252", "windows-1252"),
        ("cp1252", "iso-8859-1"),  # browsers read Latin-1 labels as Windows-1252
        ("cp1252", None),  # no declaration: detection
        ("utf-8", "iso-8859-1"),  # wrongly declared: valid UTF-8 wins
        ("utf-16", "utf-16"),  # byte-order mark
    ],
)
def test_page_encodings(tmp_path: Path, encoding: str, declared: str | None) -> None:
    path = write_page(tmp_path / "p.html", curly_page(declared), encoding)
    article = read_one(path)
    assert "harbour master’s “best of the bad places” remark" in article.text
    assert "£200" in article.text and "Café owners" in article.text


def test_xhtml_with_an_xml_declaration(tmp_path: Path) -> None:
    html = curly_page(None).replace(
        "<!DOCTYPE html>", "<?xml version='1.0' encoding='windows-1252'?>"
    )
    article = read_one(write_page(tmp_path / "p.xhtml.html", html, "cp1252"))
    assert "harbour master’s" in article.text


def test_declared_charset_sniffing() -> None:
    assert declared_charset(b'<html><head><meta charset="ISO-8859-15">') == "ISO-8859-15"
    assert (
        declared_charset(
            b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">'
        )
        == "windows-1252"
    )
    assert declared_charset(b"<?xml version='1.0' encoding='latin-1'?><html>") == "latin-1"
    assert declared_charset(b"<html><body>charset=utf-8 in the text</body>") is None


def test_utf16_page_with_bom_be(tmp_path: Path) -> None:
    html = curly_page("utf-16")
    path = tmp_path / "be.html"
    path.write_bytes(codecs.BOM_UTF16_BE + html.encode("utf-16-be"))
    assert "£200" in read_one(path).text


# --- offsets and pairing -----------------------------------------------------------------------


def test_same_wire_story_on_two_sites_is_paired(tmp_path: Path) -> None:
    write_page(tmp_path / "harbour.html", news_page(HARBOUR, "ship-aground", TITLE, WIRE_STORY))
    write_page(
        tmp_path / "valley.html",
        news_page(
            VALLEY, "kestle-port-closed", "Kestle Bay port shut by stranded ship", WIRE_STORY
        ),
    )
    result = copydesk.scan([tmp_path])
    assert result.errors == []
    assert len(result.pairs) == 1
    pair = result.pairs[0]
    assert {pair.source, pair.target} == {"harbour", "valley"}
    assert pair.relation in ("duplicate", "copy")
    assert min(pair.coverage_source, pair.coverage_target) >= 0.9
    texts = {r.article.id: r.article.text for r in result.articles}
    for passage in pair.passages:
        source = texts[pair.source][passage.source[0] : passage.source[1]]
        target = texts[pair.target][passage.target[0] : passage.target[1]]
        assert source.split() == target.split()  # offsets point into the extracted texts
    assert "Marisol Grey" in texts["harbour"][pair.passages[0].source[0] :]


def test_same_site_pages_sharing_only_chrome_are_not_paired(tmp_path: Path) -> None:
    write_page(tmp_path / "kites.html", news_page(HARBOUR, "kites", "Kites return", FESTIVAL_STORY))
    write_page(
        tmp_path / "library.html",
        news_page(HARBOUR, "library", "Library on Sundays", LIBRARY_STORY),
    )
    write_page(tmp_path / "ship.html", news_page(HARBOUR, "ship", TITLE, WIRE_STORY))
    result = copydesk.scan([tmp_path])
    assert result.errors == []
    assert len(result.articles) == 3
    assert result.pairs == []


def test_read_errors_keep_the_contract_shape(tmp_path: Path) -> None:
    bad = write_page(tmp_path / "x.html", "<html><body><div></div></body></html>")
    _, errors = read_articles([bad])
    assert all(isinstance(e, ReadError) and e.line is None for e in errors)
    assert str(errors[0]) == f"{bad}: {NO_TEXT}"


def test_characters_lxml_refuses_are_dropped(tmp_path: Path) -> None:
    page = "<html><body><p>Harbour \x00closed\x0c after the ship ran aground \ud800 on Tuesday."
    path = tmp_path / "feed.jsonl"
    path.write_text(json.dumps({"id": "odd", "html": page}) + "\n", encoding="utf-8")
    article = read_one(path)
    assert article.text == "Harbour closed after the ship ran aground on Tuesday."
