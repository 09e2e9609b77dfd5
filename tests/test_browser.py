"""The HTML report in a real headless browser (Debian's Chromium, driven by Playwright).

Skipped on a developer machine without the browser; on CI (CI=true) a missing browser fails.
Screenshots land in tests/.screenshots/ (git-ignored) for a human to look at.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fixtures.stories import COMMUTER_REPORT, COUNCIL_REPORT, COUNCIL_SENTENCE

import copydesk
from copydesk import Article, ScanOptions
from copydesk.report_html import scan_to_html

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/lib/chromium/chromium")
SHOTS = Path(__file__).parent / ".screenshots"
HOSTILE_TITLE = '"><img src=x onerror=alert(1)><script>alert(2)</script>'
HOSTILE_TEXT = (
    "<script>alert(3)</script> <img src=x onerror=alert(4)> <a href=javascript:alert(5)>x</a>"
)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed")
    if not Path(CHROMIUM).exists():
        message = f"no Chromium at {CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"],
        )  # fmt: skip
        yield launched
        launched.close()


class Watched:
    """A page that records dialogs (any alert() means injected code ran) and console errors."""

    def __init__(self, browser: Any) -> None:
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)

    def shot(self, name: str) -> None:
        SHOTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture()
def watched(browser: Any) -> Iterator[Watched]:
    page = Watched(browser)
    yield page
    page.page.close()


def _report(tmp_path: Path, articles: list[Article] | Path) -> str:
    path = tmp_path / "report.html"
    path.write_text(scan_to_html(copydesk.scan(articles)), encoding="utf-8")
    return path.as_uri()


def _pair_index(result_page: Any, a: str, b: str) -> int:
    data = result_page.evaluate("JSON.parse(document.getElementById('scan-data').textContent)")
    for i, pair in enumerate(data["pairs"]):
        if {pair["source"], pair["target"]} == {a, b}:
            return i
    raise AssertionError(f"no pair {a} / {b} in the report")


def _in_view(page: Any, selector: str) -> bool:
    return bool(page.evaluate(
        """(sel) => { const m = document.querySelector(sel); if (!m) return false;
        const r = m.getBoundingClientRect(); const box = m.closest('.text').getBoundingClientRect();
        return r.top >= box.top - 1 && r.bottom <= box.bottom + 1 && r.top >= 0
               && r.bottom <= window.innerHeight; }""",
        selector,
    ))  # fmt: skip


def test_seed_pair_shows_passages_and_click_scrolls_the_twin(
    watched: Watched, tmp_path: Path, seeds_dir: Path, seed_ids: dict[str, str]
) -> None:
    page = watched.page
    url = _report(tmp_path, seeds_dir)
    page.goto(url)
    index = _pair_index(page, seed_ids["000"], seed_ids["001"])
    page.goto(f"{url}#pair={index}")
    source_marks = page.locator('[data-side="source"] mark.passage')
    target_marks = page.locator('[data-side="target"] mark.passage')
    assert source_marks.count() >= 2 and target_marks.count() >= 2
    # the last passage of the source: its twin is far down the target's scrolling box
    last = page.locator('[data-side="source"] mark.passage[id]').last
    twin_id = last.get_attribute("data-twin")
    assert twin_id and twin_id.endswith("-t")
    page.locator('[data-side="target"] .text').evaluate("box => box.scrollTop = 0")
    last.click()
    assert page.locator(f"#{twin_id}").get_attribute("class").split().count("twin") == 1
    assert _in_view(page, f"#{twin_id}")
    watched.shot("seeds-pair")
    assert watched.dialogs == [] and watched.errors == []


def test_a_passage_works_from_the_keyboard(
    watched: Watched, tmp_path: Path, seeds_dir: Path, seed_ids: dict[str, str]
) -> None:
    page = watched.page
    url = _report(tmp_path, seeds_dir)
    page.goto(url)
    page.goto(f"{url}#pair={_pair_index(page, seed_ids['000'], seed_ids['001'])}")
    first = page.locator('[data-side="target"] mark.passage[id]').first
    first.focus()
    page.keyboard.press("Enter")
    twin = first.get_attribute("data-twin")
    focused = page.evaluate("document.activeElement.id")
    assert focused == twin


def _overlap(a: list[list[float]], b: list[list[float]]) -> bool:
    """Whether two convex quadrilaterals (corners in order) overlap by more than a pixel:
    separating axes, one for each edge of either."""
    for shape in (a, b):
        for (x1, y1), (x2, y2) in zip(shape, shape[1:] + shape[:1], strict=True):
            axis = (y1 - y2, x2 - x1)
            norm = (axis[0] ** 2 + axis[1] ** 2) ** 0.5 or 1.0
            on_a = [(x * axis[0] + y * axis[1]) / norm for x, y in a]
            on_b = [(x * axis[0] + y * axis[1]) / norm for x, y in b]
            if max(on_a) <= min(on_b) + 1 or max(on_b) <= min(on_a) + 1:
                return False
    return True


def test_a_large_story_graph_stays_readable(watched: Watched, tmp_path: Path) -> None:
    # A wire story and 15 copies, 7 of them dated: 16 members, 120 edges, those between
    # undated copies undirected.
    wire = " ".join(
        f"Sentence {i} of the wire story tells how the harbour wall at Pellow gave way in the "
        f"storm number {i}."
        for i in range(12)
    )
    articles = [Article("wire", wire, published="2026-03-14T06:00:00Z")] + [
        Article(f"regional-outlet-{k:02d}", f"Outlet {k} reports.\n\n{wire}",
                published=f"2026-03-14T{10 + k:02d}:00:00Z" if k < 7 else None)
        for k in range(15)
    ]  # fmt: skip
    page = watched.page
    page.goto(_report(tmp_path, articles))
    graph = page.locator("#stories svg.graph").first
    assert graph.locator("circle").count() == 16
    assert int(graph.get_attribute("width") or 0) > 360  # the circle grows with its members
    # Undirected edges fade; the arrows from the wire stay solid.
    faded = graph.locator('line[stroke-opacity="0.35"]').count()
    arrows = graph.locator("line[marker-end]").count()
    assert faded > 0 and arrows >= 7
    # Labels run outwards along the radius: no two of them overlap, and none leaves the graph
    # (each label's corners, rotation included, in the graph's own pixels).
    corners = graph.locator("text").evaluate_all(
        "nodes => nodes.map(n => { const b = n.getBBox(), m = n.getCTM();"
        " return [[b.x, b.y], [b.x + b.width, b.y], [b.x + b.width, b.y + b.height],"
        " [b.x, b.y + b.height]]"
        ".map(([x, y]) => [m.a * x + m.c * y + m.e, m.b * x + m.d * y + m.f]); })"
    )
    assert len(corners) == 16
    assert not [(a, b) for i, a in enumerate(corners) for b in corners[i + 1 :] if _overlap(a, b)]
    size = int(graph.get_attribute("width") or 0)
    assert all(0 <= x <= size and 0 <= y <= size for label in corners for x, y in label)
    watched.shot("large-story")
    assert watched.errors == []


def test_a_story_of_many_outlets_draws_its_original_and_the_first_others(
    watched: Watched, tmp_path: Path
) -> None:
    wire = " ".join(
        f"Sentence {i} of the wire story tells how the harbour wall at Pellow gave way in the "
        f"storm number {i}."
        for i in range(12)
    )
    copies = [
        Article(f"outlet-{k:02d}", f"Outlet {k} reports.\n\n{wire}",
                published=f"2026-03-14T{8 + k // 60:02d}:{k % 60:02d}:00Z")
        for k in range(70)
    ]  # fmt: skip
    articles = [*copies, Article("wire", wire, published="2026-03-14T06:00:00Z")]
    result = copydesk.scan(articles, ScanOptions(max_df=10))  # each copy paired with the wire
    (story,) = result.stories
    assert story.original == "wire" and len(story.articles) == 71
    path = tmp_path / "report.html"
    path.write_text(scan_to_html(result), encoding="utf-8")
    page = watched.page
    page.goto(path.as_uri())
    graph = page.locator("#stories svg.graph").first
    assert graph.locator("circle").count() == 60
    assert graph.locator("circle[r='11']").count() == 1  # the original, drawn first
    assert "(60 of its 71 members drawn)" in (graph.locator("title").first.text_content() or "")
    assert graph.locator("line").count() == 59  # the wire's edges to the copies drawn
    # The card lists the first 40 arrows of who copied whom, then says how many more there are.
    listed = page.locator('#stories ul[aria-label="Provenance edges"] li')
    assert listed.count() == 41
    assert "→" in (listed.first.text_content() or "")
    assert "… and 30 more pairs in this story" in (listed.last.text_content() or "")
    assert watched.errors == []


def test_same_story_edges_carry_no_arrow(watched: Watched, tmp_path: Path) -> None:
    """Two dated reports sharing only a stock phrase, and a brief copying the council's."""
    articles = [
        Article("council", COUNCIL_REPORT, published="2026-03-16"),
        Article("commuters", COMMUTER_REPORT, published="2026-03-17"),
        Article("brief", f"Dunmere in brief. {COUNCIL_SENTENCE} More on page four.",
                published="2026-03-18"),
    ]  # fmt: skip
    result = copydesk.scan(articles)
    relations = {(p.source, p.target): (p.relation, p.direction) for p in result.pairs}
    assert relations[("council", "commuters")] == ("same_story", "source_to_target")
    path = tmp_path / "report.html"
    path.write_text(scan_to_html(result), encoding="utf-8")
    page = watched.page
    page.goto(path.as_uri())
    graph = page.locator("#stories svg.graph").first
    tips = graph.locator("line").evaluate_all(
        "lines => lines.map(l =>"
        " [l.querySelector('title').textContent, l.hasAttribute('marker-end')])"
    )
    arrows = {tip.split(":")[0]: arrow for tip, arrow in tips}
    assert arrows == {"council ↔ commuters": False, "council → brief": True}
    listed = page.locator('#stories ul[aria-label="Provenance edges"] li').all_text_contents()
    assert [item.split(" ")[0:3] for item in listed] == [
        ["council", "→", "brief"],
        ["council", "↔", "commuters"],
    ]
    assert watched.errors == []


