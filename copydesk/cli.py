"""The `copydesk` command: a thin shell over the library (parse arguments, call, print)."""

from __future__ import annotations

import io
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

from . import __version__
from .clean import clean_article
from .model import Article, ScanOptions, ScanResult
from .pipeline import compare_clean, scan
from .read import read_articles
from .report import (
    pair_to_dict,
    pair_to_pan,
    print_alignment,
    print_scan,
    scan_to_csv,
    scan_to_json,
    scan_to_jsonl,
)

EXIT_NOTHING_READ = 1


def _stderr() -> Console:
    return Console(stderr=True, highlight=False)


def _report_errors(errors: list, console: Console) -> None:
    for error in errors:
        console.print(f"copydesk: error: {error}", markup=False, soft_wrap=True)


def _check_output(output: Path | None) -> None:
    """Refuse an output path that cannot be written before doing any work."""
    if output is not None and not output.parent.is_dir():
        raise click.BadParameter(f"folder {str(output.parent)!r} does not exist", param_hint="-o")


def _write(text: str, output: Path | None) -> None:
    """Write to `output` whole or not at all: an interrupted run leaves no half-written file."""
    if output is None:
        sys.stdout.write(text)
        return
    partial = output.with_name(f".{output.name}.partial")
    try:
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, output)
    finally:
        partial.unlink(missing_ok=True)


class _ProgressBar:
    """A progress bar on standard error, shown only on a terminal."""

    def __init__(self, console: Console) -> None:
        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeRemainingColumn(),
            console=console,
            transient=True,
            disable=not console.is_terminal,
        )
        self.tasks: dict[str, TaskID] = {}

    def __enter__(self) -> Callable[[str, int, int], None]:
        self.progress.__enter__()
        return self.update

    def __exit__(self, *exc: object) -> None:
        self.progress.__exit__(None, None, None)

    def update(self, stage: str, done: int, total: int) -> None:
        if stage not in self.tasks:
            self.tasks[stage] = self.progress.add_task(stage, total=total)
        self.progress.update(self.tasks[stage], completed=done, total=total)


def _scan_options(
    ngram: int, max_df: int, min_shared: int, min_words: int, keep_text: bool, workers: int = 1
) -> ScanOptions:
    for name, value in (("--ngram", ngram), ("--max-df", max_df), ("--min-words", min_words)):
        if value < 1 or (name == "--max-df" and value < 2):
            raise click.BadParameter(f"{value} is too small", param_hint=name)
    return ScanOptions(
        ngram=ngram, max_df=max_df, min_shared=max(1, min_shared), min_words=min_words,
        keep_text=keep_text, workers=workers if workers > 0 else (os.cpu_count() or 1),
    )  # fmt: skip


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="copydesk")
def main() -> None:
    """copydesk: who copied whom, how, and where, in a pile of news articles.

    \b
    Examples:
      copydesk scan examples/                      # readable summary of every reuse pair
      copydesk scan articles/ --format json -o scan.json
      copydesk align a.txt b.txt                   # shared passages side by side
    """


@main.command("scan")
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write here instead of standard output.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "jsonl", "csv", "html"]),
    default="table",
    show_default=True,
)
@click.option(
    "--engine",
    type=click.Choice(["local"]),
    default="local",
    show_default=True,
    help="Where the scan runs.",
)
@click.option(
    "--min-words",
    type=int,
    default=ScanOptions.min_words,
    show_default=True,
    help="Shortest passage reported, in words.",
)
@click.option(
    "--ngram",
    type=int,
    default=ScanOptions.ngram,
    show_default=True,
    help="Words per n-gram in the candidate index.",
)
@click.option(
    "--max-df",
    type=int,
    default=ScanOptions.max_df,
    show_default=True,
    help="Ignore n-grams found in more articles than this (stock phrases).",
)
@click.option(
    "--min-shared",
    type=int,
    default=ScanOptions.min_shared,
    show_default=True,
    help="Rare n-grams two articles must share to be aligned.",
)
@click.option("--keep-text", is_flag=True, help="Include each article's text in JSON output.")
@click.option(
    "--workers",
    type=click.IntRange(min=0),
    default=0,
    help="Processes for alignment; 0 (the default) uses every core. Same output for any N.",
)
def scan_command(
    paths: tuple[str, ...], output: Path | None, fmt: str, engine: str, min_words: int,
    ngram: int, max_df: int, min_shared: int, keep_text: bool, workers: int,
) -> None:  # fmt: skip
    """Find every pair of articles that share passages, how, and in which direction.

    PATHS are files or folders (read recursively): .txt (one article each), .jsonl/.json and
    .csv (fields id, text or html, title, source, url, published, author), .html/.htm pages
    (main text and metadata extracted) and .warc/.warc.gz crawls (each HTML response an
    article); `-` reads JSONL from stdin.

    \b
    Examples:
      copydesk scan ../shared/corpus/seeds
      copydesk scan articles/ --format json -o scan.json
      cat feed.jsonl | copydesk scan - --format csv
    """
    err = _stderr()
    _check_output(output)
    options = _scan_options(ngram, max_df, min_shared, min_words, keep_text, workers)
    with _ProgressBar(err) as progress:
        result: ScanResult = scan(list(paths), options, progress=progress)
    _report_errors(result.errors, err)
    if not result.articles:
        err.print("copydesk: error: no article could be read", markup=False)
        sys.exit(EXIT_NOTHING_READ)
    if fmt == "table":
        if output is None:
            print_scan(result, Console(highlight=False))
        else:
            buffer = io.StringIO()
            print_scan(result, Console(file=buffer, width=100, highlight=False, no_color=True))
            _write(buffer.getvalue(), output)
        return
    if fmt == "html":
        from .report_html import scan_to_html

        _write_report(scan_to_html(result), output, err)
        return
    writers = {"json": scan_to_json, "jsonl": scan_to_jsonl, "csv": scan_to_csv}
    _write(writers[fmt](result), output)


