"""Write a scan or an alignment out: JSON, JSON lines, CSV, PAN XML and readable terminal tables.

Everything goes through `scan_to_dict` / `pair_to_dict`, so every format says the same thing.
"""

from __future__ import annotations

import csv
import io
import json
import shlex
from collections import Counter
from collections.abc import Iterator, Sequence
from importlib import resources
from typing import Any
from xml.sax.saxutils import quoteattr

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from . import __version__
from .model import Article, ArticleReport, Pair, Passage, ScanResult, Story

QUOTE_CHARS = 72
#: most articles listed under "sources named" in the table output
CLUE_LINES = 10
#: pairs the terminal table shows by default (`scan --top`)
TABLE_PAIRS = 25


def scan_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of `copydesk scan --format json` (`scan_to_dict`)."""
    text = resources.files("copydesk").joinpath("schema/scan.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def passage_dict(passage: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "source": list(passage.source),
        "target": list(passage.target),
        "kind": passage.kind,
        "similarity": passage.similarity,
    }
    if passage.quote:
        out["quote"] = True
    return out


def pair_to_dict(pair: Pair) -> dict[str, Any]:
    return {
        "source": pair.source,
        "target": pair.target,
        "relation": pair.relation,
        "direction": pair.direction,
        "score": pair.score,
        "coverage_source": pair.coverage_source,
        "coverage_target": pair.coverage_target,
        "passages": [passage_dict(p) for p in pair.passages],
    }


def article_to_dict(report: ArticleReport, keep_text: bool = False) -> dict[str, Any]:
    a = report.article
    out: dict[str, Any] = {
        "id": a.id,
        "path": a.path,
        "title": a.title,
        "source": a.source,
        "url": a.url,
        "published": a.published,
        "author": a.author or report.clues.author,
        "chars": len(a.text),
        "content_chars": report.content_chars,
        "removed": [{"start": s.start, "end": s.end, "reason": s.reason} for s in report.removed],
        "byline": _byline(report),
        "declared_source": report.clues.declared_source,
        "credits": report.clues.credits,
        "spin": report.spin,
        "reused_fraction": report.reused_fraction,
        "story": report.story,
    }
    if report.unique is not None:
        out["unique"] = [{"start": s.start, "end": s.end} for s in report.unique]
    if keep_text or a.extracted:
        out["text"] = a.text
    return out


def _byline(report: ArticleReport) -> dict[str, str | None] | None:
    clues = report.clues
    found = {
        "author": clues.author,
        "outlet": clues.outlet,
        "place": clues.place,
        "agency": clues.agency,
    }
    return found if any(found.values()) else None


def story_to_dict(story: Story) -> dict[str, Any]:
    return {
        "id": story.id,
        "articles": story.articles,
        "original": story.original,
        "common_source": story.common_source,
        "label": story.label,
        "edges": [
            {"source": e.source, "target": e.target, "relation": e.relation} for e in story.edges
        ],
    }


def paraphrase_method(result: ScanResult) -> str | None:
    """The method that compared sentences for paraphrase ("lexical", "semantic"), or None."""
    return result.options.paraphrase_method if result.options.paraphrase else None


def scan_to_dict(result: ScanResult) -> dict[str, Any]:
    """The scan as the contract's JSON object."""
    keep = result.options.keep_text
    return {
        "copydesk_version": __version__,
        "paraphrase_method": paraphrase_method(result),
        "articles": [article_to_dict(r, keep) for r in result.articles],
        "pairs": [pair_to_dict(p) for p in result.pairs],
        "stories": [story_to_dict(s) for s in result.stories],
        "errors": [str(e) for e in result.errors],
    }


def scan_to_json(result: ScanResult) -> str:
    return "".join(scan_json_chunks(result))


def _records(result: ScanResult) -> Iterator[tuple[str, Iterator[Any]]]:
    """The scan's lists, each record made only when it is written."""
    keep = result.options.keep_text
    yield "articles", (article_to_dict(r, keep) for r in result.articles)
    yield "pairs", (pair_to_dict(p) for p in result.pairs)
    yield "stories", (story_to_dict(s) for s in result.stories)
    yield "errors", (str(e) for e in result.errors)