def test_story_graph_and_lists_render(watched: Watched, tmp_path: Path, seeds_dir: Path) -> None:
    page = watched.page
    page.goto(_report(tmp_path, seeds_dir))
    assert page.locator("#stories svg.graph line").count() >= 2
    assert page.locator("#stories svg.graph circle").count() >= 3
    assert page.locator("#pairs .card").count() >= 3
    assert page.locator("#articles .card").count() == 5
    watched.shot("seeds-overview")
    assert watched.errors == []


def test_a_spun_copy_shows_its_restored_words_and_where_they_came_from(
    watched: Watched, tmp_path: Path, examples_dir: Path
) -> None:
    from copydesk.spin import spin_swaps

    rows = (examples_dir / "newsroom.jsonl").read_text(encoding="utf-8").splitlines()
    text = next(json.loads(r)["text"] for r in rows if '"wire-flood"' in r)
    spun, swaps = spin_swaps(text, rate=0.3, seed=2)
    url = _report(tmp_path, [Article("original", text), Article("spun", spun)])
    page = watched.page
    page.goto(f"{url}#article=spun")
    restored = page.locator("ruby")
    assert restored.count() >= len(swaps) // 2
    titles = [restored.nth(i).get_attribute("title") for i in range(restored.count())]
    assert titles.count("restored from original") >= len(titles) // 2
    words = {s.original.casefold() for s in swaps}
    assert page.locator("ruby rt").first.text_content().casefold() in words
    assert watched.dialogs == [] and watched.errors == []


