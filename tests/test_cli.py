"""The `copydesk` command line: exit statuses, where output goes, and what it says."""

from __future__ import annotations

import inspect
import io
import json
import re
import sqlite3
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import replace
from itertools import combinations
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner, Result
from fixtures.stories import COMMUTER_REPORT, COUNCIL_REPORT, COUNCIL_SENTENCE
from rich.console import Console

import copydesk
from copydesk import Article, store
from copydesk.cli import main
from copydesk.model import Passage
from copydesk.report import pan_detections, print_scan, scan_schema
from copydesk.store import Index


@pytest.fixture()
def runner() -> CliRunner:
    """Keeps standard error apart from standard output on every click version."""
    env = {"COLUMNS": "120", "NO_COLOR": "1"}
    if "mix_stderr" in inspect.signature(CliRunner.__init__).parameters:  # click < 8.2
        return CliRunner(mix_stderr=False, env=env)
    return CliRunner(env=env)


def run(runner: CliRunner, *args: str | Path, stdin: str | None = None) -> Result:
    return runner.invoke(main, [str(a) for a in args], input=stdin, catch_exceptions=False)


def seed(seeds_dir: Path, prefix: str) -> Path:
    return next(seeds_dir.glob(f"{prefix}_*.txt"))


def test_scan_prints_the_pairs(runner: CliRunner, seeds_dir: Path, seed_ids: dict) -> None:
    result = run(runner, "scan", seeds_dir)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert "scanned 5 articles" in result.stdout
    rows = [line for line in result.stdout.splitlines() if seed_ids["000"] in line]
    assert any(seed_ids["001"] in line for line in rows), result.stdout


def test_scan_table_shows_the_top_pairs(runner: CliRunner, seeds_dir: Path, seed_ids: dict) -> None:
    def rows(output: str) -> list[str]:
        """Table rows: a line naming two seeds with an arrow between (a pair)."""
        ids = seed_ids.values()
        return [
            line
            for line in output.splitlines()
            if sum(i in line for i in ids) == 2 and ("↔" in line or "→" in line)
        ]

    every = run(runner, "scan", seeds_dir, "--top", "0")
    assert every.exit_code == 0, every.stderr
    assert len(rows(every.stdout)) == 3 and "more pair" not in every.stdout
    best = run(runner, "scan", seeds_dir, "--top", "1")
    assert rows(best.stdout) == rows(every.stdout)[:1]
    assert "... and 2 more pairs (all of them: --top 0" in best.stdout
    assert run(runner, "scan", seeds_dir, "--top", "-1").exit_code == 2


def _pair_rows(output: str) -> list[str]:
    """The table's rows naming a pair (not its header)."""
    return [
        line
        for line in output.splitlines()
        if ("→" in line or "↔" in line) and "source → target" not in line
    ]


def _stories_folder(tmp_path: Path) -> Path:
    """Two reports of one event sharing a stock phrase, a third copying a sentence of one."""
    folder = tmp_path / "stories"
    folder.mkdir()
    (folder / "council.txt").write_text(COUNCIL_REPORT, encoding="utf-8")
    (folder / "commuters.txt").write_text(COMMUTER_REPORT, encoding="utf-8")
    brief = "Dunmere in brief. " + COUNCIL_SENTENCE + " More on page four."
    (folder / "brief.txt").write_text(brief, encoding="utf-8")
    return folder


def test_the_table_lists_reuse_before_pairs_of_one_story_whatever_their_scores() -> None:
    council, commuters = Article("council", COUNCIL_REPORT), Article("commuters", COMMUTER_REPORT)
    brief = Article("brief", "Dunmere in brief. " + COUNCIL_SENTENCE + " More on page four.")
    result = copydesk.scan([council, commuters, brief])
    assert [p.relation for p in result.pairs] == ["copy", "same_story"]
    # Rank the same-story pair first by score: the table still shows the copy first.
    result.pairs = [replace(result.pairs[1], score=0.99), replace(result.pairs[0], score=0.5)]
    out = io.StringIO()
    print_scan(result, Console(file=out, width=100))
    rows = _pair_rows(out.getvalue())
    assert "copy" in rows[0] and "same_story" in rows[1]


