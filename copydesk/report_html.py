"""The HTML report: one self-contained page (inline CSS and script, no network) with an overview,
stories with their provenance graphs, pairs side by side and articles with what was removed.

Article text is untrusted. The page never puts it into markup: the scan travels as JSON inside a
non-executed `<script type="application/json">` block (with `<` escaped), and the page's script
builds the views with `textContent`. A Content-Security-Policy lets only the page's own script run.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Environment, select_autoescape

from . import __version__
from .model import ScanResult
from .read import read_articles
from .report import scan_to_dict


def _asset(name: str) -> str:
    return resources.files("copydesk").joinpath(f"templates/{name}").read_text("utf-8")


def _csp_hash(source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def embed_json(data: Any) -> str:
    """JSON safe to place inside a `<script type="application/json">` element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    # "</script>" or "<!--" in article text must not end or alter the element.
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def overview(data: Mapping[str, Any]) -> dict[str, Any]:
    """The figures at the top of the report."""
    articles = data.get("articles", [])
    pairs = data.get("pairs", [])
    content = sum(a.get("content_chars", a.get("chars", 0)) for a in articles)
    reused = sum(a.get("reused_fraction", 0) * a.get("content_chars", a.get("chars", 0))
                 for a in articles)  # fmt: skip
    return {
        "articles": len(articles),
        "stories": len(data.get("stories", [])),
        "pairs": len(pairs),
        "relations": sorted(Counter(p["relation"] for p in pairs).items()),
        "reused_share": reused / content if content else 0.0,
        "in_stories": sum(1 for a in articles if a.get("story")),
        "spun": sum(1 for a in articles if (a.get("spin") or {}).get("spun")),
        "errors": len(data.get("errors", [])),
    }


def attach_texts(data: dict[str, Any], base: Path | None = None) -> list[str]:
    """Give every article of a saved scan its `text`, re-reading its `path` when the JSON lacks
    it (a relative path as given, else from `base`, the JSON file's folder); returns a message
    for each article whose text could not be found."""
    missing = [a for a in data.get("articles", []) if "text" not in a]
    problems: list[str] = []
    by_path: dict[str, dict[str, str]] = {}
    for article in missing:
        path = article.get("path")
        if path and path not in by_path:
            found = Path(path)
            if base is not None and not found.exists() and not found.is_absolute():
                found = base / found
            read, _ = read_articles([found])
            by_path[path] = {a.id: a.text for a in read}
        text = by_path.get(path or "", {}).get(article["id"])
        if text is None or len(text) != article.get("chars", len(text)):
            problems.append(f"{article['id']}: text not in the scan JSON and not found at {path}")
            text = ""
        article["text"] = text
    return problems


def render_report(
    data: dict[str, Any],
    title: str = "copydesk report",
    *,
    served: bool = False,
    page: str = "report",
    lists: Sequence[str] = ("stories", "pairs", "articles"),
    show_overview: bool = True,
    view: str | None = None,
    **extra: Any,
) -> str:
    """The report page for scan JSON `data` (as `scan_to_dict` gives it, with texts).

    The same page serves the web UI (`served`): there links lead to other pages, a search
    form and a check form appear, `view` ("article=ID", "pair=N", "story=ID") opens at once,
    and `extra` fills the page's server-side parts (`query`, `results`, `message`, ...).
    """
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    script = _asset("report.js")
    style = _asset("report.css")
    template = env.from_string(_asset("report.html"))
    csp = page_policy(script, style, forms=served)
    payload = {**data, "pages": served and page != "check", "view": view}
    return template.render(
        title=title,
        version=data.get("copydesk_version", __version__),
        overview=overview(data) if show_overview else None,
        data_json=embed_json(payload),
        script=script,
        style=style,
        csp=csp,
        served=served,
        page=page,
        lists=list(lists),
        **extra,
    )


def page_policy(script: str | None = None, style: str | None = None, forms: bool = False) -> str:
    """The Content-Security-Policy of a report page: only its own script and style, no network,
    forms (on served pages) only to the same site."""
    script_hash = _csp_hash(script if script is not None else _asset("report.js"))
    style_hash = _csp_hash(style if style is not None else _asset("report.css"))
    form_action = "'self'" if forms else "'none'"
    return (
        "default-src 'none'; img-src data:; "
        f"style-src {style_hash}; script-src {script_hash}; "
        f"base-uri 'none'; form-action {form_action}"
    )


def scan_to_html(result: ScanResult) -> str:
    """The HTML report of a scan run just now (texts taken from the articles as read)."""
    data = scan_to_dict(result)
    for article, report in zip(data["articles"], result.articles, strict=True):
        article["text"] = report.article.text
    return render_report(data)