def test_hostile_text_titles_and_urls_run_no_script(watched: Watched, tmp_path: Path) -> None:
    wire = " ".join(
        f"The river rose {i} centimetres overnight near the old stone bridge, officials said."
        for i in range(12)
    )
    articles = [
        Article("wire<script>alert(6)</script>", f"{wire}\n\n{HOSTILE_TEXT}", title=HOSTILE_TITLE,
                url="javascript:alert(7)", source=HOSTILE_TITLE),
        Article("copy", f"Our intro. {wire}\n\n{HOSTILE_TEXT}", title=HOSTILE_TITLE,
                url="https://example.test/a"),
    ]  # fmt: skip
    page = watched.page
    url = _report(tmp_path, articles)
    page.goto(url)
    page.goto(f"{url}#pair=0")
    page.goto(f"{url}#article=copy")
    page.goto(f"{url}#article={articles[0].id}")
    page.wait_for_timeout(200)
    assert watched.dialogs == []
    assert page.locator("img").count() == 0
    # the text shows as text, and a javascript: URL is never a link
    assert HOSTILE_TEXT in page.locator("#view .text").inner_text()
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    assert not [h for h in hrefs if h.lower().startswith("javascript:")]
    watched.shot("hostile")
    assert watched.errors == []


# --- the served pages, on a real server ----------------------------------------------------------