def test_scan_lists_reuse_before_the_same_story_and_align_says_why_none(
    runner: CliRunner, tmp_path: Path
) -> None:
    folder = _stories_folder(tmp_path)
    result = run(runner, "scan", folder, "--top", "0")
    assert result.exit_code == 0, result.stderr
    assert "1 pair sharing passages (1 copy), 1 more on the same story" in result.stdout
    rows = _pair_rows(result.stdout)
    assert len(rows) == 2 and {"council", "commuters"} <= set(re.findall(r"\w+", rows[1]))
    assert "Next: the top pair side by side" in result.stdout and "brief.txt" in result.stdout
    align = run(runner, "align", folder / "council.txt", folder / "commuters.txt")
    assert align.exit_code == 0 and "No reuse between council and commuters" in align.stdout
    every = run(runner, "align", folder / "council.txt", folder / "commuters.txt",
                "--min-reuse-words", "0")  # fmt: skip
    assert every.exit_code == 0 and "council → commuters: paraphrase, 2 passages" in every.stdout


def test_pan_lists_no_detection_for_texts_that_only_quote_one_source(
    runner: CliRunner, tmp_path: Path
) -> None:
    minister = (
        "“The bridge will stay closed until divers can examine the foundations, and that will "
        "not happen before the current slows down in the spring,” the minister said."
    )
    a, b = tmp_path / "gazette.txt", tmp_path / "radio.txt"
    a.write_text(
        f"The Valley Gazette asked about the bridge on Monday. {minister} Traders in the town "
        "centre said they were losing business.",
        encoding="utf-8",
    )
    b.write_text(
        f"A radio phone-in was dominated by the closure of the old crossing. {minister} "
        "Listeners were unimpressed.",
        encoding="utf-8",
    )
    pan = run(runner, "align", a, b, "--format", "pan")
    assert pan.exit_code == 0 and "detected-plagiarism" not in pan.stdout
    every = run(runner, "align", a, b, "--format", "pan", "--min-reuse-words", "0")
    assert every.stdout.count("detected-plagiarism") == 1


def test_index_check_counts_reuse_and_same_story_apart(runner: CliRunner, tmp_path: Path) -> None:
    folder = _stories_folder(tmp_path)
    db = tmp_path / "i.db"
    added = run(runner, "index", "add", folder / "council.txt", folder / "brief.txt", "--db", db)
    assert added.exit_code == 0, added.stderr
    check = run(runner, "index", "check", folder / "commuters.txt", "--db", db)
    assert check.exit_code == 0, check.stderr
    said = " ".join(check.stdout.split())
    assert "i.db: 0 indexed articles share passages with it, 1 more reports the same story" in said


