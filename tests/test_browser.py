"""The HTML report in a real headless browser (Debian's Chromium, driven by Playwright).

Skipped on a developer machine without the browser; on CI (CI=true) a missing browser fails.
Screenshots land in tests/.screenshots/ (git-ignored) for a human to look at.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import copydesk
from copydesk import Article
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
        self.page.on(
            "console", lambda m: self.errors.append(m.text) if m.type == "error" else None
        )

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


def test_story_graph_and_lists_render(
    watched: Watched, tmp_path: Path, seeds_dir: Path
) -> None:
    page = watched.page
    page.goto(_report(tmp_path, seeds_dir))
    assert page.locator("#stories svg.graph line").count() >= 2
    assert page.locator("#stories svg.graph circle").count() >= 3
    assert page.locator("#pairs .card").count() >= 3
    assert page.locator("#articles .card").count() == 5
    watched.shot("seeds-overview")
    assert watched.errors == []


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
