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
from collections.abc import Mapping
from importlib import resources
from typing import Any

from jinja2 import Environment, select_autoescape

from . import __version__
from .model import ScanResult
from .read import read_articles
from .report import scan_to_dict

#: relation and passage-kind colours: the Okabe-Ito palette, readable with colour blindness,
#: and every highlight also carries a label and a line style, so colour is never the only cue
RELATION_COLOURS = {
    "duplicate": "#0072B2", "copy": "#D55E00", "partial_copy": "#E69F00",
    "paraphrase": "#CC79A7", "spun_copy": "#009E73", "same_story": "#999999",
}  # fmt: skip


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


def attach_texts(data: dict[str, Any]) -> list[str]:
    """Give every article of a saved scan its `text`, re-reading its `path` when the JSON lacks
    it; returns a message for each article whose text could not be found."""
    missing = [a for a in data.get("articles", []) if "text" not in a]
    problems: list[str] = []
    by_path: dict[str, dict[str, str]] = {}
    for article in missing:
        path = article.get("path")
        if path and path not in by_path:
            read, _ = read_articles([path])
            by_path[path] = {a.id: a.text for a in read}
        text = by_path.get(path or "", {}).get(article["id"])
        if text is None or len(text) != article.get("chars", len(text)):
            problems.append(f"{article['id']}: text not in the scan JSON and not found at {path}")
            text = ""
        article["text"] = text
    return problems


def render_report(data: dict[str, Any], title: str = "copydesk report") -> str:
    """The report page for scan JSON `data` (as `scan_to_dict` gives it, with texts)."""
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    script = _asset("report.js")
    style = _asset("report.css")
    page = env.from_string(_asset("report.html"))
    csp = (
        "default-src 'none'; img-src data:; "
        f"style-src {_csp_hash(style)}; script-src {_csp_hash(script)}; "
        "base-uri 'none'; form-action 'none'"
    )
    return page.render(
        title=title,
        version=data.get("copydesk_version", __version__),
        overview=overview(data),
        colours=RELATION_COLOURS,
        data_json=embed_json(data),
        script=script,
        style=style,
        csp=csp,
    )


def scan_to_html(result: ScanResult) -> str:
    """The HTML report of a scan run just now (texts taken from the articles as read)."""
    data = scan_to_dict(result)
    for article, report in zip(data["articles"], result.articles, strict=True):
        article["text"] = report.article.text
    return render_report(data)
