"""copydesk.read: every supported input kind, and every bad input as exactly one ReadError."""

from __future__ import annotations

import codecs
import errno
import io
import json
import os
import random
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from copydesk.model import Article, ReadError
from copydesk.read import iter_articles, parse_date, read_articles

GOOD = {"id": "good", "text": "A perfectly ordinary article about the harbour."}


def write_jsonl(path: Path, *records: object) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


# --- good inputs -------------------------------------------------------------------------------


def test_txt_is_one_article_named_after_the_file(tmp_path: Path) -> None:
    text = "Héadline\n\nFirst paragraph — with “quotes”.\n\n\n"
    (tmp_path / "story-1.txt").write_text(text, encoding="utf-8")
    articles, errors = read_articles([tmp_path / "story-1.txt"])
    assert errors == []
    assert [a.id for a in articles] == ["story-1"]
    assert articles[0].text == text  # as read: trailing blank lines kept, offsets point here
    assert articles[0].path == str(tmp_path / "story-1.txt")


def test_txt_keeps_crlf_and_drops_only_the_utf8_bom(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(codecs.BOM_UTF8 + b"one\r\ntwo\r\n")
    articles, errors = read_articles([tmp_path / "a.txt"])
    assert errors == []
    assert articles[0].text == "one\r\ntwo\r\n"


def test_jsonl_fields(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "feed.jsonl",
        {
            "id": "a",
            "text": "Alpha text.",
            "title": "Alpha",
            "source": "Wire",
            "url": "https://wire.test/a",
            "published": "2026-03-14T06:10:00Z",
            "author": "Ann",
            "ignored": [1, 2],
        },
        {"id": 7, "text": "Numeric id.", "title": "", "published": "2026-03-18"},
    )
    articles, errors = read_articles([path])
    assert errors == []
    a, b = articles
    assert (a.id, a.title, a.source, a.url, a.published, a.author) == (
        "a", "Alpha", "Wire", "https://wire.test/a", "2026-03-14T06:10:00Z", "Ann",
    )  # fmt: skip
    assert b.id == "7" and b.title is None and b.published == "2026-03-18"
    assert a.path == b.path == str(path)


def test_json_array(tmp_path: Path) -> None:
    path = tmp_path / "many.json"
    path.write_text(json.dumps([{"id": "x", "text": "X."}, {"id": "y", "text": "Y."}]))
    articles, errors = read_articles([path])
    assert errors == []
    assert [(a.id, a.text) for a in articles] == [("x", "X."), ("y", "Y.")]


def test_json_single_object(tmp_path: Path) -> None:
    path = tmp_path / "one.json"
    path.write_text(json.dumps({"id": "solo", "text": "Just one.", "source": "S"}, indent=2))
    articles, errors = read_articles([path])
    assert errors == []
    assert [(a.id, a.source) for a in articles] == [("solo", "S")]


def test_json_file_holding_json_lines(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "lines.json", {"id": "l1", "text": "One."}, GOOD)
    articles, errors = read_articles([path])
    assert errors == []
    assert [a.id for a in articles] == ["l1", "good"]


def test_json_array_item_error_names_the_item(tmp_path: Path) -> None:
    path = tmp_path / "many.json"
    path.write_text(json.dumps([GOOD, {"id": "no-text"}]))
    articles, errors = read_articles([path])
    assert [a.id for a in articles] == ["good"]
    assert len(errors) == 1
    assert errors[0].path == str(path) and "item 2" in errors[0].reason
    assert "text" in errors[0].reason


def test_csv_with_a_multiline_quoted_cell(tmp_path: Path) -> None:
    path = tmp_path / "table.csv"
    path.write_text(
        "id,title,text,published\n"
        'm,Multi,"First line, with a comma.\n\nSecond ""quoted"" paragraph.",2026-01-02\n'
        "s,Single,Plain text.,\n",
        encoding="utf-8",
    )
    articles, errors = read_articles([path])
    assert errors == []
    assert [a.id for a in articles] == ["m", "s"]
    assert articles[0].text == 'First line, with a comma.\n\nSecond "quoted" paragraph.'
    assert articles[0].published == "2026-01-02"
    assert articles[1].published is None


def test_csv_error_line_is_where_the_record_starts(tmp_path: Path) -> None:
    path = tmp_path / "table.csv"
    path.write_text(
        'id,text,published\n"ok","one\ntwo",\n"late","three\nfour\nfive",not-a-date\n',
        encoding="utf-8",
    )
    articles, errors = read_articles([path])
    assert [a.id for a in articles] == ["ok"]
    assert [(e.path, e.line) for e in errors] == [(str(path), 4)]
    assert "not-a-date" in errors[0].reason


def test_csv_row_with_more_fields_than_the_header_is_an_error(tmp_path: Path) -> None:
    """Extra fields would be dropped; a short row keeps what it has, and an empty trailing field
    loses nothing."""
    path = tmp_path / "table.csv"
    path.write_text(
        "id,text,title\n"
        "r1,One.,t\n"
        'r2,"Two.",t,\n'  # a trailing comma: accepted
        'r3,"x",t,extra,more\n'  # two fields more: not read
        "r4,Four.\n"  # no title: accepted
        "r5\n",  # no text: the error says the row is short
        encoding="utf-8",
    )
    articles, errors = read_articles([path])
    assert [(a.id, a.title) for a in articles] == [("r1", "t"), ("r2", "t"), ("r4", None)]
    assert [str(e) for e in errors] == [
        f"{path}:4: 5 fields, the header has 3",
        f"{path}:6: article 'r5' has no 'text' (1 field, the header has 3)",
    ]


def test_folder_is_read_recursively_skipping_hidden_and_unknown_files(tmp_path: Path) -> None:
    (tmp_path / "b.txt").write_text("Bee.")
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    (tmp_path / "sub" / "a.txt").write_text("Ay.")
    write_jsonl(tmp_path / "sub" / "deeper" / "feed.jsonl", {"id": "c", "text": "See."})
    (tmp_path / ".hidden.txt").write_text("Hidden file.")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "inside.txt").write_text("Inside a hidden folder.")
    (tmp_path / "notes.md").write_text("Not an article.")
    (tmp_path / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    articles, errors = read_articles([tmp_path])
    assert errors == []
    assert sorted(a.id for a in articles) == ["a", "b", "c"]


def test_folder_walk_reports_broken_links_and_loops(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.txt").write_text("Ay.")
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "gone.txt")
    (tmp_path / "loop1").symlink_to(tmp_path / "loop2")
    (tmp_path / "loop2").symlink_to(tmp_path / "loop1")
    (tmp_path / "sub" / "up").symlink_to("..")  # a link back up must not be walked again
    articles, errors = read_articles([tmp_path])
    assert [a.path for a in articles] == [str(tmp_path / "sub" / "a.txt")]
    assert [(Path(e.path).name, e.reason.split(" (")[0]) for e in errors] == [
        ("dangling.txt", "broken symbolic link"),
        ("loop1", "symbolic link loop"),
        ("loop2", "symbolic link loop"),
        ("up", f"symbolic link to {tmp_path.resolve()}, a folder above it: not followed"),
    ]


def test_looping_symlink_named_directly_is_no_missing_file(tmp_path: Path) -> None:
    (tmp_path / "loop1").symlink_to(tmp_path / "loop2")
    (tmp_path / "loop2").symlink_to(tmp_path / "loop1")
    (tmp_path / "dangling.txt").symlink_to("gone.txt")
    _, errors = read_articles([tmp_path / "loop1", tmp_path / "dangling.txt"])
    assert [e.reason for e in errors] == [
        "symbolic link loop (the links lead back to each other)",
        "broken symbolic link (its target gone.txt does not exist)",
    ]


def test_folder_reached_through_two_links_is_read_once(tmp_path: Path) -> None:
    outside, tree = tmp_path / "outside", tmp_path / "tree"
    outside.mkdir()
    tree.mkdir()
    (outside / "o.txt").write_text("Outside the tree.")
    (tree / "later").symlink_to(outside)
    (tree / "latest").symlink_to(outside)
    articles, errors = read_articles([tree])
    assert errors == []
    assert [a.path for a in articles] == [str(tree / "later" / "o.txt")]


def test_unreadable_folder_is_one_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "b.txt").write_text("Behind a lock.")
    (tmp_path / "a.txt").write_text("Ay.")
    scandir = os.scandir

    def refuse_locked(path: str | os.PathLike[str]) -> object:
        if Path(path) == locked:  # chmod cannot lock out root, so refuse it here
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", refuse_locked)
    articles, errors = read_articles([tmp_path])
    assert [a.id for a in articles] == ["a"]
    assert [str(e) for e in errors] == [f"{locked}: cannot read folder: Permission denied"]


