"""The web service: routes, API key, hostile requests, and a real uvicorn under concurrent load."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from copydesk import Article
from copydesk.read import read_articles

try:
    import httpx
    from fastapi.testclient import TestClient

    from copydesk.serve import create_app
except ImportError as exc:  # the web extra is missing
    if os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}:
        raise
    pytest.skip(f"the web extra is not installed ({exc})", allow_module_level=True)

KEY = "test-key"
WRITE = {"X-API-Key": KEY}
LIMIT = 256 * 1024


def _record(a: Article) -> dict[str, Any]:
    fields = ("id", "text", "title", "source", "url", "published", "author")
    return {k: getattr(a, k) for k in fields if getattr(a, k) is not None}


@pytest.fixture(scope="module")
def examples(examples_dir: Path) -> list[Article]:
    articles, _ = read_articles([examples_dir])
    return articles


@pytest.fixture()
def client(tmp_path: Path, examples: list[Article]) -> Iterator[TestClient]:
    app = create_app(tmp_path / "i.db", api_key=KEY, max_body_bytes=LIMIT)
    with TestClient(app) as test_client:
        indexed = [_record(a) for a in examples if a.id != "gazette-flood"]
        response = test_client.post("/articles", json=indexed, headers=WRITE)
        assert response.status_code == 200, response.text
        yield test_client


def test_post_adds_replaces_and_ignores_repeats(
    client: TestClient, examples: list[Article]
) -> None:
    gazette = _record(next(a for a in examples if a.id == "gazette-flood"))
    added = client.post("/articles", json=gazette, headers=WRITE).json()
    assert added["added"] == ["gazette-flood"]
    assert {(p["source"], p["relation"]) for p in added["pairs"]} >= {("wire-flood", "copy")}
    again = client.post("/articles", json=gazette, headers=WRITE).json()
    assert again["unchanged"] == ["gazette-flood"] and again["pairs"] == []
    changed = client.post(
        "/articles", json={"id": "gazette-flood", "text": "A short unrelated note."}, headers=WRITE
    ).json()
    assert changed["replaced"] == ["gazette-flood"] and changed["pairs"] == []
    assert client.get("/articles/gazette-flood/reuse").json()["pairs"] == []
    assert client.get("/health").json()["articles"] == len(examples)


def test_writes_need_the_key_reads_do_not(client: TestClient) -> None:
    one = {"id": "k1", "text": "Some text to add to the index for the key test."}
    assert client.post("/articles", json=one).status_code == 401
    wrong = client.post("/articles", json=one, headers={"X-API-Key": "nope"})
    assert wrong.status_code == 401 and "API key" in wrong.json()["detail"]
    bearer = client.post("/articles", json=one, headers={"Authorization": f"Bearer {KEY}"})
    assert bearer.status_code == 200
    assert client.get("/articles/k1").status_code == 200
    assert client.post("/check", json={"text": "Checking needs no key."}).status_code == 200


def test_articles_listing_and_one_article(client: TestClient, examples: list[Article]) -> None:
    listing = client.get("/articles", params={"limit": 3, "offset": 1}).json()
    assert listing["total"] == len(examples) - 1 and len(listing["articles"]) == 3
    wire = client.get("/articles/wire-flood").json()
    assert wire["id"] == "wire-flood" and wire["text"].startswith("DUNMERE")
    assert wire["reused_fraction"] > 0.5 and wire["story"] == "s1"
    daily = client.get("/articles/daily-flood").json()
    assert any(r["reason"] == "boilerplate" for r in daily["removed"])
    missing = client.get("/articles/no-such-id")
    assert missing.status_code == 404 and "no-such-id" in missing.json()["detail"]
    assert client.get("/articles", params={"limit": 0}).status_code == 422


def test_reuse_pairs_and_stories(client: TestClient) -> None:
    reuse = client.get("/articles/wire-flood/reuse").json()
    others = {p["target"] for p in reuse["pairs"]} | {p["source"] for p in reuse["pairs"]}
    assert {"daily-flood", "letter-bridge", "courier-budget"} <= others
    assert client.get("/articles/nobody/reuse").status_code == 404
    pair = client.get("/pairs/daily-flood/wire-flood").json()  # either order
    assert (pair["source"], pair["target"], pair["relation"]) == (
        "wire-flood", "daily-flood", "duplicate",
    )  # fmt: skip
    wire = client.get("/articles/wire-flood").json()["text"]
    for passage in pair["passages"]:
        start, end = passage["source"]
        assert passage["source_text"] == wire[start:end]
        assert passage["target_text"]
    assert set(pair["articles"]) == {"wire-flood", "daily-flood"}
    none = client.get("/pairs/wire-flood/notice-parking")
    assert none.status_code == 404 and "share no passage" in none.json()["detail"]
    assert client.get("/pairs/wire-flood/ghost").status_code == 404
    stories = client.get("/stories").json()
    assert stories["total"] >= 1 and len(stories["stories"]) == stories["total"]
    assert {"wire-flood", "daily-flood"} <= set(stories["stories"][0]["articles"])
    assert client.get("/stories", params={"offset": 1000}).json()["stories"] == []


def test_check_reports_reuse_and_stores_nothing(
    client: TestClient, examples: list[Article]
) -> None:
    gazette = next(a for a in examples if a.id == "gazette-flood")
    result = client.post("/check", json={"text": gazette.text, "published": gazette.published})
    assert result.status_code == 200, result.text
    data = result.json()
    assert data["checked"] == "checked" and data["articles"][0]["id"] == "checked"
    relations = {(p["source"], p["target"], p["relation"]) for p in data["pairs"]}
    assert ("wire-flood", "checked", "copy") in relations
    assert client.get("/health").json()["articles"] == len(examples) - 1
    assert client.get("/articles/checked").status_code == 404


def test_hostile_requests_get_4xx_and_the_server_stays_up(client: TestClient) -> None:
    json_type = {"content-type": "application/json"}
    cases = [
        (client.post("/check", content=b"x" * (LIMIT + 1), headers=json_type), 413),
        (client.post("/check", content=iter([b"[" * 1024] * 300), headers=json_type), 413),
        (client.post("/check", content=b"[" * 100_000, headers=json_type), 400),
        (client.post("/check", content=b'{"text": "caf\xe9"}', headers=json_type), 400),
        (client.post("/check", content=b'{"text": "unterminated', headers=json_type), 422),
        (client.post("/check", json={"text": 42}), 422),
        (client.post("/check", json={"text": ["a", "list"]}), 422),
        (client.post("/check", json={"title": "no text"}), 422),
        (client.post("/check", json=[{"text": "a list"}]), 422),
        (client.post("/check", content=b'{"text": "\\ud800 lone"}', headers=json_type), 422),
        (client.post("/articles", json=[], headers=WRITE), 422),
        (client.post("/articles", json={"id": True, "text": "x"}, headers=WRITE), 422),
        (client.post("/articles", json={"id": "d", "text": "x", "published": "soon"},
                     headers=WRITE), 422),  # fmt: skip
        (client.post("/articles", json=[{"id": "d", "text": "x"}] * 2, headers=WRITE), 422),
        (client.post("/articles", json={"id": "e", "text": "   "}, headers=WRITE), 422),
    ]
    for response, status in cases:
        assert response.status_code == status, response.text
        detail = response.json()["detail"]
        assert detail and "Internal" not in str(detail)
    assert "nested too deeply" in cases[2][0].json()["detail"]
    assert "UTF-8" in cases[3][0].json()["detail"]
    assert "ISO 8601" in cases[12][0].json()["detail"]
    assert client.get("/health").json()["status"] == "ok"


def test_numbers_json_cannot_encode_and_huge_offsets_get_4xx(client: TestClient) -> None:
    json_type = {"content-type": "application/json"}
    bodies = (b'{"id": 1e400, "text": "x"}', b'{"text": NaN}', b'[{"published": Infinity}]')
    for body in bodies:
        for route, headers in (("/check", json_type), ("/articles", json_type | WRITE)):
            response = client.post(route, content=body, headers=headers)
            assert response.status_code == 422, (route, body, response.text)
            assert response.json()["detail"][0]["loc"][0] == "body"
    huge = "9223372036854775808"
    for url in (f"/articles?offset={huge}", f"/stories?offset={huge}0000"):
        assert client.get(url).status_code == 422, url
    for url in (f"/ui/story/s{huge}0000", "/ui/story/s\u00b2", "/ui/pair/nope/wire-flood"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "text/html" in response.headers["content-type"]
    assert client.get("/health").json()["status"] == "ok"


def test_head_answers_every_page_without_a_body(client: TestClient) -> None:
    for url in ("/health", "/articles", "/articles/wire-flood", "/ui", "/ui/article/wire-flood"):
        got, head = client.get(url), client.head(url)
        assert (head.status_code, head.content) == (200, b""), url
        assert head.headers["content-type"] == got.headers["content-type"]


def test_ids_with_slashes_reach_every_route(client: TestClient) -> None:
    text = client.get("/articles/wire-flood").json()["text"]
    added = client.post("/articles", json={"id": "bbc/2026/flood", "text": text}, headers=WRITE)
    assert added.status_code == 200, added.text
    assert client.get("/articles/bbc%2F2026%2Fflood").json()["id"] == "bbc/2026/flood"
    assert client.get("/articles/bbc/2026/flood").json()["id"] == "bbc/2026/flood"
    reuse = client.get("/articles/bbc/2026/flood/reuse").json()
    linked = {x for p in reuse["pairs"] for x in (p["source"], p["target"])}
    assert {"wire-flood", "bbc/2026/flood"} <= linked
    for url in ("/pairs/bbc/2026/flood/wire-flood", "/pairs/wire-flood/bbc%2F2026%2Fflood"):
        pair = client.get(url).json()
        assert {pair["source"], pair["target"]} == {"wire-flood", "bbc/2026/flood"}, url
    for url in ("/ui/article/bbc%2F2026%2Fflood", "/ui/pair/wire-flood/bbc/2026/flood"):
        page = client.get(url)
        assert page.status_code == 200 and "bbc/2026/flood" in page.text, url
    assert client.get("/pairs/bbc/2026/nope/wire-flood").status_code == 404


def test_openapi_documents_the_routes(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/articles", "/articles/{article_id}", "/articles/{article_id}/reuse",
                 "/pairs/{source}/{target}", "/stories", "/check", "/health"):  # fmt: skip
        assert path in paths


# --- a real uvicorn on a loopback port -------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "copydesk.cli", "serve", "--db", str(tmp_path / "live.db"),
         "--port", str(port), "--max-body-mb", "0.25"],
        env={**os.environ, "COPYDESK_API_KEY": KEY},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(url + "/health", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail("the server did not start: " + (process.communicate()[1] or "")[-2000:])
        time.sleep(0.1)
    try:
        yield url
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_real_server_under_concurrent_requests(server: str, examples: list[Article]) -> None:
    records = [_record(a) for a in examples]

    def call(n: int) -> int:
        with httpx.Client(base_url=server, timeout=30) as http:
            kind, record = n % 4, records[n % len(records)]
            if kind == 0:
                record = records[(n // 4) % len(records)]
                return http.post("/articles", json=record, headers=WRITE).status_code
            if kind == 1:
                return http.post("/check", json={"text": record["text"]}).status_code
            if kind == 2:
                response = http.get(f"/articles/{record['id']}")
                return 200 if response.status_code in (200, 404) else response.status_code
            return http.get("/stories").status_code

    count = 32
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(call, range(count)))
    assert all(s == 200 for s in statuses), statuses
    assert httpx.post(server + "/articles", json=records[0]).status_code == 401
    posted = {(n // 4) % len(records) for n in range(0, count, 4)}
    assert httpx.get(server + "/health").json()["articles"] == len(posted)
    reuse = httpx.get(f"{server}/articles/wire-flood/reuse").json()
    assert len(reuse["pairs"]) >= 2


def test_real_server_refuses_hostile_bodies(server: str) -> None:
    host, port = server.removeprefix("http://").split(":")
    # A declared body far over the limit is refused before it is sent.
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(b"POST /check HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 1000000000\r\n\r\n{")  # fmt: skip
        assert sock.recv(200).startswith(b"HTTP/1.1 413")
    nested = httpx.post(server + "/check", content=b"[" * 200_000,
                        headers={"content-type": "application/json"})  # fmt: skip
    assert nested.status_code == 400
    invalid = httpx.post(server + "/check", content=b'{"text": "\xff\xfe"}',
                         headers={"content-type": "application/json"})  # fmt: skip
    assert invalid.status_code == 400
    assert httpx.get(server + "/health").json()["status"] == "ok"