def scan_json_chunks(result: ScanResult) -> Iterator[str]:
    """`scan_to_json` a record at a time, the same text as dumping `scan_to_dict` whole: a
    scan of a hundred thousand articles is written without its JSON held in memory."""
    yield "{\n"
    yield f'  "copydesk_version": {json.dumps(__version__)},\n'
    yield f'  "paraphrase_method": {json.dumps(paraphrase_method(result))},\n'
    for number, (key, records) in enumerate(_records(result)):
        yield f'  "{key}": ['
        first = True
        for record in records:
            dumped = json.dumps(record, ensure_ascii=False, indent=2).replace("\n", "\n    ")
            yield ("\n    " if first else ",\n    ") + dumped
            first = False
        yield ("]" if first else "\n  ]") + (",\n" if number < 3 else "\n")
    yield "}\n"


def scan_to_jsonl(result: ScanResult) -> str:
    return "".join(scan_jsonl_chunks(result))


def scan_jsonl_chunks(result: ScanResult) -> Iterator[str]:
    """One record a line, each tagged with its `type`: article, pair, story."""
    for kind, (_, records) in zip(("article", "pair", "story"), _records(result), strict=False):
        for record in records:
            yield json.dumps({"type": kind, **record}, ensure_ascii=False) + "\n"


CSV_COLUMNS = [
    "source", "target", "relation", "direction", "score",
    "coverage_source", "coverage_target", "passages", "first_passage",
]  # fmt: skip


def scan_to_csv(result: ScanResult) -> str:
    """One row per pair, with the first shared passage quoted from the source."""
    texts = {r.article.id: r.article.text for r in result.articles}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for pair in result.pairs:
        first = pair.passages[0].source if pair.passages else (0, 0)
        writer.writerow([
            pair.source, pair.target, pair.relation, pair.direction, pair.score,
            pair.coverage_source, pair.coverage_target, len(pair.passages),
            " ".join(texts[pair.source][first[0] : first[1]].split()),
        ])  # fmt: skip
    return out.getvalue()


#: a detection for PAN: `[start, end)` in the source, then in the target
Detection = tuple[tuple[int, int], tuple[int, int]]


def pan_detections(passages: Sequence[Passage]) -> list[Detection]:
    """The passages as PAN detections, in order of their place in the target: passages that
    overlap on both sides (a sentence reworded around a phrase copied word for word is both a
    paraphrase and a verbatim passage) are one case of reuse to PAN, so they are merged into
    one detection spanning both."""
    merged: list[Detection] = []
    for passage in passages:
        source, target = passage.source, passage.target
        overlapping = True
        while overlapping:  # a merged detection may reach one it did not before
            overlapping = False
            for other in merged:
                (s0, s1), (t0, t1) = other
                if s0 < source[1] and source[0] < s1 and t0 < target[1] and target[0] < t1:
                    merged.remove(other)
                    source = (min(s0, source[0]), max(s1, source[1]))
                    target = (min(t0, target[0]), max(t1, target[1]))
                    overlapping = True
                    break
        merged.append((source, target))
    return sorted(merged, key=lambda d: (d[1], d[0]))


