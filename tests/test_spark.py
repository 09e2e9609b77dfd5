"""The Spark engine (copydesk/spark.py) reports what the local engine reports, on the same input.

One SparkSession (local[2], few shuffle partitions) serves every test here: a session takes 7 to
11 s to start. PySpark is part of what `make test` installs: without it (or without Java) these
tests skip, except on CI, where they fail.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fixtures.stories import FESTIVAL, FLOOD_REPORT

from copydesk import scan
from copydesk.candidates import find_candidates
from copydesk.clean import clean_articles
from copydesk.cli import main, scan_command
from copydesk.model import Article, ScanOptions, ScanResult
from copydesk.report import pair_to_dict, scan_to_dict
from copydesk.spark import (
    SparkUnavailable,
    find_candidates_spark,
    scan_spark,
    spark_session,
    write_pairs_spark,
)
from copydesk.synthetic import make_corpus

SPARK_CONFIG = {
    "spark.sql.shuffle.partitions": "4",
    "spark.default.parallelism": "2",
    "spark.ui.enabled": "false",
    "spark.driver.memory": "2g",
}


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """One local Spark session for every test; a missing PySpark or Java fails only on CI."""
    try:
        session = spark_session("local[2]", SPARK_CONFIG)
    except SparkUnavailable as exc:
        if _in_ci():
            pytest.fail(str(exc))
        pytest.skip(str(exc))
    yield session
    session.stop()


def _without_paths(data: dict[str, Any]) -> dict[str, Any]:
    """The scan JSON less the articles' paths (which name the files read, Parquet or JSONL)."""
    articles = [{k: v for k, v in a.items() if k != "path"} for a in data["articles"]]
    return {**data, "articles": articles}


def _errors(result: ScanResult) -> list[tuple[str, str]]:
    """Read errors as (where, reason): Spark reads JSON lines without counting lines."""
    return [(e.path, e.reason) for e in result.errors]


def test_same_json_as_local_on_the_seeds(spark: Any, seeds_dir: Path) -> None:
    local = scan([seeds_dir])
    assert local.pairs, "the seeds share passages"
    assert scan_to_dict(scan_spark([seeds_dir], spark=spark)) == scan_to_dict(local)


def test_a_light_spin_told_by_its_pair_as_locally(
    spark: Any, examples_dir: Path, tmp_path: Path
) -> None:
    """The executors tell a copy that reads as plain alone by its pair (`which_is_spun`, which
    loads the spin model there) and give the same JSON as the local engine."""
    from copydesk.spin import spin_text

    rows = [json.loads(line) for line in
            (examples_dir / "newsroom.jsonl").read_text(encoding="utf-8").splitlines()]  # fmt: skip
    original = next(row for row in rows if row["id"] == "courier-budget")
    (tmp_path / "original.txt").write_text(original["text"], encoding="utf-8")
    (tmp_path / "copy.txt").write_text(spin_text(original["text"], 0.1, 6), encoding="utf-8")
    local = scan_to_dict(scan([tmp_path]))
    assert [(p["source"], p["relation"]) for p in local["pairs"]] == [("original", "spun_copy")]
    assert scan_to_dict(scan_spark([tmp_path], spark=spark)) == local


