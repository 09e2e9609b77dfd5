"""copydesk.report_html: the self-contained HTML report, its data and its safety."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import copydesk
from copydesk import Article
from copydesk.cli import main
from copydesk.report import scan_to_dict
from copydesk.report_html import (
    attach_texts,
    embed_json,
    overview,
    render_report,
    scan_to_html,
)

HOSTILE = '</script><script>alert("x")</script>"><img src=x onerror=alert(1)><!--'
WIRE = " ".join(
    f"The river rose {i} centimetres overnight near the old stone bridge, officials said."
    for i in range(12)
)


def hostile_articles() -> list[Article]:
    return [
        Article("wire", f"{WIRE}\n\n{HOSTILE}", title=HOSTILE, url="javascript:alert(2)"),
        Article(
            "copy",
            f"Intro of our own. {WIRE}\n\n{HOSTILE}",
            title="<b>bold</b>",
            url="https://example.test/a?b=1&c=<x>",
        ),
    ]


def _data_block(page: str) -> str:
    match = re.search(r'<script type="application/json" id="scan-data">(.*?)</script>', page, re.S)
    assert match, "the page carries its data"
    return match.group(1)


def test_embedded_json_cannot_close_its_script_element() -> None:
    text = embed_json({"t": HOSTILE})
    assert "<" not in text and ">" not in text
    assert json.loads(text) == {"t": HOSTILE}


def test_article_text_reaches_the_page_only_inside_the_data_block() -> None:
    page = scan_to_html(copydesk.scan(hostile_articles()))
    block = _data_block(page)
    outside = page.replace(block, "")
    assert "onerror" not in outside and "alert" not in outside
    assert outside.count("<script") == 2  # the data block and the page's own script
    data = json.loads(block)
    assert {a["id"]: a["title"] for a in data["articles"]}["wire"] == HOSTILE
    assert all(a["text"] for a in data["articles"])


def test_only_the_pages_own_script_may_run() -> None:
    page = scan_to_html(copydesk.scan(hostile_articles()))
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert csp is not None
    policy = html.unescape(csp.group(1))
    assert "default-src 'none'" in policy and "unsafe-inline" not in policy
    hashes = re.findall(r"script-src '(sha256-[^']+)'", policy)
    assert len(hashes) == 1
    import base64
    import hashlib

    script = re.findall(r"<script>(.*?)</script>", page, re.S)
    assert len(script) == 1
    digest = base64.b64encode(hashlib.sha256(script[0].encode()).digest()).decode()
    assert hashes[0] == f"sha256-{digest}"


def test_overview_figures(seeds_dir: Path) -> None:
    data = scan_to_dict(copydesk.scan(seeds_dir))
    figures = overview(data)
    assert figures["articles"] == 5 and figures["pairs"] == len(data["pairs"]) >= 3
    assert figures["stories"] == len(data["stories"]) >= 1
    assert dict(figures["relations"])  # at least one relation counted
    assert 0 < figures["reused_share"] < 1
    page = render_report({**data, "articles": [{**a, "text": ""} for a in data["articles"]]})
    assert "<dd>5</dd>" in page


def test_texts_are_read_back_from_paths_when_the_json_lacks_them(seeds_dir: Path) -> None:
    data = scan_to_dict(copydesk.scan(seeds_dir))
    assert all("text" not in a for a in data["articles"])
    assert attach_texts(data) == []
    for article in data["articles"]:
        assert len(article["text"]) == article["chars"] > 0
    data["articles"][0]["path"] = "/nonexistent/file.txt"
    del data["articles"][0]["text"]
    (problem,) = attach_texts(data)
    assert data["articles"][0]["id"] in problem and "/nonexistent/file.txt" in problem


def test_cli_report_and_scan_html_agree(seeds_dir: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    scan_json, from_json, direct = (tmp_path / n for n in ("s.json", "a.html", "b.html"))
    args = ["scan", str(seeds_dir), "--format", "json", "-o", str(scan_json)]
    assert runner.invoke(main, args).exit_code == 0
    done = runner.invoke(main, ["report", str(scan_json), "-o", str(from_json)])
    assert done.exit_code == 0, done.output
    assert "KiB" in done.output
    done = runner.invoke(main, ["scan", str(seeds_dir), "--format", "html", "-o", str(direct)])
    assert done.exit_code == 0, done.output
    assert from_json.read_text(encoding="utf-8") == direct.read_text(encoding="utf-8")


def test_relative_paths_are_also_read_from_the_json_files_folder(
    seeds_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(seeds_dir.parent)
    data = scan_to_dict(copydesk.scan(Path(seeds_dir.name)))
    assert not Path(data["articles"][0]["path"]).is_absolute()
    monkeypatch.chdir(tmp_path)  # the report is drawn from another folder
    assert attach_texts(json.loads(json.dumps(data))) != []
    assert attach_texts(data, seeds_dir.parent) == []


def test_cli_report_to_standard_output(seeds_dir: Path, tmp_path: Path) -> None:
    scan_json = tmp_path / "s.json"
    runner = CliRunner()
    args = ["scan", str(seeds_dir), "--format", "json", "-o", str(scan_json)]
    assert runner.invoke(main, args).exit_code == 0
    done = runner.invoke(main, ["report", str(scan_json), "-o", "-"])
    assert done.exit_code == 0 and done.output.startswith("<!DOCTYPE html>")
    assert not Path("-").exists()


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        "[1, 2]",
        '{"pairs": []}',
        # the articles are there, a pair lacks its relation: no traceback, the reason
        '{"copydesk_version": "0", "articles": [{"id": "x"}], "pairs": [{"source": "x"}]}',
    ],
)
def test_cli_report_refuses_what_is_not_a_scan(tmp_path: Path, content: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content, encoding="utf-8")
    done = CliRunner().invoke(main, ["report", str(bad), "-o", str(tmp_path / "r.html")])
    assert done.exit_code == 1
    assert "not a scan JSON file" in done.output
    assert not (tmp_path / "r.html").exists()