def test_scan_json_to_a_file(runner: CliRunner, seeds_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "scan.json"
    result = run(runner, "scan", seeds_dir, "--format", "json", "-o", out)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    data = json.loads(out.read_text(encoding="utf-8"))
    jsonschema.validate(data, scan_schema(), cls=jsonschema.Draft202012Validator)
    assert len(data["articles"]) == 5 and len(data["pairs"]) >= 1


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_scan_other_formats_go_to_stdout(runner: CliRunner, seeds_dir: Path, fmt: str) -> None:
    result = run(runner, "scan", seeds_dir, "--format", fmt)
    assert result.exit_code == 0, result.stderr
    first = result.stdout.splitlines()[0]
    if fmt == "jsonl":
        assert json.loads(first)["type"] == "article"
    else:
        assert first.startswith("source,target,relation,direction,score")


def test_scan_table_to_a_file(runner: CliRunner, seeds_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "summary.txt"
    result = run(runner, "scan", seeds_dir, "-o", out)
    assert result.exit_code == 0 and result.stdout == ""
    summary = out.read_text(encoding="utf-8")
    assert "scanned 5 articles" in summary and "\x1b[" not in summary


def test_scan_reads_stdin(runner: CliRunner, examples_dir: Path) -> None:
    feed = (examples_dir / "newsroom.jsonl").read_text(encoding="utf-8")
    result = run(runner, "scan", "-", "--format", "json", stdin=feed)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert {a["path"] for a in data["articles"]} == {"<stdin>"}
    assert ("wire-flood", "daily-flood", "duplicate") in {
        (p["source"], p["target"], p["relation"]) for p in data["pairs"]
    }


def test_one_bad_file_is_reported_and_the_rest_scanned(
    runner: CliRunner, seeds_dir: Path, tmp_path: Path
) -> None:
    for source in (seed(seeds_dir, "000"), seed(seeds_dir, "001")):
        (tmp_path / source.name).write_bytes(source.read_bytes())
    (tmp_path / "scan.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    result = run(runner, "scan", tmp_path, "--format", "json")
    assert result.exit_code == 0
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "scan.txt" in lines[0] and "binary" in lines[0]
    data = json.loads(result.stdout)
    assert len(data["articles"]) == 2 and len(data["pairs"]) == 1
    assert len(data["errors"]) == 1 and "scan.txt" in data["errors"][0]


def test_one_good_and_one_binary_file(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("A perfectly ordinary article about the harbour.\n")
    (tmp_path / "photo.txt").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00")
    result = run(runner, "scan", tmp_path)
    assert result.exit_code == 0
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "photo.txt" in lines[0]
    assert "scanned 1 article:" in result.stdout


def test_nothing_readable_exits_1(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"\x00\x01\x02")
    (tmp_path / "b.jsonl").write_text('{"id": "no-text"}\n')
    result = run(runner, "scan", tmp_path, tmp_path / "missing.txt")
    assert result.exit_code == 1
    assert result.stdout == ""
    errors = result.stderr.splitlines()
    assert len(errors) == 4  # three inputs, then "no article could be read"
    assert "no article could be read" in errors[-1]


def test_empty_folder_exits_1(runner: CliRunner, tmp_path: Path) -> None:
    result = run(runner, "scan", tmp_path)
    assert result.exit_code == 1 and "no article" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["scan", "--no-such-option", "x"],
        ["scan"],
        ["scan", "x", "--format", "yaml"],
        ["scan", "x", "--min-words", "0"],
        ["scan", "x", "--max-df", "1"],
        ["align", "only-one.txt"],
        ["frobnicate"],
    ],
)
def test_wrong_usage_exits_2(runner: CliRunner, args: list[str]) -> None:
    result = run(runner, *args)
    assert result.exit_code == 2
    assert result.stdout == "" and "Usage" in result.stderr


def test_align_pan(runner: CliRunner, seeds_dir: Path, tmp_path: Path) -> None:
    source, target = seed(seeds_dir, "000"), seed(seeds_dir, "001")
    out = tmp_path / "detections.xml"
    pan = run(runner, "align", source, target, "--format", "pan", "-o", out)
    assert pan.exit_code == 0, pan.stderr
    as_json = run(runner, "align", source, target, "--format", "json")
    assert as_json.exit_code == 0, as_json.stderr
    pair = json.loads(as_json.stdout)
    assert (pair["source"], pair["target"]) == (source.stem, target.stem)  # order kept
    assert pair["passages"]

    root = ET.parse(out).getroot()
    assert root.get("reference") == target.name
    features = root.findall("feature")
    passages = [Passage(tuple(p["source"]), tuple(p["target"]), p["kind"], p["similarity"])
                for p in pair["passages"]]  # fmt: skip
    detections = pan_detections(passages)
    # An edited passage and the paraphrase passage after it overlap on both sides: one case.
    assert len(features) == len(detections) == len(passages) - 1
    source_text = source.read_text(encoding="utf-8")
    target_text = target.read_text(encoding="utf-8")
    for feature, (source_span, target_span) in zip(features, detections, strict=True):
        assert feature.get("source_reference") == source.name
        this = int(feature.get("this_offset", -1)), int(feature.get("this_length", -1))
        assert this == (target_span[0], target_span[1] - target_span[0])
        assert sum(this) <= len(target_text)
        other = int(feature.get("source_offset", -1)), int(feature.get("source_length", -1))
        assert other == (source_span[0], source_span[1] - source_span[0])
        assert sum(other) <= len(source_text)
    for (s, t), (s2, t2) in combinations(detections, 2):  # no two overlap on both sides
        assert s[1] <= s2[0] or s2[1] <= s[0] or t[1] <= t2[0] or t2[1] <= t[0]
    # the seeds share their opening sentence word for word
    first = pair["passages"][0]
    assert source_text[first["source"][0] :].startswith("France is backing away")
    assert target_text[first["target"][0] :].startswith("France is backing away")


def test_align_table(runner: CliRunner, seeds_dir: Path) -> None:
    result = run(runner, "align", seed(seeds_dir, "000"), seed(seeds_dir, "001"))
    assert result.exit_code == 0, result.stderr
    assert "passages" in result.stdout and "France is backing away" in result.stdout


def test_align_unrelated_says_so(runner: CliRunner, seeds_dir: Path) -> None:
    result = run(
        runner, "align", seed(seeds_dir, "000"), seed(seeds_dir, "004"), "--format", "json"
    )
    assert result.exit_code == 0
    assert json.loads(result.stdout)["passages"] == []


def test_align_needs_one_article_per_side(runner: CliRunner, seeds_dir: Path) -> None:
    result = run(runner, "align", seeds_dir, seed(seeds_dir, "000"))
    assert result.exit_code == 1
    assert "5 articles in it (pick one with FILE#ID)" in result.stderr


def test_one_article_commands_say_once_what_is_wrong(
    runner: CliRunner, examples_dir: Path, tmp_path: Path
) -> None:
    feed = examples_dir / "newsroom.jsonl"
    missing = run(runner, "despin", f"{feed}#nope")
    assert missing.exit_code == 1
    assert missing.stderr.strip() == f"copydesk: error: no record 'nope' in {feed}"
    gone = run(runner, "despin", tmp_path / "gone.txt")
    assert gone.exit_code == 1 and len(gone.stderr.strip().splitlines()) == 1
    # the faults of other records of a file are not this command's
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text('{"id": "a", "text": "The council met on Monday."}\n{bad\n', "utf-8")
    one = run(runner, "despin", f"{mixed}#a")
    assert one.exit_code == 0 and "malformed" not in one.stderr
    hashed = tmp_path / "hashed.jsonl"
    hashed.write_text('{"id": "bbc#1", "text": "The council met on Monday."}\n', "utf-8")
    assert run(runner, "despin", f"{hashed}#bbc#1").stdout == "The council met on Monday.\n"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--help"], ["Examples:", "copydesk scan", "copydesk align"]),
        (["scan", "--help"], ["Examples:", "--format", "cat feed.jsonl | copydesk scan -"]),
        (["align", "--help"], ["Examples:", "--format pan"]),
        (["index", "add", "--help"], ["Examples:", "copydesk index add articles/ --db news.db"]),
        (["index", "check", "--help"], ["Examples:", "copydesk index check new-article.txt"]),
        (["index", "stats", "--help"], ["Example:", "copydesk index stats --db news.db"]),
        (["index", "export", "--help"], ["Examples:", "--format csv -o pairs.csv"]),
    ],
)
def test_help_shows_examples(runner: CliRunner, args: list[str], expected: list[str]) -> None:
    result = run(runner, *args)
    assert result.exit_code == 0
    for text in expected:
        assert text in result.stdout