@pytest.fixture(scope="module")
def synthetic(spark: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """2,000 articles with known reuse (seven outlets), as JSON lines and as Parquet, and the
    local engine's scan of them. Articles are kept short so that the three scans stay quick."""
    corpus = make_corpus(2000, seed=29, words=(60, 160), edit_rate=0.1)
    folder = tmp_path_factory.mktemp("synthetic")
    records = [
        {"id": a.id, "text": a.text, "source": a.source, "published": a.published}
        for a in corpus.articles
    ]
    jsonl = folder / "corpus.jsonl"
    jsonl.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    parquet = folder / "corpus.parquet"
    schema = "id string, text string, source string, published string"
    rows = [(r["id"], r["text"], r["source"], r["published"]) for r in records]
    spark.createDataFrame(rows, schema).write.parquet(str(parquet))
    local = scan([jsonl], ScanOptions(workers=2))
    return {"jsonl": jsonl, "parquet": parquet, "local": scan_to_dict(local)}


def test_same_json_as_local_on_2000_articles_from_json_lines(
    spark: Any, synthetic: dict[str, Any]
) -> None:
    local = synthetic["local"]
    assert len(local["articles"]) == 2000 and len(local["pairs"]) > 500
    assert scan_to_dict(scan_spark([synthetic["jsonl"]], spark=spark)) == local


def test_same_pairs_as_local_on_2000_articles_from_parquet(
    spark: Any, synthetic: dict[str, Any]
) -> None:
    found = scan_to_dict(scan_spark([str(synthetic["parquet"])], spark=spark))
    assert found["pairs"] == synthetic["local"]["pairs"]
    assert _without_paths(found) == _without_paths(synthetic["local"])


def test_index_gives_the_candidates_of_find_candidates(spark: Any) -> None:
    # Rewritten paragraphs share few 5-grams: sentence sketches find some of these pairs alone.
    corpus = make_corpus(200, seed=41, kinds=("copy", "partial", "rewritten"), edit_rate=0.1)
    docs = clean_articles(corpus.articles)
    options = ScanOptions()
    expected = find_candidates(docs, options.ngram, options.max_df, options.min_shared)
    assert any(c.shared < options.min_shared for c in expected), "no sketch-only pair"
    assert find_candidates_spark(spark, docs, options) == expected


def test_a_hub_pairs_each_copy_with_the_earliest_as_locally(spark: Any, tmp_path: Path) -> None:
    # A story run by more outlets than max_df: each copy pairs with the earliest, listed last.
    records = [
        {"id": f"copy{i}", "text": f"Outlet {i} runs the wire.\n\n{FLOOD_REPORT}\n\nMore.",
         "published": "2026-03-16"}
        for i in range(8)
    ]  # fmt: skip
    wire = {"id": "wire", "text": FLOOD_REPORT, "published": "2026-03-15T09:00:00Z"}
    records += [{"id": "festival", "text": FESTIVAL}, wire]
    path = tmp_path / "hub.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    options = ScanOptions(max_df=5)
    docs = clean_articles([Article(r["id"], r["text"], published=r.get("published"))
                           for r in records])  # fmt: skip
    expected = find_candidates(docs, options.ngram, options.max_df, options.min_shared)
    assert {(c.a, c.b) for c in expected} == {(i, 9) for i in range(8)}
    assert find_candidates_spark(spark, docs, options) == expected
    local = scan_to_dict(scan([path], options))
    assert {(p["source"], p["target"]) for p in local["pairs"]} == {
        ("wire", f"copy{i}") for i in range(8)}  # fmt: skip
    assert scan_to_dict(scan_spark([path], options, spark=spark)) == local


def test_read_errors_and_skipped_files_as_local(spark: Any, tmp_path: Path) -> None:
    text = "Harbour cranes stood idle on Tuesday as dockers walked out over pay and rosters."
    lines = [
        json.dumps({"id": "one", "text": text, "source": "Daily"}),
        "",
        "{not json",
        json.dumps({"id": "two"}),
        json.dumps({"id": "one", "text": text + " Again."}),
        json.dumps({"id": 3, "text": text + " Numbered.", "published": "2026-02-01"}),
        json.dumps({"id": "four", "text": text, "published": "last week"}),
    ]
    (tmp_path / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "empty.jsonl").write_bytes(b"")
    (tmp_path / "blank.jsonl").write_text("\n\n", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "letter.txt").write_text(text + " A letter.", encoding="utf-8")
    (tmp_path / "sub" / "table.csv").write_text(f'id,text\nrow1,"{text} Row."\n', "utf-8")
    (tmp_path / "notes.md").write_text("not an input", encoding="utf-8")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "secret.txt").write_text(text, encoding="utf-8")
    inputs = [str(tmp_path), str(tmp_path / "missing.jsonl"), str(tmp_path / "notes.md")]
    local = scan(inputs)
    found = scan_spark(inputs, spark=spark)
    assert [a.article.id for a in local.articles] == ["one", "3", "letter", "row1"]
    assert [a.article.id for a in found.articles] == ["one", "3", "letter", "row1"]
    assert scan_to_dict(found)["articles"] == scan_to_dict(local)["articles"]
    assert _errors(found) == _errors(local)


