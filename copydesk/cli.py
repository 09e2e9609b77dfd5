"""The `copydesk` command: a thin shell over the library (parse arguments, call, print)."""

from __future__ import annotations

import io
import json
import os
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

from . import __version__
from .align import semantic_available
from .clean import clean_article
from .model import Article, ScanOptions, ScanResult
from .pipeline import compare_clean, scan
from .read import read_articles
from .report import (
    TABLE_PAIRS,
    pair_to_dict,
    pair_to_pan,
    plural,
    print_alignment,
    print_scan,
    scan_json_chunks,
    scan_jsonl_chunks,
    scan_schema,
    scan_to_csv,
)
from .store import AddResult, Index, StoreError

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


def _write(text: str | Iterable[str], output: Path | None) -> None:
    """Write text (or its chunks, as they are made) to `output` whole or not at all: an
    interrupted run leaves no half-written file."""
    chunks = [text] if isinstance(text, str) else text
    if output is None:
        for chunk in chunks:
            sys.stdout.write(chunk)
        return
    partial = output.with_name(f".{output.name}.partial")
    try:
        with partial.open("w", encoding="utf-8") as handle:
            for chunk in chunks:
                handle.write(chunk)
        os.replace(partial, output)
    finally:
        partial.unlink(missing_ok=True)


def peak_mib() -> float:
    """The peak resident memory so far of this process or of any finished child (MiB)."""
    try:
        import resource
    except ImportError:  # not on Windows
        return 0.0
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024  # bytes there, KiB elsewhere
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        # Linux carries a parent's size into `ru_maxrss` across fork and exec (a scan started
        # by a large process would report that process's size); VmHWM is this program's own.
        with open("/proc/self/status", encoding="ascii") as status:
            own = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    except (OSError, StopIteration, ValueError):
        pass
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / scale


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
        self.started = time.perf_counter()
        self.last_call: dict[str, float] = {}  # stages in the order they began
        self.peaks: dict[str, float] = {}

    def __enter__(self) -> Callable[[str, int, int], None]:
        self.progress.__enter__()
        return self.update

    def __exit__(self, *exc: object) -> None:
        self.progress.__exit__(None, None, None)

    def timings(self) -> str:
        """Seconds per stage (from the end of the stage before to the stage's last report) and
        the peak memory reached by then, of this process or any worker."""
        parts, previous = [], self.started
        for stage, last in self.last_call.items():
            parts.append(f"{stage} {last - previous:.1f} s ({self.peaks[stage]:.0f} MiB)")
            previous = last
        total = time.perf_counter() - self.started
        return f"timings: {', '.join(parts)}; total {total:.1f} s, peak {peak_mib():.0f} MiB"

    def update(self, stage: str, done: int, total: int) -> None:
        self.last_call[stage] = time.perf_counter()
        self.peaks[stage] = peak_mib()
        if stage not in self.tasks:
            self.tasks[stage] = self.progress.add_task(stage, total=total)
        self.progress.update(self.tasks[stage], completed=done, total=total)


def _scan_options(
    ngram: int, max_df: int, min_shared: int, min_words: int, keep_text: bool, workers: int = 1,
    min_reuse_words: int = ScanOptions.min_reuse_words,
) -> ScanOptions:  # fmt: skip
    return ScanOptions(
        ngram=ngram, max_df=max_df, min_shared=min_shared, min_words=min_words,
        keep_text=keep_text, workers=workers if workers > 0 else (os.cpu_count() or 1),
        min_reuse_words=min_reuse_words,
    )  # fmt: skip


_MIN_REUSE_WORDS_OPTION = click.option(
    "--min-reuse-words",
    type=click.IntRange(min=0),
    default=ScanOptions.min_reuse_words,
    show_default=True,
    help="A pair is reuse when one passage holds this many words (weighed by its similarity) "
    "or its passages cover a fifth of either article; thinner overlaps, the phrases two reports "
    "of one event share, and shared quotes alone make `same_story`. 0: every passage is reuse.",
)


def _dash_is_standard_output(
    ctx: click.Context, param: click.Parameter, value: Path | None
) -> Path | None:
    return None if value is not None and str(value) == "-" else value


#: `-o FILE` of every command that writes a result ("-": standard output, as without it)
output_option = click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    callback=_dash_is_standard_output,
    help="Write here instead of standard output (-: standard output).",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="copydesk")