def test_folder_order_is_stable(tmp_path: Path) -> None:
    for name in ["z", "m", "a"]:
        (tmp_path / f"{name}.txt").write_text(f"Text {name}.")
    first = [a.id for a in read_articles([tmp_path])[0]]
    assert first == [a.id for a in read_articles([tmp_path])[0]] == ["a", "m", "z"]


def test_dash_reads_jsonl_from_stdin(tmp_path: Path) -> None:
    (tmp_path / "f.txt").write_text("From a file.")
    stdin = io.BytesIO(b'{"id": "s1", "text": "From stdin."}\n\n{"id": "s2", "text": "Two."}\n')
    articles, errors = read_articles([tmp_path / "f.txt", "-"], stdin=stdin)
    assert errors == []
    assert [(a.id, a.path) for a in articles] == [
        ("f", str(tmp_path / "f.txt")),
        ("s1", "<stdin>"),
        ("s2", "<stdin>"),
    ]


def test_stdin_errors_carry_line_numbers() -> None:
    stdin = io.BytesIO(b'{"id": "s1", "text": "ok"}\nnot json\n')
    articles, errors = read_articles(["-"], stdin=stdin)
    assert [a.id for a in articles] == ["s1"]
    assert [(e.path, e.line) for e in errors] == [("<stdin>", 2)]


