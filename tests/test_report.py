"""copydesk.report: every output format says the same thing, and JSON follows the schema."""

from __future__ import annotations

import copy
import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from copydesk import __version__, scan
from copydesk.model import RELATIONS, Passage, ScanOptions, ScanResult
from copydesk.report import (
    CSV_COLUMNS,
    pair_to_pan,
    pan_detections,
    scan_schema,
    scan_to_csv,
    scan_to_dict,
    scan_to_json,
    scan_to_jsonl,
)


@pytest.fixture(scope="module")
def seeds_scan(seeds_dir: Path) -> ScanResult:
    return scan(seeds_dir)


@pytest.fixture(scope="module")
def examples_scan(examples_dir: Path) -> ScanResult:
    return scan(examples_dir, ScanOptions(keep_text=True))


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = scan_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def texts(result: ScanResult) -> dict[str, str]:
    return {r.article.id: r.article.text for r in result.articles}


# --- schema ------------------------------------------------------------------------------------


def test_schema_is_draft_2020_12_and_requires_the_contract() -> None:
    schema = scan_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert set(schema["required"]) == {"copydesk_version", "articles", "pairs", "stories", "errors"}
    relation = schema["$defs"]["pair"]["properties"]["relation"]["enum"]
    assert relation == list(RELATIONS)
    assert scan_schema() == schema and scan_schema() is not schema  # a fresh copy each call


def test_seeds_scan_is_valid(seeds_scan: ScanResult, validator: Any) -> None:
    data = scan_to_dict(seeds_scan)
    validator.validate(data)
    assert data["copydesk_version"] == __version__
    assert len(data["articles"]) == 5 and data["pairs"] and data["errors"] == []
    # it survives a trip through the JSON text too
    assert json.loads(scan_to_json(seeds_scan)) == json.loads(json.dumps(data))


def test_examples_scan_with_text_is_valid(examples_scan: ScanResult, validator: Any) -> None:
    data = scan_to_dict(examples_scan)
    validator.validate(data)
    by_id = texts(examples_scan)
    assert all(a["text"] == by_id[a["id"]] for a in data["articles"])
    assert {p["relation"] for p in data["pairs"]} >= {"duplicate", "copy", "partial_copy"}


def test_read_errors_are_listed(seeds_dir: Path, tmp_path: Path, validator: Any) -> None:
    missing = tmp_path / "missing.txt"
    data = scan_to_dict(scan([seeds_dir, missing]))
    validator.validate(data)
    assert len(data["errors"]) == 1 and str(missing) in data["errors"][0]


def _break(data: dict[str, Any], how: str) -> dict[str, Any]:
    broken = copy.deepcopy(data)
    article, pair = broken["articles"][0], broken["pairs"][0]
    if how == "relation":
        pair["relation"] = "stolen"
    elif how == "direction":
        pair["direction"] = "target_to_source"
    elif how == "kind":
        pair["passages"][0]["kind"] = "copied"
    elif how == "similarity":
        pair["passages"][0]["similarity"] = 1.5
    elif how == "passage range":
        pair["passages"][0]["source"] = [3]
    elif how == "negative offset":
        pair["passages"][0]["target"] = [-1, 5]
    elif how == "quote":
        pair["passages"][0]["quote"] = "yes"
    elif how == "reason":
        article["removed"] = [{"start": 0, "end": 3, "reason": "ads"}]
    elif how == "reused":
        article["reused_fraction"] = 1.2
    elif how == "credits":
        article["credits"] = "BBC"
    elif how == "spin":
        article["spin"] = {"score": 0.1}
    elif how == "errors":
        del broken["errors"]
    elif how == "story edges":
        del broken["stories"][0]["edges"]
    elif how == "article id":
        del article["id"]
    elif how == "content_chars":
        del article["content_chars"]
    return broken