def _write_report(page: str, output: Path | None, err: Console) -> None:
    _write(page, output)
    if output is not None:
        size = len(page.encode("utf-8"))
        err.print(f"wrote {output} ({size / 1024:,.0f} KiB)", markup=False, soft_wrap=True)


def _read_one(path: str, console: Console) -> Article:
    """One article: a file holding one, or `FILE#ID` for one record of a JSONL/CSV file."""
    wanted = None
    if "#" in path and not Path(path).exists():
        path, wanted = path.rsplit("#", 1)
    articles, errors = read_articles([path])
    _report_errors(errors, console)
    if wanted is not None:
        articles = [a for a in articles if a.id == wanted]
    if len(articles) != 1:
        found = "no article" if not articles else f"{len(articles)} (pick one with FILE#ID)"
        console.print(
            f"copydesk: error: {path}: expected one article, found {found}",
            markup=False,
            soft_wrap=True,
        )
        sys.exit(EXIT_NOTHING_READ)
    return articles[0]


@main.command("align")
@click.argument("source")
@click.argument("target")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write here instead of standard output.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "pan"]),
    default="table",
    show_default=True,
)
@click.option(
    "--min-words",
    type=int,
    default=ScanOptions.min_words,
    show_default=True,
    help="Shortest passage reported, in words.",
)
def align_command(source: str, target: str, output: Path | None, fmt: str, min_words: int) -> None:
    """Show the passages SOURCE and TARGET share, side by side.

    SOURCE and TARGET are files holding one article each, or FILE#ID for one record of a
    JSONL or CSV file.

    \b
    Examples:
      copydesk align original.txt copy.txt
      copydesk align original.txt copy.txt --format pan -o detections.xml
      copydesk align 'examples/newsroom.jsonl#wire-flood' examples/letters/letter-bridge.txt
    """
    err = _stderr()
    _check_output(output)
    a, b = _read_one(source, err), _read_one(target, err)
    options = _scan_options(ScanOptions.ngram, ScanOptions.max_df, 1, min_words, False)
    pair = compare_clean(clean_article(a), clean_article(b), options, keep_order=True)
    names = (a.id, b.id)
    if fmt == "pan":
        _write(pair_to_pan(pair, Path(source).name, Path(target).name), output)
    elif fmt == "json":
        data = pair_to_dict(pair) if pair else {
            "source": a.id, "target": b.id, "relation": None, "direction": None,
            "score": 0.0, "coverage_source": 0.0, "coverage_target": 0.0, "passages": [],
        }  # fmt: skip
        _write(json.dumps(data, ensure_ascii=False, indent=2) + "\n", output)
    elif output is None:
        print_alignment(pair, a.text, b.text, names, Console(highlight=False))
    else:
        buffer = io.StringIO()
        console = Console(file=buffer, width=120, highlight=False, no_color=True)
        print_alignment(pair, a.text, b.text, names, console)
        _write(buffer.getvalue(), output)


@main.command("report")
@click.argument("scan_json", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The HTML file to write.",
)
def report_command(scan_json: Path, output: Path) -> None:
    """Write the HTML report of a saved scan: one self-contained page to open in a browser.

    Texts come from the JSON when it has them (HTML and WARC inputs, or `scan --keep-text`),
    else from each article's `path`.

    \b
    Examples:
      copydesk scan articles/ --format json -o scan.json
      copydesk report scan.json -o report.html
    """
    from .report_html import attach_texts, render_report

    err = _stderr()
    _check_output(output)
    try:
        data = json.loads(scan_json.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        data, reason = None, str(exc)
    else:
        reason = "no articles"
    if not isinstance(data, dict) or not isinstance(data.get("articles"), list):
        message = f"copydesk: error: {scan_json}: not a scan JSON file ({reason})"
        err.print(message, markup=False, soft_wrap=True)
        sys.exit(EXIT_NOTHING_READ)
    for problem in attach_texts(data):
        err.print(f"copydesk: warning: {problem}", markup=False, soft_wrap=True)
    _write_report(render_report(data), output, err)


if __name__ == "__main__":
    main()