def test_utf16_with_bom_is_decoded(tmp_path: Path) -> None:
    text = "Zoë’s café reopened — at last.\n"
    (tmp_path / "le.txt").write_bytes(text.encode("utf-16"))  # BOM + native order
    (tmp_path / "be.txt").write_bytes(codecs.BOM_UTF16_BE + text.encode("utf-16-be"))
    (tmp_path / "feed.jsonl").write_bytes(
        (json.dumps({"id": "j", "text": text}, ensure_ascii=False) + "\n").encode("utf-16")
    )
    (tmp_path / "t.csv").write_bytes(f'id,text\nc,"{text}"\n'.encode("utf-16"))
    articles, errors = read_articles([tmp_path])
    assert errors == []
    assert {a.id: a.text for a in articles} == {"le": text, "be": text, "j": text, "c": text}


def test_utf16_without_bom_is_decoded(tmp_path: Path) -> None:
    text = "Zoë’s café reopened — at last.\nSecond line.\n"
    (tmp_path / "le.txt").write_bytes(text.encode("utf-16-le"))
    (tmp_path / "be.txt").write_bytes(text.encode("utf-16-be"))
    record = json.dumps({"id": "j", "text": text}, ensure_ascii=False) + "\n"
    (tmp_path / "feed.jsonl").write_bytes(record.encode("utf-16-le"))
    (tmp_path / "t.csv").write_bytes(f'id,text\nc,"{text}"\n'.encode("utf-16-be"))
    # 16-bit numbers below 256 keep the same NUL pattern, but they read as control characters
    (tmp_path / "numbers.txt").write_bytes(
        bytes(range(1, 40)).decode("latin-1").encode("utf-16-le")
    )
    articles, errors = read_articles([tmp_path])
    assert {a.id: a.text for a in articles} == {"le": text, "be": text, "j": text, "c": text}
    assert [(Path(e.path).name, e.reason) for e in errors] == [
        ("numbers.txt", "binary file (contains NUL bytes), not text")
    ]


CURLY = "“It’s a disaster,” said the mayor – who had warned of this… for years. Cost: £12m.\n"