@pytest.mark.parametrize(
    "how",
    [
        "relation", "direction", "kind", "similarity", "passage range", "negative offset",
        "quote", "reason", "reused", "credits", "spin", "errors", "story edges", "article id",
        "content_chars",
    ],
)  # fmt: skip
def test_schema_rejects(seeds_scan: ScanResult, validator: Any, how: str) -> None:
    data = scan_to_dict(seeds_scan)
    assert data["stories"], "the seeds make a story"
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(_break(data, how))


def test_schema_allows_what_later_issues_add(seeds_scan: ScanResult, validator: Any) -> None:
    data = scan_to_dict(seeds_scan)
    data["engine"] = "local"
    article = data["articles"][0]
    article.update(
        credits=["BBC"], spin={"score": 0.02, "spun": False}, declared_source="BBC",
        unique=[{"start": 0, "end": 10}], extra=1,
    )  # fmt: skip
    data["pairs"][0]["passages"][0]["quote"] = True
    data["pairs"][0]["relation"] = "spun_copy"
    data["stories"][0]["common_source"] = "BBC"
    validator.validate(data)


# --- offsets -----------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["seeds_scan", "examples_scan"])
def test_offsets_are_inside_the_text(request: pytest.FixtureRequest, which: str) -> None:
    result: ScanResult = request.getfixturevalue(which)
    data, by_id = scan_to_dict(result), texts(result)
    for article in data["articles"]:
        text = by_id[article["id"]]
        assert article["chars"] == len(text)
        assert 0 < article["content_chars"] <= len(text)
        for span in article["removed"]:
            assert 0 <= span["start"] < span["end"] <= len(text)
    for pair in data["pairs"]:
        assert pair["source"] != pair["target"]
        for passage in pair["passages"]:
            for side in ("source", "target"):
                start, end = passage[side]
                text = by_id[pair[side]]
                assert 0 <= start < end <= len(text)
                # a passage starts and ends on a word, not on whitespace or inside a word
                assert text[start].isalnum() and text[end - 1].isalnum()
                assert end == len(text) or not text[end].isalnum()
                assert start == 0 or not text[start - 1].isalnum()


def test_verbatim_passages_match_word_for_word(examples_scan: ScanResult) -> None:
    by_id = texts(examples_scan)
    verbatim = [
        (pair, p) for pair in examples_scan.pairs for p in pair.passages if p.kind == "verbatim"
    ]
    assert verbatim
    for pair, p in verbatim:
        left = by_id[pair.source][p.source[0] : p.source[1]].split()
        right = by_id[pair.target][p.target[0] : p.target[1]].split()
        assert left == right
        assert p.similarity == 1.0


def test_passages_stay_out_of_removed_spans(examples_scan: ScanResult) -> None:
    removed = {r.article.id: r.removed for r in examples_scan.articles}
    for pair in examples_scan.pairs:
        for p in pair.passages:
            for side, (start, end) in ((pair.source, p.source), (pair.target, p.target)):
                assert not [s for s in removed[side] if s.start < end and start < s.end]


def test_reused_fraction_is_zero_without_pairs(seeds_scan: ScanResult) -> None:
    in_pairs = {i for p in seeds_scan.pairs for i in (p.source, p.target)}
    for report in seeds_scan.articles:
        assert (report.reused_fraction > 0) == (report.article.id in in_pairs)
        assert (report.story is not None) == (report.article.id in in_pairs)


# --- other formats -----------------------------------------------------------------------------


def test_jsonl_records_each_have_a_type(seeds_scan: ScanResult) -> None:
    lines = scan_to_jsonl(seeds_scan).splitlines()
    records = [json.loads(line) for line in lines]
    types = [r["type"] for r in records]
    assert set(types) == {"article", "pair", "story"}
    assert types.count("article") == len(seeds_scan.articles)
    assert types.count("pair") == len(seeds_scan.pairs)
    assert types.count("story") == len(seeds_scan.stories)
    data = scan_to_dict(seeds_scan)
    pairs = [{k: v for k, v in r.items() if k != "type"} for r in records if r["type"] == "pair"]
    assert pairs == data["pairs"]