def test_version(runner: CliRunner) -> None:
    from copydesk import __version__

    result = run(runner, "--version")
    assert result.exit_code == 0 and __version__ in result.stdout


def test_scan_workers_option(runner: CliRunner, examples_dir: Path) -> None:
    outputs = [
        run(runner, "scan", examples_dir, "--format", "csv", "--workers", n).output
        for n in ("1", "2", "0")
    ]
    assert outputs[0] == outputs[1] == outputs[2]
    assert "wire-flood,daily-flood,duplicate" in outputs[0]
    bad = runner.invoke(main, ["scan", str(examples_dir), "--workers", "-1"])
    assert bad.exit_code == 2


def test_timings_name_every_stage_with_its_seconds_and_memory(
    runner: CliRunner, examples_dir: Path
) -> None:
    import re

    result = run(runner, "scan", examples_dir, "--timings", "--workers", "1")
    assert result.exit_code == 0
    line = next(x for x in result.stderr.splitlines() if x.startswith("timings: "))
    stages = re.findall(r"(\w+) ([\d.]+) s \((\d+) MiB\)", line)
    names = [name for name, _, _ in stages]
    assert names == ["read", "clean", "spin", "fingerprint", "candidates", "idf", "align",
                     "assemble"]  # fmt: skip
    peaks = [int(mib) for _, _, mib in stages]
    assert peaks == sorted(peaks) and peaks[0] > 10  # a peak never falls; Python alone is more
    total = float(re.search(r"total ([\d.]+) s, peak (\d+) MiB", line).group(1))  # type: ignore[union-attr]
    assert sum(float(s) for _, s, _ in stages) <= total + 0.1
    assert "timings" not in result.stdout