@pytest.mark.parametrize(
    ("encoding", "text"),
    [
        ("cp1252", CURLY),
        ("cp1252", "L’été à Montréal: «Ça va?» — naïve cœur, 50 €.\n"),
        ("latin-1", "Le café crème coûte deux euros à Paris, déclare le gérant.\n"),
        ("latin-1", "Größere Straßen in München wurden überflutet.\n"),
        ("cp1252", "¿Dónde está el niño? ¡Mañana!"),
        ("utf-32", "Zoë’s café — UTF-32 with its byte-order mark.\n"),
        ("utf-8-sig", "Zoë’s café — UTF-8 with a byte-order mark.\n"),
        ("cp1251", "Президент сказал, что улицы были затоплены рекой после дождя.\n"),
        ("cp1253", "Ο πρόεδρος είπε ότι οι δρόμοι πλημμύρισαν από το ποτάμι.\n"),
        ("cp1250", "Zażółć gęślą jaźń. Prezydent powiedział, że ulice zostały zalane.\n"),
    ],
)
def test_txt_in_other_encodings_is_decoded(tmp_path: Path, encoding: str, text: str) -> None:
    (tmp_path / "story.txt").write_bytes(text.encode(encoding))
    articles, errors = read_articles([tmp_path / "story.txt"])
    assert errors == []
    assert articles[0].text == text


def test_windows_1252_jsonl_and_csv(tmp_path: Path) -> None:
    utf8_line = json.dumps({"id": "u", "text": "Plain UTF-8 “line”."}, ensure_ascii=False)
    cp_line = json.dumps({"id": "w", "text": CURLY, "title": "Café"}, ensure_ascii=False)
    (tmp_path / "mixed.jsonl").write_bytes(
        utf8_line.encode("utf-8") + b"\n" + cp_line.encode("cp1252") + b"\n"
    )
    (tmp_path / "t.csv").write_bytes(f'id,text\nc,"{CURLY}"\n'.encode("cp1252"))
    (tmp_path / "all.json").write_bytes(
        json.dumps([{"id": "j", "text": CURLY}], ensure_ascii=False).encode("cp1252")
    )
    articles, errors = read_articles([tmp_path])
    assert errors == []
    by_id = {a.id: a for a in articles}
    assert by_id["u"].text == "Plain UTF-8 “line”."
    assert by_id["w"].text == CURLY and by_id["w"].title == "Café"
    assert by_id["c"].text == CURLY
    assert by_id["j"].text == CURLY


def test_utf8_with_one_stray_byte_stays_utf8(tmp_path: Path) -> None:
    good = "Zoë’s café reopened — at last, said the owner of the “Ellwater Tea Room”. " * 3
    (tmp_path / "a.txt").write_bytes(good.encode("utf-8") + b"\xff and the end.")
    articles, errors = read_articles([tmp_path / "a.txt"])
    assert errors == []
    assert articles[0].text == good + "\ufffd and the end."


@pytest.mark.parametrize("value", ["2026-03-14", "2026-03-14T06:10:00Z", "2026-03-14T06:10+02:00"])
def test_parse_date_accepts_iso_8601(value: str) -> None:
    parsed = parse_date(value)
    assert parsed is not None and parsed.tzinfo is not None


def test_parse_date_naive_is_utc_and_order_holds() -> None:
    naive, aware = parse_date("2026-03-14T06:10:00"), parse_date("2026-03-14T07:00:00+00:00")
    assert naive is not None and aware is not None and naive < aware


# --- bad inputs: one ReadError each, the good article still read -------------------------------