def test_csv_has_a_header_and_one_row_per_pair(examples_scan: ScanResult) -> None:
    rows = list(csv.reader(io.StringIO(scan_to_csv(examples_scan))))
    assert rows[0] == CSV_COLUMNS
    assert len(rows) == 1 + len(examples_scan.pairs)
    by_id = texts(examples_scan)
    for row, pair in zip(rows[1:], examples_scan.pairs, strict=True):
        record = dict(zip(CSV_COLUMNS, row, strict=True))
        assert (record["source"], record["target"], record["relation"]) == (
            pair.source, pair.target, pair.relation,
        )  # fmt: skip
        assert int(record["passages"]) == len(pair.passages)
        first = pair.passages[0].source
        quoted = by_id[pair.source][first[0] : first[1]]
        assert record["first_passage"] == " ".join(quoted.split())


def test_pan_xml_has_one_feature_per_detection(seeds_scan: ScanResult) -> None:
    assert seeds_scan.pairs
    for pair in seeds_scan.pairs:
        xml = pair_to_pan(pair, f"{pair.source}.txt", f"{pair.target}.txt")
        root = ET.fromstring(xml.encode("utf-8"))
        assert root.tag == "document" and root.get("reference") == f"{pair.target}.txt"
        features = root.findall("feature")
        detections = pan_detections(pair.passages)
        assert len(features) == len(detections) >= 1
        for feature, (source, target) in zip(features, detections, strict=True):
            assert feature.get("name") == "detected-plagiarism"
            assert feature.get("source_reference") == f"{pair.source}.txt"
            assert int(feature.get("this_offset", -1)) == target[0]
            assert int(feature.get("this_length", -1)) == target[1] - target[0]
            assert int(feature.get("source_offset", -1)) == source[0]
            assert int(feature.get("source_length", -1)) == source[1] - source[0]


def test_pan_detections_merge_passages_overlapping_on_both_sides() -> None:
    passages = [
        Passage((10, 60), (110, 170), "paraphrase", 0.6),  # a reworded sentence...
        Passage((20, 40), (120, 140), "verbatim", 1.0),  # ...and the phrase copied inside it
        Passage((200, 220), (300, 320), "verbatim", 1.0),
        Passage((55, 80), (165, 190), "edited", 0.9),  # overlaps the first on both sides
        Passage((10, 30), (400, 420), "verbatim", 1.0),  # the same source words, used again
    ]
    assert pan_detections(passages) == [
        ((10, 80), (110, 190)),
        ((200, 220), (300, 320)),
        ((10, 30), (400, 420)),
    ]
    # Merging may join a detection to one it did not reach before.
    chain = [
        Passage((0, 10), (0, 10), "verbatim", 1.0),
        Passage((20, 30), (20, 30), "verbatim", 1.0),
        Passage((5, 25), (5, 25), "paraphrase", 0.5),
    ]
    assert pan_detections(chain) == [((0, 30), (0, 30))]


def test_pan_xml_escapes_names_and_handles_no_pair() -> None:
    root = ET.fromstring(pair_to_pan(None, 'a "b".txt', "<c> & d.txt"))
    assert root.get("reference") == "<c> & d.txt" and root.findall("feature") == []


@pytest.mark.parametrize("which", ["seeds_scan", "examples_scan"])
def test_json_written_a_record_at_a_time_is_the_whole_dump(
    which: str, request: pytest.FixtureRequest
) -> None:
    result: ScanResult = request.getfixturevalue(which)
    whole = json.dumps(scan_to_dict(result), ensure_ascii=False, indent=2) + "\n"
    assert scan_to_json(result) == whole
    lines = scan_to_jsonl(result).splitlines()
    records = scan_to_dict(result)
    assert len(lines) == sum(len(records[k]) for k in ("articles", "pairs", "stories"))
    assert [json.loads(x)["type"] for x in lines][: len(records["articles"])] == (
        ["article"] * len(records["articles"])
    )
    empty = ScanResult([], [], [], [], ScanOptions())
    assert scan_to_json(empty) == json.dumps(scan_to_dict(empty), indent=2) + "\n"