@pytest.fixture()
def served(tmp_path: Path, seeds_dir: Path, seed_ids: dict[str, str]) -> Iterator[str]:
    """`copydesk serve` over an index of the seeds without 002, plus a hostile article."""
    import signal
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    from copydesk import Index

    db = tmp_path / "pages.db"
    with Index(db) as index:
        index.add([p for p in sorted(seeds_dir.glob("*.txt")) if not p.name.startswith("002")])
        wire = " ".join(f"The river rose {i} centimetres by the old bridge." for i in range(12))
        index.add([
            Article("wire<script>alert(8)</script>", f"{wire}\n\n{HOSTILE_TEXT}",
                    title=HOSTILE_TITLE, url="javascript:alert(9)"),
            Article("copy", f"Our intro. {wire}", title=HOSTILE_TITLE),
        ])  # fmt: skip
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    process = subprocess.Popen(
        [sys.executable, "-m", "copydesk.cli", "serve", "--db", str(db), "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url + "/health", timeout=1) as answer:
                if answer.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail("the server did not start: " + (process.communicate()[1] or "")[-2000:])
        time.sleep(0.2)
    try:
        yield url
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def test_pasting_seed_002_into_the_check_form_lists_000_and_001(
    watched: Watched, served: str, seeds_dir: Path, seed_ids: dict[str, str]
) -> None:
    page = watched.page
    answer = page.goto(served + "/ui")
    assert answer is not None and "script-src 'sha256-" in answer.headers["content-security-policy"]
    assert page.locator("#stories .card").count() >= 1
    page.get_by_role("link", name="Check an article").click()
    text = (seeds_dir / f"{seed_ids['002']}.txt").read_text(encoding="utf-8")
    page.fill("#check-text", text)
    page.get_by_role("button", name="Check").click()
    page.wait_for_selector("#view .text")
    listed = page.locator("#pairs").inner_text()
    assert seed_ids["000"] in listed and seed_ids["001"] in listed
    assert seed_ids["004"] not in listed
    assert "shares material with 2 indexed articles" in page.locator(".message").inner_text()
    watched.shot("served-check")
    # a pair of the check opens side by side, passages highlighted on both sides
    page.locator("#pairs .card a").first.click()
    page.wait_for_selector('[data-side="source"] mark.passage')
    assert page.locator('[data-side="source"] mark.passage').count() >= 1
    assert page.locator('[data-side="target"] mark.passage').count() >= 1
    assert watched.dialogs == [] and watched.errors == []


def test_search_article_pair_and_story_pages(
    watched: Watched, served: str, seed_ids: dict[str, str]
) -> None:
    page = watched.page
    page.goto(served + "/ui")
    page.fill("#q", "backing away")
    page.get_by_role("button", name="Search").click()
    results = page.locator(".results").inner_text()
    assert seed_ids["000"] in results and seed_ids["001"] in results
    page.get_by_role("link", name=seed_ids["000"]).click()
    page.wait_for_selector("#view .text")
    assert seed_ids["001"] in page.locator("#view").inner_text()  # what it shares text with
    page.locator("#view a[href^='/ui/pair/']").first.click()
    page.wait_for_selector('[data-side="target"] mark.passage')
    page.goto(served + "/ui/article/" + seed_ids["000"])
    page.locator("#view a[href^='/ui/story/']").first.click()
    page.wait_for_selector("#view svg.graph")
    assert seed_ids["001"] in page.locator("#view").inner_text()
    watched.shot("served-story")
    assert page.goto(served + "/ui/article/no-such-id").status == 404
    assert watched.dialogs == []


def test_served_pages_run_no_injected_script(watched: Watched, served: str) -> None:
    page = watched.page
    for path in ("/ui", "/ui/article/copy", "/ui/search?q=%3Cscript%3E",
                 "/ui/article/wire%3Cscript%3Ealert(8)%3C%2Fscript%3E"):  # fmt: skip
        page.goto(served + path)
        page.wait_for_timeout(100)
    assert watched.dialogs == []
    assert page.locator("img").count() == 0
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    assert not [h for h in hrefs if h.lower().startswith("javascript:")]