def _bad_cases() -> list[tuple[str, str, bytes, int | None, str]]:
    """(case, file name, content, expected line, words the reason must contain)."""
    good_line = json.dumps(GOOD).encode()

    def jsonl(*lines: bytes) -> bytes:
        return b"\n".join(lines) + b"\n"

    return [
        ("binary", "blob.txt", b"GIF89a\x00\x01\x02\x00binary", None, "binary"),
        ("empty", "empty.txt", b"", None, "empty"),
        ("whitespace", "blank.txt", b"  \n\t\n\n", None, "empty"),
        ("undecodable", "junk.txt", b"\x01\x02\x03\x04\xff\xfe\x80" * 20, None, "utf-8"),
        ("binary without nul", "pic.txt", b"GIF89a\x01\x02\xff\x03binary", None, "binary"),
        ("malformed json", "feed.jsonl", jsonl(b'{"id": "x", "text": ', good_line), 1, "json"),
        ("missing text", "feed.jsonl", jsonl(good_line, b'{"id": "x"}'), 2, "text"),
        ("missing id", "feed.jsonl", jsonl(b'{"text": "No id."}', good_line), 1, "id"),
        ("blank id", "feed.jsonl", jsonl(b'{"id": " ", "text": "t"}', good_line), 1, "id"),
        ("non-object", "feed.jsonl", jsonl(good_line, b'["id", "text"]'), 2, "object"),
        ("null line", "feed.jsonl", jsonl(b"null", good_line), 1, "object"),
        ("text not string", "feed.jsonl", jsonl(b'{"id": "x", "text": 5}', good_line), 1, "text"),
        (
            "bad date",
            "feed.jsonl",
            jsonl(good_line, b'{"id": "x", "text": "t", "published": "yesterday"}'),
            2,
            "published",
        ),
        (
            "undecodable line",
            "feed.jsonl",
            jsonl(good_line, b'{"id": "\x01\x02\x03\x04\xff\xfe\x80\x81"}'),
            2,
            "utf-8",
        ),
        (
            "deep nesting",
            "feed.jsonl",
            jsonl(b"[" * 100_000 + b"]" * 100_000, good_line),
            1,
            "json",
        ),
        ("binary jsonl", "blob.jsonl", b"\x00\x01\n\x02\n\x03\x00\n{}\n", None, "binary"),
        ("whitespace jsonl", "blank.jsonl", b"\n  \n\n", None, "no article"),
        ("empty json array", "none.json", b"[]", None, "no article"),
        ("csv without text column", "t.csv", b"id,body\na,b\n", None, "text"),
        ("csv header only", "t.csv", b"id,text\n", None, "no article"),
        ("csv missing id", "t.csv", b'id,text\n,"orphan"\n', 2, "id"),
    ]


@pytest.mark.parametrize(
    ("name", "content", "line", "words"),
    [case[1:] for case in _bad_cases()],
    ids=[case[0] for case in _bad_cases()],
)
def test_bad_input_is_one_error_and_the_rest_is_read(
    tmp_path: Path, name: str, content: bytes, line: int | None, words: str
) -> None:
    write_jsonl(tmp_path / "ok.jsonl", {"id": "fine", "text": "Read in spite of the bad file."})
    bad = tmp_path / name
    bad.write_bytes(content)
    articles, errors = read_articles([tmp_path])
    assert "fine" in [a.id for a in articles]
    assert len(errors) == 1, [str(e) for e in errors]
    error = errors[0]
    assert error.path == str(bad)
    assert error.line == line
    assert words in error.reason.lower()
    where = f"{bad}:{line}" if line is not None else str(bad)
    assert str(error).startswith(where + ": ")


def test_duplicate_id_across_files_names_both(tmp_path: Path) -> None:
    first = write_jsonl(tmp_path / "a.jsonl", {"id": "same", "text": "First."})
    second = write_jsonl(tmp_path / "b.jsonl", {"id": "same", "text": "Second."}, GOOD)
    articles, errors = read_articles([first, second])
    assert [(a.id, a.text) for a in articles] == [("same", "First."), ("good", GOOD["text"])]
    assert len(errors) == 1
    assert errors[0].path == str(second)
    assert "same" in errors[0].reason and str(first) in errors[0].reason