def pair_to_pan(pair: Pair | None, source_name: str, target_name: str) -> str:
    """The PAN text-alignment XML for one pair of documents: a detection per case of reuse
    (`pan_detections`; none for two reports of one story, which may share quotes but copied
    nothing)."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f"<document reference={quoteattr(target_name)}>",
    ]
    reused = pair.passages if pair is not None and pair.relation != "same_story" else []
    for (s0, s1), (t0, t1) in pan_detections(reused):
        lines.append(
            '  <feature name="detected-plagiarism"'
            f' this_offset="{t0}" this_length="{t1 - t0}"'
            f" source_reference={quoteattr(source_name)}"
            f' source_offset="{s0}" source_length="{s1 - s0}"/>'
        )
    lines.append("</document>")
    return "\n".join(lines) + "\n"


def plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def _quote(text: str, limit: int = QUOTE_CHARS) -> str:
    flat = " ".join(text.split())
    return "“" + (flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…") + "”"


KIND_STYLES = {
    "verbatim": "bold green",
    "edited": "yellow",
    "paraphrase": "cyan",
    "spun": "magenta",
}


def print_scan(
    result: ScanResult, console: Console, top: int | None = None, headline: bool = True
) -> None:
    """The human summary: a line of counts (with `headline`), pairs by score with their first
    shared passage (the `top` best, or all), stories, what each adds, clues, removals."""
    texts = {r.article.id: r.article.text for r in result.articles}
    relations = Counter(p.relation for p in result.pairs)
    same_story = relations.pop("same_story", 0)
    summary = ", ".join(f"{n} {rel}" for rel, n in sorted(relations.items()))
    if headline:
        console.print(
            f"[bold]copydesk[/bold] scanned {plural(len(result.articles), 'article')}: "
            f"{plural(len(result.pairs) - same_story, 'pair')} sharing passages"
            + (f" ({summary})" if summary else "")
            + (f", {same_story} more on the same story" if same_story else "")
            + f", {plural(len(result.stories), 'story', 'stories')}. "
            + f"Paraphrase method: {paraphrase_method(result) or 'off'}."
        )
    # Reuse first, by score; pairs that only report the same story after them.
    ranked = sorted(result.pairs, key=lambda p: p.relation == "same_story")
    if result.pairs:
        table = Table(box=box.SIMPLE_HEAD, show_lines=False, expand=False, pad_edge=False)
        table.add_column("score", justify="right", no_wrap=True)
        table.add_column("source → target / first shared passage", ratio=1)
        table.add_column("relation", no_wrap=True)
        table.add_column("cov s/t", justify="right", no_wrap=True)
        shown = ranked if top is None else ranked[:top]
        for pair in shown:
            arrow = "→" if pair.direction == "source_to_target" else "↔"
            cell = Text(f"{pair.source} {arrow} {pair.target}\n", style="bold")
            if pair.passages:
                first = pair.passages[0]
                cell.append(_quote(texts[pair.source][first.source[0] : first.source[1]]), "italic")
                n = len(pair.passages)
                cell.append(f"  ({n} passage{'s' if n != 1 else ''})", "dim")
            table.add_row(
                f"{pair.score:.2f}",
                cell,
                f"{pair.relation}\n[dim]{pair.direction}[/dim]",
                f"{pair.coverage_source:.2f}/{pair.coverage_target:.2f}",
            )
        console.print(table)
        if len(shown) < len(result.pairs):
            console.print(
                f"  ... and {plural(len(result.pairs) - len(shown), 'more pair')} (all of them: "
                "--top 0, or --format json or html)"
            )
    for story in result.stories:
        if story.original:
            origin = f"original: {escape(story.original)}"
        elif story.common_source:
            origin = f"common source not in the run: {escape(story.common_source)}"
        else:
            origin = "original: unknown"
        console.print(
            f"[bold]story {story.id}[/bold] ({plural(len(story.articles), 'article')}, "
            f"{origin}): {escape(story.label)}"
        )
    adding = [r for r in result.articles if r.unique]
    if adding:
        console.print("[bold]what each adds[/bold] (text found in no other member of its story):")
        for r in adding[:CLUE_LINES]:
            assert r.unique is not None
            chars = sum(s.end - s.start for s in r.unique)
            longest = max(r.unique, key=lambda s: s.end - s.start)
            console.print(
                f"  {escape(r.article.id)}: {plural(len(r.unique), 'passage')}, {chars} chars, "
                f"e.g. {escape(_quote(r.article.text[longest.start : longest.end], 60))}"
            )
        if len(adding) > CLUE_LINES:
            console.print(f"  ... and {len(adding) - CLUE_LINES} more (see --format json)")
    spun = [r for r in result.articles if r.spin and r.spin.get("spun")]
    if spun:
        console.print("[bold]spun[/bold] (words swapped for thesaurus entries to hide a copy):")
        for r in spun[:CLUE_LINES]:
            assert r.spin is not None
            changes = r.spin.get("changes", [])
            original = next((c["from"] for c in changes if "from" in c), None)
            if r.spin["score"] < 0.5 and original is not None:
                # Told by its pair, not by its text: `despin` alone would leave it as it is.
                line = (
                    f"  {r.article.id}: reads as plain alone (spin score {r.spin['score']:.2f}),"
                    f" but its pair shows it {original} run through a spinner;"
                    f" {plural(len(changes), 'word')} put back from it (spin.changes in the JSON)"
                )
            else:
                location = _locator(r.article)
                restore = f"; restore it with: copydesk despin {location}" if location else ""
                line = (
                    f"  {r.article.id}: spin score {r.spin['score']:.2f}, about "
                    f"{r.spin.get('rate', 0):.0%} of replaceable words swapped{restore}"
                )
            console.print(line, markup=False, soft_wrap=True)
        if len(spun) > CLUE_LINES:
            console.print(f"  ... and {len(spun) - CLUE_LINES} more (see --format json)")
    named = [r for r in result.articles if r.clues.credits or r.clues.declared_source]
    if named:
        console.print("[bold]sources named[/bold]:")
        for r in named[:CLUE_LINES]:
            said = []
            if r.clues.credits:
                said.append("credits " + ", ".join(r.clues.credits))
            if r.clues.declared_source:
                said.append("declares its origin: " + r.clues.declared_source)
            console.print(f"  {escape(r.article.id)}: {escape('; '.join(said))}")
        if len(named) > CLUE_LINES:
            console.print(f"  ... and {len(named) - CLUE_LINES} more (see --format json)")
    cleaned = [r for r in result.articles if r.removed]
    if cleaned:
        console.print("[bold]removed before matching[/bold]:")
        for r in cleaned[:CLUE_LINES]:
            counts = Counter(s.reason for s in r.removed)
            chars = sum(s.end - s.start for s in r.removed)
            what = ", ".join(f"{n} {reason}" for reason, n in sorted(counts.items()))
            console.print(f"  {r.article.id}: {what} ({chars} chars)")
        if len(cleaned) > CLUE_LINES:
            console.print(f"  ... and {len(cleaned) - CLUE_LINES} more (see --format json)")
    if not result.pairs:
        console.print("No two articles share a passage of the minimum length (see --min-words).")
        return
    by_id = {r.article.id: r.article for r in result.articles}
    best = ranked[0]
    where = [_locator(by_id[best.source]), _locator(by_id[best.target])]
    if all(where):
        console.print(
            f"[dim]Next: the top pair side by side:[/dim] copydesk align {where[0]} {where[1]}",
            soft_wrap=True,
        )


def _locator(article: Article) -> str | None:
    """How `copydesk align` finds this article again: its file, or FILE#ID for a record."""
    if article.path is None or article.path == "<stdin>":
        return None
    if article.path.lower().endswith(".txt"):
        return shlex.quote(article.path)
    return shlex.quote(f"{article.path}#{article.id}")