def test_nothing_read(spark: Any, tmp_path: Path) -> None:
    result = scan_spark([tmp_path / "missing"], spark=spark)
    assert not result.articles and not result.pairs
    assert _errors(result) == [(str(tmp_path / "missing"), "no such file or folder")]


def test_pairs_written_by_the_executors(spark: Any, tmp_path: Path, examples_dir: Path) -> None:
    verbatim_only = ScanOptions(paraphrase=False, min_words=12)  # no sketches, names nor idf
    local = scan([examples_dir], verbatim_only)
    out = tmp_path / "pairs"
    summary = write_pairs_spark([examples_dir], str(out), verbatim_only, "parquet", spark=spark)
    assert (summary.articles, summary.pairs) == (len(local.articles), len(local.pairs))
    rows = [r.asDict(recursive=True) for r in spark.read.parquet(str(out)).collect()]
    rows.sort(key=lambda r: (-r["score"], r["source"], r["target"]))
    for row in rows:
        for passage in row["passages"]:
            if not passage["quote"]:
                del passage["quote"]  # the JSON leaves it out when false
    assert rows == [pair_to_dict(p) for p in local.pairs]
    with pytest.raises(FileExistsError):
        write_pairs_spark([examples_dir], str(out), spark=spark)


def test_cli_engine_spark(spark: Any, tmp_path: Path, examples_dir: Path) -> None:
    # The examples mix JSON lines, text files and a web page; one outlet's footer is learned
    # as boilerplate (per source), and stories group the copies.
    runner = CliRunner()
    args = ["scan", str(examples_dir), "--format", "json"]
    local = json.loads(runner.invoke(main, args).stdout)
    assert any(r["reason"] == "boilerplate" for a in local["articles"] for r in a["removed"])
    on_spark = runner.invoke(main, [*args, "--engine", "spark", "--spark-master", "local[2]"])
    assert on_spark.exit_code == 0, on_spark.output
    assert json.loads(on_spark.stdout) == local

    out = tmp_path / "pairs"
    written = runner.invoke(
        main,
        ["scan", str(examples_dir), "--engine", "spark", "--spark-output", str(out),
         "--spark-output-format", "jsonl"],
    )  # fmt: skip
    assert written.exit_code == 0, written.output
    summary = f"{len(local['pairs'])} pairs among {len(local['articles'])} articles"
    assert summary in written.stderr
    lines = [line for part in sorted(out.glob("part-*")) for line in part.read_text().splitlines()]
    assert [json.loads(line) for line in lines] == [{"type": "pair", **p} for p in local["pairs"]]

    both = runner.invoke(main, [*args, "--engine", "spark", "--spark-output", str(out), "-o", "x"])
    assert both.exit_code == 2
    local_only = runner.invoke(main, [*args, "--spark-output", str(tmp_path / "other")])
    assert local_only.exit_code == 2
    again = runner.invoke(main, ["scan", str(examples_dir), "--engine", "spark",
                                 "--spark-output", str(out)])  # fmt: skip
    assert again.exit_code == 2 and "exists" in again.output


def test_cli_names_the_extra_when_pyspark_is_missing(
    monkeypatch: pytest.MonkeyPatch, examples_dir: Path
) -> None:
    monkeypatch.setitem(sys.modules, "pyspark", None)  # import pyspark now fails
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)
    result = CliRunner().invoke(main, ["scan", str(examples_dir), "--engine", "spark"])
    assert result.exit_code == 2
    assert "copydesk[spark]" in result.output


def test_readme_spark_commands_use_real_options() -> None:
    """The README's Spark section names only options `copydesk scan` has."""
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Running on Apache Spark", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```\n(.*?)```", section, re.DOTALL)
    named = {option for block in blocks for option in re.findall(r"(?<![\w-])--[a-z][\w-]*", block)}
    # spark-submit's and pip's own options
    others = {"--master", "--archives", "--conf", "--py-files", "--deploy-mode", "--no-deps"}
    scan_options = {opt for param in scan_command.params for opt in param.opts}
    assert {"--engine", "--spark-master", "--spark-output"} <= named
    assert named - others <= scan_options