def test_txt_and_jsonl_ids_collide(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("A text file whose id is good.")
    write_jsonl(tmp_path / "z.jsonl", GOOD)
    articles, errors = read_articles([tmp_path])
    assert [a.path for a in articles] == [str(tmp_path / "good.txt")]
    assert len(errors) == 1 and "duplicate" in errors[0].reason


def test_unsupported_extension_given_explicitly(tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    path.write_text("# not an article")
    articles, errors = read_articles([path, write_jsonl(tmp_path / "ok.jsonl", GOOD)])
    assert [a.id for a in articles] == ["good"]
    assert len(errors) == 1
    assert errors[0].path == str(path) and ".md" in errors[0].reason


def test_missing_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope" / "gone.txt"
    articles, errors = read_articles([missing, write_jsonl(tmp_path / "ok.jsonl", GOOD)])
    assert [a.id for a in articles] == ["good"]
    assert [e.path for e in errors] == [str(missing)]
    assert "no such" in errors[0].reason


def test_each_bad_line_is_its_own_error(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    path.write_text(
        'oops\n{"id": "a", "text": "A."}\n{"id": "b"}\n\n[]\n{"id": "c", "text": "C."}\n'
    )
    articles, errors = read_articles([path])
    assert [a.id for a in articles] == ["a", "c"]
    assert [e.line for e in errors] == [1, 3, 5]


def test_json_error_names_the_problem_once() -> None:
    stdin = io.BytesIO(b'{"id": "a", "text": "bad \x01 control"}\n')
    _, errors = read_articles(["-"], stdin=stdin)
    assert [e.reason for e in errors] == ["malformed JSON (Invalid control character at column 26)"]


def test_misnamed_text_file_is_one_error_and_its_records_are_read(tmp_path: Path) -> None:
    path = tmp_path / "notes.jsonl"
    prose = "".join(f"Line {n} of a plain text file, not JSON.\n" for n in range(500))
    path.write_text(prose + json.dumps(GOOD) + "\n" + prose, encoding="utf-8")
    articles, errors = read_articles([path])
    assert [a.id for a in articles] == ["good"]
    assert [str(e) for e in errors] == [
        f"{path}: not JSON lines: 1,000 of 1,001 lines are not JSON "
        "(line 1: malformed JSON (Expecting value at column 1))"
    ]


def test_random_bytes_on_stdin_are_one_error() -> None:
    noise = random.Random(7).randbytes(300_000)
    articles, errors = read_articles(["-"], stdin=io.BytesIO(noise))
    assert articles == []
    assert len(errors) == 1 and errors[0].reason.startswith("not JSON lines: ")


def test_errors_past_the_cap_are_counted_in_one_line(tmp_path: Path) -> None:
    lines = []
    for n in range(60):
        lines.append(json.dumps({"id": f"ok{n}", "text": "Fine."}))
        lines.append('{"id": "broken", "text": ' if n % 2 else json.dumps({"id": f"x{n}"}))
    path = tmp_path / "feed.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    articles, errors = read_articles([path])
    assert [a.id for a in articles] == [f"ok{n}" for n in range(60)]
    assert [e.line for e in errors[:20]] == list(range(2, 42, 2))
    assert [str(e) for e in errors[20:]] == [
        f"{path}: ... and 40 more errors (only the first 20 are shown)"
    ]


# --- property: whatever the bytes, reading never raises ---------------------------------------

#: pieces of JSON, CSV and encodings that random bytes alone would rarely hit
TOKENS = b'{"id": | "x" | "text" |:|,|}|\n|"|id,text|\xff|\x00|\r\n|\xfe\xff|[|]'.split(b"|")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.one_of(
        st.binary(max_size=400),
        st.text(max_size=200).map(lambda t: t.encode("utf-8")),
        st.lists(st.sampled_from(TOKENS), max_size=30).map(b"".join),
    ),
    suffix=st.sampled_from([".txt", ".jsonl", ".json", ".csv"]),
)
def test_random_bytes_never_raise(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(data)
        items = list(iter_articles([path]))
    assert items, "a file always yields an article or says why not"
    for item in items:
        assert isinstance(item, (Article, ReadError))
        if isinstance(item, Article):
            assert isinstance(item.text, str) and item.text.strip()
            assert isinstance(item.id, str) and item.id
        else:
            assert item.path == str(path) and item.reason


def test_json_lines_of_any_size_stream(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A JSON lines file is read a line at a time: only each line is bounded, not the file
    (a corpus of a hundred thousand articles is half a gigabyte)."""
    from copydesk import read

    monkeypatch.setattr(read, "MAX_FILE_BYTES", 2000)
    lines = [json.dumps({"id": f"a{i}", "text": f"Article number {i}. " * 20}) for i in range(20)]
    big = tmp_path / "big.jsonl"
    big.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert big.stat().st_size > 2000
    articles, errors = read_articles([big])
    assert [a.id for a in articles] == [f"a{i}" for i in range(20)] and errors == []
    # Read whole, so still bounded: a .json array, and JSON lines in UTF-16.
    (tmp_path / "big.json").write_text("[" + ",".join(lines) + "]", encoding="utf-8")
    (tmp_path / "wide.jsonl").write_bytes("\n".join(lines).encode("utf-16"))
    articles, errors = read_articles([tmp_path / "big.json", tmp_path / "wide.jsonl"])
    assert articles == []
    assert sorted(Path(e.path).name for e in errors) == ["big.json", "wide.jsonl"]
    assert all("too large" in e.reason for e in errors)