def print_alignment(
    pair: Pair | None, source_text: str, target_text: str, names: Sequence[str], console: Console
) -> None:
    """The shared passages of two texts side by side."""
    if pair is None:
        console.print(f"No shared passages between {names[0]} and {names[1]}.")
        return
    if not pair.passages:
        console.print(
            f"No reuse between {names[0]} and {names[1]}: they share only phrases any two reports "
            "of one event may share (same_story; --min-reuse-words 0 shows them)."
        )
        return
    console.print(
        f"[bold]{names[0]}[/bold] → [bold]{names[1]}[/bold]: {pair.relation}, "
        f"{plural(len(pair.passages), 'passage')}, coverage {pair.coverage_source:.2f} / "
        f"{pair.coverage_target:.2f}, direction {pair.direction}"
    )
    table = Table(box=box.SIMPLE_HEAD, show_lines=True, expand=True)
    table.add_column(f"{names[0]} (source)", ratio=1)
    table.add_column(f"{names[1]} (target)", ratio=1)
    for n, p in enumerate(pair.passages, start=1):
        style = KIND_STYLES.get(p.kind, "")
        head = f"#{n} {p.kind} {p.similarity:.2f}  "
        left = Text(head + f"[{p.source[0]}:{p.source[1]}]\n", style="dim")
        left.append(source_text[p.source[0] : p.source[1]], style=style)
        right = Text(head + f"[{p.target[0]}:{p.target[1]}]\n", style="dim")
        right.append(target_text[p.target[0] : p.target[1]], style=style)
        table.add_row(left, right)
    console.print(table)