def main() -> None:
    """copydesk: who copied whom, how, and where, in a pile of news articles.

    \b
    Examples:
      copydesk scan examples/                      # readable summary, best pairs first
      copydesk scan articles/ --format json -o scan.json
      copydesk scan articles/ --top 0              # every pair in the summary table
      copydesk align a.txt b.txt                   # shared passages side by side
    """


def _scan_on_spark(
    paths: tuple[str, ...], options: ScanOptions, engine: str, output: Path | None,
    master: str | None, pairs_to: str | None, pairs_format: str, err: Console,
) -> ScanResult | None:  # fmt: skip
    """`scan --engine spark`: the result built on the driver, or `None` once the cluster has
    written the pairs to `pairs_to` (`--spark-output`)."""
    if engine != "spark":
        raise click.UsageError("--spark-output needs --engine spark")
    if pairs_to is not None and output is not None:
        raise click.UsageError("give -o (a result built here) or --spark-output, not both")
    from . import spark  # PySpark is an extra: imported only for this engine

    try:
        with _ProgressBar(err) as progress:
            if pairs_to is None:
                return spark.scan_spark(list(paths), options, master, progress=progress)
            summary = spark.write_pairs_spark(
                list(paths), pairs_to, options, pairs_format, master, progress=progress
            )
    except KeyboardInterrupt:
        # PySpark's own handler cancels the jobs first; what the cluster began stays unfinished.
        left = f"; {pairs_to} may hold an unfinished write" if pairs_to is not None else ""
        err.print(f"copydesk: interrupted; nothing was written{left}", markup=False)
        sys.exit(130)
    except spark.SparkUnavailable as exc:
        raise click.UsageError(str(exc)) from exc
    except FileExistsError as exc:
        raise click.BadParameter(f"{pairs_to!r} exists", param_hint="--spark-output") from exc
    _report_errors(summary.errors, err)
    if not summary.articles:
        err.print("copydesk: error: no article could be read", markup=False)
        sys.exit(EXIT_NOTHING_READ)
    err.print(
        f"copydesk: {summary.pairs} pairs among {summary.articles} articles written to "
        f"{pairs_to} ({pairs_format})",
        markup=False,
        soft_wrap=True,
    )
    return None