def test_timings_peak_is_the_scans_own_when_a_large_process_starts_it(
    examples_dir: Path, tmp_path: Path
) -> None:
    """Linux carries a parent's size into a child's `ru_maxrss`: the scan must not report it."""
    import subprocess
    import sys

    script = (
        "import subprocess, sys\n"
        "held = bytearray(800 * 2**20)\n"  # the starting process holds 800 MiB, touched
        "held[::4096] = b'x' * len(held[::4096])\n"
        "command = [sys.executable, '-m', 'copydesk', 'scan', sys.argv[1], '--timings',"
        " '--workers', '1', '-o', sys.argv[2], '--format', 'json']\n"
        "done = subprocess.run(command, capture_output=True, text=True, check=True)\n"
        "print(done.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(examples_dir),
                           str(tmp_path / "scan.json")],
                          capture_output=True, text=True, check=True)  # fmt: skip
    import re

    read_peak = int(re.search(r"read [\d.]+ s \((\d+) MiB\)", done.stdout).group(1))  # type: ignore[union-attr]
    assert 10 < read_peak < 400


def test_an_output_file_is_written_whole_or_not_at_all(
    runner: CliRunner, examples_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from copydesk import cli

    out = tmp_path / "scan.json"
    out.write_text("previous run\n", encoding="utf-8")

    def interrupted() -> Iterator[str]:  # Ctrl-C while the JSON is being written out
        yield '{"half": '
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        cli._write(interrupted(), out)
    assert out.read_text(encoding="utf-8") == "previous run\n"
    assert [p.name for p in tmp_path.iterdir()] == ["scan.json"]
    result = run(runner, "scan", examples_dir, "--format", "json", "-o", out)
    assert result.exit_code == 0
    assert json.loads(out.read_text(encoding="utf-8"))["pairs"]


def test_scan_names_the_paraphrase_method_and_can_turn_it_off(
    runner: CliRunner, seeds_dir: Path
) -> None:
    on = json.loads(run(runner, "scan", seeds_dir, "--format", "json").output)
    off = json.loads(run(runner, "scan", seeds_dir, "--format", "json", "--no-paraphrase").output)
    assert on["paraphrase_method"] == "lexical" and off["paraphrase_method"] is None
    kinds = {q["kind"] for p in on["pairs"] for q in p["passages"]}
    assert "paraphrase" in kinds
    assert "paraphrase" not in {q["kind"] for p in off["pairs"] for q in p["passages"]}
    # (the summary line wraps at the console's width, wherever its counts put the break)
    assert "Paraphrase method: lexical" in " ".join(run(runner, "scan", seeds_dir).output.split())


def test_semantic_method_without_its_extra_is_a_usage_error(
    runner: CliRunner, seeds_dir: Path
) -> None:
    from copydesk.align import semantic_available

    if semantic_available():
        pytest.skip("the semantic extra is installed here")
    done = runner.invoke(main, ["scan", str(seeds_dir), "--paraphrase-method", "semantic"])
    assert done.exit_code == 2
    assert "copydesk[semantic]" in done.output


def test_scan_table_names_the_spun_article_and_how_to_restore_it(
    runner: CliRunner, seeds_dir: Path, seed_ids: dict
) -> None:
    out = run(runner, "scan", seeds_dir).output
    spun_lines = [line for line in out.splitlines() if seed_ids["004"] in line and "spin" in line]
    assert len(spun_lines) == 1
    assert "copydesk despin" in spun_lines[0] and seed_ids["004"] + ".txt" in spun_lines[0]
    assert not any(seed_ids[n] in line and "spin score" in line
                   for n in ("000", "001", "002", "003") for line in out.splitlines())  # fmt: skip


def test_scan_table_says_a_light_spin_was_told_by_its_pair(
    runner: CliRunner, examples_dir: Path, tmp_path: Path
) -> None:
    from copydesk.spin import spin_text

    rows = [json.loads(line) for line in
            (examples_dir / "newsroom.jsonl").read_text(encoding="utf-8").splitlines()]  # fmt: skip
    original = next(row for row in rows if row["id"] == "courier-budget")
    (tmp_path / "original.txt").write_text(original["text"], encoding="utf-8")
    # A tenth of the words swapped: the copy reads as plain alone (`test_spin.py`).
    (tmp_path / "copy.txt").write_text(spin_text(original["text"], 0.1, 6), encoding="utf-8")
    out = run(runner, "scan", tmp_path).output
    (line,) = [line for line in out.splitlines() if line.strip().startswith("copy:")]
    assert "reads as plain alone" in line and "original run through a spinner" in line
    assert "copydesk despin" not in line  # despin alone would leave it as it is
    assert "37 words put back" in line


def test_ctrl_c_stops_a_parallel_scan_cleanly(tmp_path: Path) -> None:
    """Ctrl-C (SIGINT to the whole process group, as a terminal sends it) during a scan with
    worker processes: exit 130, one line saying so, no traceback, no output file."""
    import dataclasses
    import os
    import signal
    import subprocess
    import sys
    import time

    from copydesk.synthetic import make_corpus

    corpus = tmp_path / "corpus.jsonl"
    with corpus.open("w", encoding="utf-8") as out:
        for article in make_corpus(3000, seed=5).articles:
            fields = {k: v for k, v in dataclasses.asdict(article).items() if v}
            out.write(json.dumps(fields) + "\n")
    target = tmp_path / "scan.json"
    command = [str(Path(sys.executable).parent / "copydesk"), "scan", str(corpus),
               "--workers", "2", "--format", "json", "-o", str(target)]  # fmt: skip
    # As a terminal runs it: a job started in the background (`cmd &`, as CI may be) inherits
    # SIGINT ignored, and Python then leaves it ignored.
    process = subprocess.Popen(
        command, stderr=subprocess.PIPE, text=True, start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    time.sleep(4)
    assert process.poll() is None, "the scan ended before it could be interrupted"
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert [p.name for p in tmp_path.iterdir()] == ["corpus.jsonl"]


def test_index_add_says_so_when_another_writer_holds_the_index(
    runner: CliRunner, tmp_path: Path, examples_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "news.db"
    assert run(runner, "index", "add", examples_dir / "letters", "--db", db).exit_code == 0
    monkeypatch.setattr(store, "BUSY_TIMEOUT_S", 0.2)
    other = sqlite3.connect(db)
    other.execute("BEGIN IMMEDIATE")  # another process writing a long batch
    try:
        busy = run(runner, "index", "add", examples_dir / "newsroom.jsonl", "--db", db)
    finally:
        other.rollback()
        other.close()
    assert busy.exit_code == 1
    assert "Traceback" not in busy.stderr
    (line,) = [x for x in busy.stderr.splitlines() if x.strip()]
    assert line.startswith(f"copydesk: error: the index {db} is busy") and "0 articles" in line
    with Index(db) as index:
        assert index.count() == len(list((examples_dir / "letters").iterdir()))


def test_dash_as_output_is_standard_output(
    runner: CliRunner, seeds_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    done = run(runner, "scan", seeds_dir, "--format", "csv", "-o", "-")
    assert done.exit_code == 0, done.stderr
    assert done.stdout.startswith("source,target,relation,direction")
    assert not (tmp_path / "-").exists()


def test_ctrl_c_during_a_spark_scan_is_one_line_and_exit_130(
    runner: CliRunner, seeds_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spark = pytest.importorskip("copydesk.spark")

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(spark, "scan_spark", interrupted)
    out = tmp_path / "scan.json"
    done = runner.invoke(main, ["scan", str(seeds_dir), "--engine", "spark", "-o", str(out)])
    assert done.exit_code == 130
    assert done.stderr.strip() == "copydesk: interrupted; nothing was written"
    assert not out.exists()