@main.command("scan")
@click.argument("paths", nargs=-1, required=True)
@output_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "jsonl", "csv", "html"]),
    default="table",
    show_default=True,
)
@click.option(
    "--engine",
    type=click.Choice(["local", "spark"]),
    default="local",
    show_default=True,
    help="Where the scan runs: this machine, or Apache Spark (extra copydesk[spark]).",
)
@click.option(
    "--min-words",
    type=click.IntRange(min=1),
    default=ScanOptions.min_words,
    show_default=True,
    help="Shortest passage reported, in words.",
)
@click.option(
    "--ngram",
    type=click.IntRange(min=1),
    default=ScanOptions.ngram,
    show_default=True,
    help="Words per n-gram in the candidate index.",
)
@click.option(
    "--max-df",
    type=click.IntRange(min=2),
    default=ScanOptions.max_df,
    show_default=True,
    help="N-grams found in more articles than this (stock phrases, widely syndicated "
    "passages) pair each such article with the earliest only, where they share ten or more.",
)
@click.option(
    "--min-shared",
    type=click.IntRange(min=1),
    default=ScanOptions.min_shared,
    show_default=True,
    help="Rare n-grams two articles must share to be aligned.",
)
@click.option("--keep-text", is_flag=True, help="Include each article's text in JSON output.")
@_MIN_REUSE_WORDS_OPTION
@click.option(
    "--paraphrase/--no-paraphrase",
    default=True,
    show_default=True,
    help="Also find sentences rewritten in other words (kind `paraphrase`).",
)
@click.option(
    "--paraphrase-method",
    type=click.Choice(["lexical", "semantic", "auto"]),
    default="lexical",
    show_default=True,
    help="lexical: tf-idf cosine and Dice over content words (always available); semantic: "
    "sentence embeddings, needs `pip install 'copydesk[semantic]'`; auto: semantic when "
    "installed. The output names the method that ran.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=0),
    default=0,
    help="Processes for cleaning, spin scoring, fingerprints and alignment; 0 (the default) "
    "uses every core. Same output for any N.",
)
@click.option(
    "--timings",
    is_flag=True,
    help="Print the seconds each stage took, and the peak memory by its end, on standard "
    "error: where the time and memory go.",
)
@click.option(
    "--top",
    type=click.IntRange(min=0),
    default=TABLE_PAIRS,
    show_default=True,
    help="Pairs the table shows, best first; 0 shows them all. Other formats hold every pair.",
)
@click.option(
    "--spark-master",
    metavar="URL",
    help="Spark master for --engine spark (default: spark-submit's, else local[*]).",
)
@click.option(
    "--spark-output",
    metavar="FOLDER",
    help="With --engine spark: the cluster writes the pairs here (a new folder) instead.",
)
@click.option(
    "--spark-output-format",
    type=click.Choice(["parquet", "jsonl"]),
    default="parquet",
    show_default=True,
    help="Format of the pairs in --spark-output.",
)
def scan_command(
    paths: tuple[str, ...], output: Path | None, fmt: str, engine: str, min_words: int,
    ngram: int, max_df: int, min_shared: int, keep_text: bool, workers: int,
    spark_master: str | None, spark_output: str | None, spark_output_format: str,
    paraphrase: bool, paraphrase_method: str, timings: bool, top: int, min_reuse_words: int,
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
      copydesk scan articles/ --top 0
      cat feed.jsonl | copydesk scan - --format csv
    """
    err = _stderr()
    _check_output(output)
    options = _scan_options(
        ngram, max_df, min_shared, min_words, keep_text, workers, min_reuse_words
    )
    options = replace(options, paraphrase=paraphrase, paraphrase_method=paraphrase_method)
    if paraphrase and paraphrase_method == "semantic" and not semantic_available():
        raise click.BadParameter(
            "the semantic method needs the extra: pip install 'copydesk[semantic]'",
            param_hint="--paraphrase-method",
        )
    if engine == "spark" or spark_output is not None:
        on_spark = _scan_on_spark(
            paths, options, engine, output, spark_master, spark_output, spark_output_format, err
        )
        if on_spark is None:  # the cluster wrote the pairs
            return
        result = on_spark
    else:
        bar = _ProgressBar(err)
        try:
            with bar as progress:
                result = scan(list(paths), options, progress=progress)
        except KeyboardInterrupt:
            err.print("copydesk: interrupted; nothing was written", markup=False)
            sys.exit(130)
        if timings:
            err.print(bar.timings(), markup=False, highlight=False, soft_wrap=True)
    _report_errors(result.errors, err)
    if not result.articles:
        err.print("copydesk: error: no article could be read", markup=False)
        sys.exit(EXIT_NOTHING_READ)
    if fmt == "table":
        if output is None:
            print_scan(result, Console(highlight=False), top or None)
        else:
            buffer = io.StringIO()
            console = Console(file=buffer, width=100, highlight=False, no_color=True)
            print_scan(result, console, top or None)
            _write(buffer.getvalue(), output)
        return
    if fmt == "html":
        from .report_html import scan_to_html

        _write_report(scan_to_html(result), output, err)
        return
    writers = {"json": scan_json_chunks, "jsonl": scan_jsonl_chunks, "csv": scan_to_csv}
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
        # The first "#" after an existing file: ids may hold "#" too ("bbc#1").
        cuts = [i for i, c in enumerate(path) if c == "#"]
        cut = next((i for i in cuts if Path(path[:i]).is_file()), cuts[-1])
        path, wanted = path[:cut], path[cut + 1 :]
    articles, errors = read_articles([path])
    if wanted is not None:
        articles = [a for a in articles if a.id == wanted]
        # Faults of the file itself matter; those of its other records do not.
        errors = [e for e in errors if e.line is None]
    _report_errors(errors, console)
    if len(articles) == 1:
        return articles[0]
    if errors and not articles:
        sys.exit(EXIT_NOTHING_READ)  # the reason is said already
    if wanted is not None:
        problem = f"no record {wanted!r} in {path}"
    elif not articles:
        problem = f"{path}: no article in it"
    else:
        problem = f"{path}: {len(articles)} articles in it (pick one with FILE#ID)"
    console.print(f"copydesk: error: {problem}", markup=False, soft_wrap=True)
    sys.exit(EXIT_NOTHING_READ)


@main.command("align")
@click.argument("source")
@click.argument("target")
@output_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "pan"]),
    default="table",
    show_default=True,
)
@click.option(
    "--min-words",
    type=click.IntRange(min=1),
    default=ScanOptions.min_words,
    show_default=True,
    help="Shortest passage reported, in words.",
)
@_MIN_REUSE_WORDS_OPTION
def align_command(
    source: str, target: str, output: Path | None, fmt: str, min_words: int, min_reuse_words: int
) -> None:
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
    options = _scan_options(
        ScanOptions.ngram, ScanOptions.max_df, 1, min_words, False, 1, min_reuse_words
    )
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
    callback=_dash_is_standard_output,
    help="The HTML file to write (-: standard output).",
)
def report_command(scan_json: Path, output: Path | None) -> None:
    """Write the HTML report of a saved scan: one self-contained page to open in a browser.

    Texts come from the JSON when it has them (HTML and WARC inputs, or `scan --keep-text`),
    else from each article's `path`.

    \b
    Examples:
      copydesk scan articles/ --format json -o scan.json
      copydesk report scan.json -o report.html
    """
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import best_match

    from .report_html import attach_texts, render_report

    err = _stderr()
    _check_output(output)
    try:
        data = json.loads(scan_json.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        data, reason = None, str(exc)
    else:
        reason = "no articles"
    if isinstance(data, dict) and isinstance(data.get("articles"), list):
        # Drawn from fields the report trusts to be there: check them all first.
        problem = best_match(Draft202012Validator(scan_schema()).iter_errors(data))
        where = "/".join(str(step) for step in problem.absolute_path) if problem else ""
        reason = f"at {where or 'the top level'}: {problem.message}" if problem else ""
    if reason:
        message = f"copydesk: error: {scan_json}: not a scan JSON file ({reason})"
        err.print(message, markup=False, soft_wrap=True)
        sys.exit(EXIT_NOTHING_READ)
    for problem in attach_texts(data, scan_json.parent):
        err.print(f"copydesk: warning: {problem}", markup=False, soft_wrap=True)
    _write_report(render_report(data), output, err)


# --- the index (copydesk/store.py) and the web service (copydesk/serve.py) ----------------------

_DB_OPTION = click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("copydesk.db"),
    show_default=True,
    help="The index file (SQLite).",
)


def _open_index(db: Path, create: bool = False, workers: int = 1) -> Index:
    """The index at `db`, or exit with the reason it cannot be opened."""
    try:
        return Index(db, create=create, workers=workers)
    except StoreError as exc:
        _stderr().print(f"copydesk: error: {exc}", markup=False, soft_wrap=True)
        sys.exit(EXIT_NOTHING_READ)


@main.group("index")
def index_group() -> None:
    """Keep an index of articles: add them as they arrive, check new ones against it.

    \b
    Examples:
      copydesk index add articles/ --db news.db
      copydesk index check new-article.txt --db news.db
      copydesk index stats --db news.db
      copydesk index export --db news.db --format json -o scan.json
    """


@index_group.command("add")
@click.argument("paths", nargs=-1, required=True)
@_DB_OPTION
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=500,
    show_default=True,
    help="Articles per transaction; a batch is committed whole or not at all.",
)
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Processes for the alignment stage.")  # fmt: skip
@click.option("-v", "--verbose", is_flag=True, help="Print a line as each batch is committed.")
def index_add_command(
    paths: tuple[str, ...], db: Path, batch_size: int, workers: int, verbose: bool
) -> None:
    """Add articles to the index (made when missing), comparing them with what it holds.

    PATHS are read as `copydesk scan` reads them. An article added again with the same id and
    text changes nothing; with a new text it replaces the old version and its pairs.

    \b
    Examples:
      copydesk index add articles/ --db news.db
      copydesk index add today.jsonl --db news.db --workers 2 -v
    """
    err = _stderr()
    index = _open_index(db, create=True, workers=workers)
    committed = 0

    def on_batch(batch: AddResult) -> None:
        nonlocal committed
        committed += batch.read
        if verbose:
            print(f"committed {committed} articles", flush=True)

    with index, _ProgressBar(err) as progress:
        try:
            result = index.add(list(paths), batch_size, on_batch, progress)
        except KeyboardInterrupt:
            err.print(f"copydesk: interrupted; {committed} articles were committed", markup=False)
            sys.exit(130)
        except StoreError as exc:
            err.print(f"copydesk: error: {exc}; {committed} articles were committed before",
                      markup=False, soft_wrap=True)  # fmt: skip
            sys.exit(EXIT_NOTHING_READ)
        total = index.count()
    _report_errors(result.errors, err)
    if not result.read:
        err.print("copydesk: error: no article could be read", markup=False)
        sys.exit(EXIT_NOTHING_READ)
    refreshed = f", {len(result.refreshed)} cleaned anew" if result.refreshed else ""
    print(
        f"{db}: {len(result.added)} added, {len(result.replaced)} replaced, "
        f"{len(result.unchanged)} unchanged{refreshed}; {len(result.pairs)} pairs found; "
        f"{total} articles indexed"
    )


@index_group.command("check")
@click.argument("file")
@_DB_OPTION
@output_option
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)  # fmt: skip
def index_check_command(file: str, db: Path, output: Path | None, fmt: str) -> None:
    """What the article in FILE shares with the index (nothing is added).

    FILE holds one article, or is FILE#ID for one record of a JSONL or CSV file.

    \b
    Examples:
      copydesk index check new-article.txt --db news.db
      copydesk index check 'feed.jsonl#story-42' --db news.db --format json
    """
    err = _stderr()
    _check_output(output)
    article = _read_one(file, err)
    with _open_index(db) as index:
        result = index.check(article)
    if fmt == "json":
        _write(scan_json_chunks(result), output)
        return
    console = Console(highlight=False) if output is None else None
    handle = None if output is None else output.open("w", encoding="utf-8")
    if handle is not None:
        console = Console(file=handle, width=100, highlight=False, no_color=True)
    assert console is not None
    own = [p for p in result.pairs if article.id in (p.source, p.target)]
    story = sum(p.relation == "same_story" for p in own)
    reuse = len(own) - story
    also = f", {story} more {'reports' if story == 1 else 'report'} the same story"
    console.print(
        f"{article.id} against {db}: {plural(reuse, 'indexed article')} "
        f"{'shares' if reuse == 1 else 'share'} passages with it" + (also if story else "")
    )
    # The table lists what this article shares; the pairs among its matches stay in the JSON.
    print_scan(replace(result, pairs=own), console, headline=False)
    if handle is not None:
        handle.close()


@index_group.command("stats")
@_DB_OPTION
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)  # fmt: skip
def index_stats_command(db: Path, fmt: str) -> None:
    """Counts and settings of the index.

    \b
    Example:
      copydesk index stats --db news.db --format json
    """
    with _open_index(db) as index:
        stats = index.stats()
    if fmt == "json":
        print(json.dumps(stats, indent=2))
        return
    relations = ", ".join(f"{n} {r}" for r, n in stats["relations"].items()) or "none"
    options = ", ".join(f"{k}={v}" for k, v in stats["options"].items())
    print(
        f"{stats['path']} (index schema {stats['schema_version']}, "
        f"{stats['bytes'] / 2**20:.1f} MiB)\n"
        f"  articles      {stats['articles']} from {stats['sources']} sources\n"
        f"  pairs         {stats['pairs']} ({relations})\n"
        f"  passages      {stats['passages']}\n"
        f"  fingerprints  {stats['fingerprints']} rare n-grams; set aside as common: "
        f"{stats['common_ngrams']} n-grams, {stats.get('common_names', 0)} names, "
        f"{stats.get('common_terms', 0)} sentence terms\n"
        f"  options       {options}"
    )


@index_group.command("export")
@_DB_OPTION
@output_option
@click.option("--format", "fmt", type=click.Choice(["json", "jsonl", "csv"]), default="json",
              show_default=True)  # fmt: skip
@click.option("--keep-text", is_flag=True, help="Include each article's text in JSON output.")
def index_export_command(db: Path, output: Path | None, fmt: str, keep_text: bool) -> None:
    """The whole index as the output of one scan (the scan JSON, JSON lines or CSV).

    \b
    Examples:
      copydesk index export --db news.db -o scan.json
      copydesk index export --db news.db --format csv -o pairs.csv
    """
    _check_output(output)
    with _open_index(db) as index:
        result = index.export(keep_text=keep_text)
    writers = {"json": scan_json_chunks, "jsonl": scan_jsonl_chunks, "csv": scan_to_csv}
    _write(writers[fmt](result), output)


@main.command("serve")
@_DB_OPTION
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--api-key", envvar="COPYDESK_API_KEY", default=None,
              help="Key required on writes (X-API-Key header); or COPYDESK_API_KEY.")  # fmt: skip
@click.option("--max-body-mb", type=click.FloatRange(min=0.001), default=5.0, show_default=True,
              help="Largest request body accepted, in MiB.")  # fmt: skip
def serve_command(db: Path, host: str, port: int, api_key: str | None, max_body_mb: float) -> None:
    """Serve the index over HTTP: add and check articles, read pairs and stories (JSON).

    OpenAPI documentation at /docs. Needs the web extra: pip install 'copydesk[web]'.

    \b
    Examples:
      copydesk serve --db news.db
      COPYDESK_API_KEY=secret copydesk serve --db news.db --port 8080
    """
    err = _stderr()
    try:
        from .serve import run
    except ImportError as exc:
        err.print(f"copydesk: error: {exc}", markup=False, soft_wrap=True)
        sys.exit(2)
    made = not db.exists()
    _open_index(db, create=True).close()
    if made:
        err.print(f"copydesk: {db} did not exist: starting with an empty index", markup=False)
    if not api_key and host not in ("127.0.0.1", "localhost", "::1"):
        err.print(f"copydesk: warning: listening on {host} without --api-key: anyone who can "
                  "reach it can add articles", markup=False)  # fmt: skip
    run(db, host=host, port=port, api_key=api_key, max_body_bytes=int(max_body_mb * 2**20))


# --- synonym spinning (copydesk/spin.py) --------------------------------------------------------


@main.command("despin")
@click.argument("file")
@output_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
)
@click.option(
    "--force",
    is_flag=True,
    help="Restore even a text that does not look spun (lightly spun ones may not); in a plain "
    "text every change is a false one.",
)
def despin_command(file: str, output: Path | None, fmt: str, force: bool) -> None:
    """Put back the words a synonym spinner swapped in FILE ("helium told me" -> "he told me").

    FILE holds one article (or FILE#ID picks one record of a JSONL or CSV file). Prints the
    restored text; `--format json` gives the spin score and each change with its offsets into
    the text as read, the spun word, the restored word and a confidence.

    \b
    Examples:
      copydesk despin ../shared/corpus/seeds/004_83a1d93e01fe0285.txt
      copydesk despin scraped.txt --format json -o changes.json
    """
    from .spin import despin

    err = _stderr()
    _check_output(output)
    article = _read_one(file, err)
    restored = despin(article.text, force=force)
    if fmt == "json":
        data = {
            "id": article.id,
            "spin": restored.spin.to_dict(),
            "changes": [change.to_dict() for change in restored.changes],
            "text": restored.text,
        }
        _write(json.dumps(data, ensure_ascii=False, indent=2) + "\n", output)
        return
    _write(restored.text if restored.text.endswith("\n") else restored.text + "\n", output)
    verdict = "spun" if restored.spin.spun else "not spun"
    done = plural(len(restored.changes), "word") + " restored"
    if not restored.spin.spun and not force:
        done = "left as it is (--force restores it anyway)"
    err.print(f"copydesk: {article.id}: {verdict} (score {restored.spin.score:.2f}), {done}",
              markup=False, soft_wrap=True)  # fmt: skip


@main.command("spin")
@click.argument("file")
@click.option(
    "--rate",
    type=click.FloatRange(0.0, 1.0),
    default=0.3,
    show_default=True,
    help="Share of the thesaurus words to swap.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed.")
@click.option(
    "--first",
    type=click.FloatRange(0.0, 1.0),
    default=0.0,
    show_default=True,
    help="Share of swaps taking a word's first thesaurus entry (sites favour it).",
)
@click.option("--capitalised", is_flag=True, help="Swap capitalised words too.")
@output_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
)
def spin_command(
    file: str, rate: float, seed: int, first: float, capitalised: bool, output: Path | None,
    fmt: str,
) -> None:  # fmt: skip
    """Run FILE through a seeded synonym spinner, as scraper sites do (for test corpora).

    Words are swapped for random thesaurus entries (WordNet), whatever their part of speech,
    in the case of the word replaced. `--format json` also lists each swap with its offsets
    into the spun text.

    \b
    Examples:
      copydesk spin article.txt --rate 0.3 --seed 1
      copydesk spin article.txt --rate 0.5 --format json -o spun.json
    """
    from .spin import spin_swaps

    err = _stderr()
    _check_output(output)
    article = _read_one(file, err)
    spun, swaps = spin_swaps(article.text, rate, seed, first=first, capitalised=capitalised)
    if fmt == "json":
        data = {
            "id": article.id,
            "rate": rate,
            "seed": seed,
            "text": spun,
            "swaps": [
                {"start": s.start, "end": s.end, "spun": s.spun, "original": s.original}
                for s in swaps
            ],
        }
        _write(json.dumps(data, ensure_ascii=False, indent=2) + "\n", output)
        return
    _write(spun if spun.endswith("\n") else spun + "\n", output)


if __name__ == "__main__":
    main()
