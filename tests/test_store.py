"""The index: incremental adds agree with one scan, checks add nothing, crashes lose nothing."""

from __future__ import annotations

import inspect
import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import fields, replace
from pathlib import Path

import jsonschema
import numpy as np
import pytest
from click.testing import CliRunner, Result
from fixtures.stories import FESTIVAL, FLOOD_REPORT, TRADERS_REPORT

import copydesk
from copydesk import Article, Index, ScanOptions
from copydesk import store as store_module
from copydesk.candidates import build_idf, find_candidates, ngram_hashes
from copydesk.cli import main
from copydesk.pipeline import matchable
from copydesk.read import read_articles
from copydesk.report import scan_schema, scan_to_dict, story_to_dict
from copydesk.store import SchemaVersionError, StoreError
from copydesk.synthetic import make_corpus

REPO = Path(__file__).parents[1]
#: What the index reproduces to the last figure however it is fed: a scan without the
#: paraphrase stage. With it (the default), the pairs are the scan's, and so are their scores
#: when the articles come in one batch; added in several, words are weighed with the idf of
#: the index at each batch (see the store module docstring).
EXACT = ScanOptions(
    **({"paraphrase": False} if "paraphrase" in {f.name for f in fields(ScanOptions)} else {})
)
DEFAULT = ScanOptions()


def _scan_json(articles: list[Article], options: ScanOptions = EXACT) -> dict:
    return scan_to_dict(copydesk.scan(articles, options))


def _add_in_batches(index: Index, articles: list[Article], size: int) -> store_module.AddResult:
    total = store_module.AddResult()
    for start in range(0, len(articles), size):
        total.merge(index.add_articles(articles[start : start + size]))
    return total


def _pairs(data: dict) -> list[dict]:
    return data["pairs"]


def _pair_keys(data: dict) -> list[tuple[str, str, str]]:
    """Who is paired with whom, and how."""
    return sorted((p["source"], p["target"], p["relation"]) for p in data["pairs"])


def _pair_facts(pairs: list[copydesk.Pair]) -> list[tuple[str, str, str, str]]:
    """Who is paired with whom, in which direction and how: what an index fed in batches with
    the default options shares with one scan (scores move with the idf)."""
    return sorted((p.source, p.target, p.relation, p.direction) for p in pairs)


@pytest.fixture(scope="module")
def examples(examples_dir: Path) -> list[Article]:
    articles, errors = read_articles([examples_dir])
    assert not errors
    return articles


@pytest.fixture(scope="module")
def synthetic() -> list[Article]:
    return make_corpus(70, seed=11, words=(150, 350)).articles


# --- incremental adds give what one scan gives -------------------------------------------------


def test_seeds_added_one_by_one_export_as_one_scan(tmp_path: Path, seeds_dir: Path) -> None:
    articles, _ = read_articles([seeds_dir])
    with Index(tmp_path / "i.db", EXACT) as index:
        _add_in_batches(index, articles, 1)
        assert scan_to_dict(index.export()) == _scan_json(articles)


def test_synthetic_added_in_batches_gives_the_pairs_of_one_scan(
    tmp_path: Path, synthetic: list[Article]
) -> None:
    want = _scan_json(synthetic)
    assert len(_pairs(want)) >= 20
    with Index(tmp_path / "i.db", EXACT) as index:
        result = _add_in_batches(index, synthetic, 9)
        got = scan_to_dict(index.export())
    assert _pairs(got) == _pairs(want)
    assert got == want
    with Index(tmp_path / "i.db", EXACT) as index:
        stories = [story_to_dict(s) for s in index.stories()]
        assert stories == want["stories"] and index.story_count() == len(stories)
        assert [story_to_dict(s) for s in index.stories(offset=2, limit=3)] == stories[2:5]
        member = want["stories"][3]["articles"][-1]
        story = index.story_of(member)
        assert story is not None and story_to_dict(story) == want["stories"][3]
    assert sorted(p.source + p.target for p in result.pairs) == sorted(
        p["source"] + p["target"] for p in _pairs(want)
    )


def test_boilerplate_learned_later_cleans_earlier_articles_again(
    tmp_path: Path, examples: list[Article]
) -> None:
    """The Harbour Daily footer is furniture only once two daily articles are in: the first one
    is then cleaned anew, and the index ends as one scan of all of them."""
    with Index(tmp_path / "i.db", EXACT) as index:
        result = _add_in_batches(index, examples, 1)
        assert "daily-flood" in result.refreshed
        assert scan_to_dict(index.export()) == _scan_json(examples)
        footer = [s for s in index.report("daily-flood").removed if s.reason == "boilerplate"]
        assert footer


def test_export_follows_the_scan_schema(tmp_path: Path, examples: list[Article]) -> None:
    with Index(tmp_path / "i.db", EXACT) as index:
        index.add(examples)
        data = scan_to_dict(index.export(keep_text=True))
    jsonschema.validate(data, scan_schema())
    assert all("text" in a for a in data["articles"])


# --- the default options: sentence sketches, shared names, the idf of the whole index ---------


@pytest.fixture(scope="module")
def rewritten() -> list[Article]:
    """Copies, partial copies and rewrites, some of which share too few 5-grams to be found
    by n-grams alone (asserted where it matters)."""
    corpus = make_corpus(
        60, seed=5, kinds=("copy", "partial", "rewritten"), edit_rate=0.1, rewrite_rate=0.6
    )
    return corpus.articles


def _copied_seeds(seeds_dir: Path, tmp_path: Path) -> list[Article]:
    folder = tmp_path / "seeds"
    folder.mkdir()
    for path in sorted(seeds_dir.glob("*.txt")):
        (folder / path.name).write_bytes(path.read_bytes())
    articles, errors = read_articles([folder])
    assert not errors and len(articles) == 5
    return articles


def _found_by_ngrams_alone(articles: list[Article]) -> set[tuple[str, str]]:
    """The pairs a scan would compare without sentence sketches and shared names."""
    docs = [matchable(d)[0] for d in copydesk.clean_articles(articles)]
    found = find_candidates(docs, sketches=False, names=False)
    return {(docs[c.a].id, docs[c.b].id) for c in found} | {
        (docs[c.b].id, docs[c.a].id) for c in found
    }


def _filled(articles: list[Article]) -> list[Article]:
    """The seeds with a different function word after every word of each: no 5-gram in
    common, their content words untouched (as in test_paraphrase)."""
    fillers = ("", " very", " quite", " rather", " really")
    return [
        replace(a, text=re.sub(r"(?<=\w)(?=\s)", filler, a.text))
        for a, filler in zip(articles, fillers, strict=True)
    ]


def test_seeds_added_in_batches_give_the_pairs_of_one_default_scan(
    tmp_path: Path, seeds_dir: Path
) -> None:
    articles = _copied_seeds(seeds_dir, tmp_path)
    want = copydesk.scan(articles)
    assert want.pairs
    with Index(tmp_path / "batches.db") as index:
        _add_in_batches(index, articles, 2)
        assert _pair_facts(index.export().pairs) == _pair_facts(want.pairs)
    with Index(tmp_path / "one.db") as index:  # one batch: the scan's idf, so its very figures
        index.add_articles(articles)
        assert scan_to_dict(index.export()) == scan_to_dict(want)


def test_rewrites_without_shared_5_grams_are_found_through_sketches(
    tmp_path: Path, seeds_dir: Path
) -> None:
    articles = _filled(_copied_seeds(seeds_dir, tmp_path))
    assert not _found_by_ngrams_alone(articles)
    want = copydesk.scan(articles)
    assert {p.relation for p in want.pairs} == {"paraphrase"} and len(want.pairs) >= 3
    with Index(tmp_path / "i.db") as index:
        _add_in_batches(index, articles, 1)
        assert _pair_facts(index.export().pairs) == _pair_facts(want.pairs)
    # Checked against the others, one of them is paired as a scan of all five pairs it.
    newcomer, others = articles[2], articles[:2] + articles[3:]
    with Index(tmp_path / "others.db") as index:
        index.add_articles(others)
        checked = scan_to_dict(index.check(newcomer))
    scanned = scan_to_dict(copydesk.scan(others + [newcomer]))
    mine = [p for p in _pairs(scanned) if newcomer.id in (p["source"], p["target"])]
    assert len(mine) >= 2
    assert [p for p in _pairs(checked) if newcomer.id in (p["source"], p["target"])] == mine


def test_rewritten_synthetic_added_in_batches_gives_the_pairs_of_one_default_scan(
    tmp_path: Path, rewritten: list[Article]
) -> None:
    want = copydesk.scan(rewritten)
    ngram_only = _found_by_ngrams_alone(rewritten)
    by_sketches = [p for p in want.pairs if (p.source, p.target) not in ngram_only]
    # Rewrites only sketches find; one rewritten so far that a few fragments alone are found is
    # the same story (`ScanOptions.min_reuse_words`).
    relations = {p.relation for p in by_sketches}
    assert "paraphrase" in relations and relations <= {"paraphrase", "same_story"}
    with Index(tmp_path / "i.db") as index:
        result = _add_in_batches(index, rewritten, 7)
        got = index.export()
    assert _pair_facts(got.pairs) == _pair_facts(want.pairs)
    assert _pair_facts(result.pairs) == _pair_facts(want.pairs)
    assert [s.articles for s in got.stories] == [s.articles for s in want.stories]


def test_check_finds_a_rewritten_source_as_a_scan_would(
    tmp_path: Path, rewritten: list[Article]
) -> None:
    """Each article whose pairs with earlier ones were found through sketches alone, checked
    against an index of the articles before it: the pairs, passages and figures of a scan of
    them all (the index made in one batch weighs words as that scan does)."""
    want = copydesk.scan(rewritten)
    ngram_only = _found_by_ngrams_alone(rewritten)
    position = {a.id: n for n, a in enumerate(rewritten)}
    targets = sorted(
        {max(p.source, p.target, key=position.__getitem__)
         for p in want.pairs if (p.source, p.target) not in ngram_only},
        key=position.__getitem__,
    )  # fmt: skip
    assert targets
    for target in targets[:3]:
        before = rewritten[: position[target]]
        newcomer = rewritten[position[target]]
        with Index(tmp_path / f"{target}.db") as index:
            index.add_articles(before)
            checked = scan_to_dict(index.check(newcomer))
        scanned = scan_to_dict(copydesk.scan(before + [newcomer]))
        mine = [p for p in _pairs(scanned) if target in (p["source"], p["target"])]
        assert mine
        assert [p for p in _pairs(checked) if target in (p["source"], p["target"])] == mine


def test_two_reports_of_one_event_are_the_same_story_when_added_or_checked(
    tmp_path: Path,
) -> None:
    """No shared passage, but the same names and numbers: found through the name postings,
    named `same_story` with the idf of the index."""
    report = Article("report", FLOOD_REPORT, published="2026-03-15")
    traders = Article("traders", TRADERS_REPORT, published="2026-03-16")
    festival = Article("festival", FESTIVAL, published="2026-03-15")
    want = copydesk.scan([report, festival, traders])
    assert [(p.source, p.target, p.relation) for p in want.pairs] == [
        ("report", "traders", "same_story")
    ]
    with Index(tmp_path / "i.db") as index:
        index.add_articles([report, festival])
        checked = index.check(traders)
        assert _pair_facts(checked.pairs) == _pair_facts(want.pairs)
        assert checked.pairs == want.pairs
        index.add_articles([traders])
        assert scan_to_dict(index.export()) == scan_to_dict(want)


def test_checking_an_indexed_article_finds_its_stored_pairs_with_the_default_options(
    tmp_path: Path, rewritten: list[Article]
) -> None:
    """The check leaves the indexed version out of every count (postings, sentence terms, idf)
    and counts itself in: made in one batch, the index answers with the stored figures."""
    articles = rewritten[:40]
    with Index(tmp_path / "i.db") as index:
        index.add_articles(articles)
        stored = {a.id: index.reuse(a.id) for a in articles}
        linked = [i for i, pairs in stored.items() if pairs]
        assert len(linked) >= 10
        for article_id in linked[:10]:
            checked = index.check(next(a for a in articles if a.id == article_id))
            own = [p for p in checked.pairs if article_id in (p.source, p.target)]
            assert [pair_key(p) for p in own] == [pair_key(p) for p in stored[article_id]]


def _idf_of(db: Path) -> tuple[int, list[tuple[int, int]]]:
    """Articles, and (term key, articles holding it) as a scan's `Idf` counts them."""
    with sqlite3.connect(db) as conn:
        (documents,) = conn.execute("SELECT value FROM meta WHERE key='documents'").fetchone()
        rows = conn.execute("SELECT key, df FROM idf ORDER BY key").fetchall()
    keys = np.asarray([k for k, _ in rows], dtype=np.int64).view(np.uint64)
    order = np.argsort(keys)
    return int(documents), list(zip(keys[order].tolist(), [rows[i][1] for i in order], strict=True))


def test_the_index_keeps_the_idf_of_all_its_articles(
    tmp_path: Path, examples: list[Article]
) -> None:
    """Batch after batch, and after a replacement, the idf counts are those `build_idf` makes
    of the articles as the index holds them."""
    db = tmp_path / "i.db"
    with Index(db) as index:
        _add_in_batches(index, examples, 3)
        rewritten = Article("daily-flood", examples[-1].text + " A late paragraph on tides.")
        index.add_articles([rewritten])
    held = [rewritten if a.id == "daily-flood" else a for a in examples]
    idf = build_idf([matchable(d)[0] for d in copydesk.clean_articles(held)])
    want = list(zip(idf.term_keys.tolist(), idf.counts.tolist(), strict=True))
    assert _idf_of(db) == (idf.n_docs, want)


def test_keys_of_a_replaced_article_are_its_new_ones(
    tmp_path: Path, examples: list[Article]
) -> None:
    """Names, sentence terms and their postings follow a replacement: the stored keys are
    those one batch of the articles as held would store."""
    db = tmp_path / "i.db"
    by_id = {a.id: a for a in examples}
    rewritten = Article("daily-flood", by_id["notice-parking"].text.replace("parking", "bins"))
    with Index(db) as index:
        index.add(examples)
        index.add_articles([rewritten])
    held = [rewritten if a.id == "daily-flood" else a for a in examples]
    with Index(tmp_path / "fresh.db") as index:
        index.add_articles(held)
    got, want = _keys_of(db), _keys_of(tmp_path / "fresh.db")
    assert got.keys() == want.keys()
    # The same keys by article id (doc numbers are arrival order in both).
    assert got == want


def test_common_terms_are_left_out_of_sketches(tmp_path: Path, rewritten: list[Article]) -> None:
    """With a small max_df many sentence terms are set aside: one batch still gives the scan's
    pairs, its sketches leaving out the same words."""
    options = replace(DEFAULT, max_df=4)
    articles = rewritten[:30]
    want = copydesk.scan(articles, options)
    with Index(tmp_path / "i.db", options) as index:
        index.add_articles(articles)
        stats = index.stats()
        assert _pair_facts(index.export().pairs) == _pair_facts(want.pairs)
    assert stats["common_terms"] > 0


# --- replacing, no-ops, consistency ----------------------------------------------------------


def _fingerprints_of(db: Path, doc_id: str) -> set[int]:
    with sqlite3.connect(db) as conn:
        (doc,) = conn.execute("SELECT doc FROM articles WHERE id=?", (doc_id,)).fetchone()
        return {r[0] for r in conn.execute("SELECT hash FROM postings WHERE doc=?", (doc,))}


def _orphans(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(
            conn.execute(
                "SELECT (SELECT count(*) FROM passages WHERE pair NOT IN (SELECT pair FROM pairs))"
                " + (SELECT count(*) FROM pairs WHERE source NOT IN (SELECT doc FROM articles)"
                " OR target NOT IN (SELECT doc FROM articles))"
            ).fetchone()[0]
        )


def test_same_id_and_text_again_changes_nothing(tmp_path: Path, examples: list[Article]) -> None:
    with Index(tmp_path / "i.db", EXACT) as index:
        index.add(examples)
        before, generation = index.stats(), index.generation()
        again = index.add(examples)
        assert again.unchanged == [a.id for a in examples]
        assert not (again.added or again.replaced or again.pairs)
        assert index.stats() == before and index.generation() == generation


def test_new_text_replaces_the_article_and_its_pairs(
    tmp_path: Path, examples: list[Article]
) -> None:
    db = tmp_path / "i.db"
    by_id = {a.id: a for a in examples}
    with Index(db, EXACT) as index:
        index.add(examples)
        assert index.pair("wire-flood", "daily-flood") is not None
        rewritten = Article("daily-flood", by_id["notice-parking"].text.replace("parking", "bins"))
        result = index.add_articles([rewritten])
        assert result.replaced == ["daily-flood"]
        assert index.pair("wire-flood", "daily-flood") is None
        assert index.pair("daily-flood", "notice-parking") is not None
        assert index.get("daily-flood") == rewritten
        words = index.report("daily-flood")
        assert words.article.text == rewritten.text
        assert index.count() == len(examples)
    stored = _fingerprints_of(db, "daily-flood")
    clean = copydesk.clean_article(rewritten)
    expected = set(ngram_hashes(clean.words, 5).view(np.int64).tolist())
    assert stored == expected
    assert _orphans(db) == 0
    # The index still answers as one scan of what it now holds, stories included.
    now = [rewritten if a.id == "daily-flood" else a for a in examples]
    want = _scan_json(now)
    with Index(db) as index:
        assert _pairs(scan_to_dict(index.export())) == _pairs(want)
        assert [story_to_dict(s) for s in index.stories()] == want["stories"]


def test_duplicate_ids_in_one_batch_are_refused(tmp_path: Path) -> None:
    with Index(tmp_path / "i.db") as index, pytest.raises(ValueError, match="duplicate ids"):
        index.add_articles([Article("a", "one two"), Article("a", "three four")])


def test_add_reports_duplicates_across_files_and_read_errors(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text('{"id": "x", "text": "one"}\n{"id": "x", "text": "two"}\n')
    with Index(tmp_path / "i.db", EXACT) as index:
        result = index.add([tmp_path / "a.jsonl", tmp_path / "missing.txt"])
    assert result.added == ["x"]
    reasons = [e.reason for e in result.errors]
    assert any("duplicate id" in r for r in reasons) and any("no such file" in r for r in reasons)


def test_stock_phrases_stop_linking(tmp_path: Path) -> None:
    """With max_df=2 a sentence in three articles is common: set aside, its postings dropped."""
    maker = make_corpus(4, seed=3, reuse_share=0.0, words=(60, 80)).articles
    shared = "The harbour master said the pier would stay closed until further notice today."
    articles = [Article(a.id, a.text + "\n\n" + shared) for a in maker]
    options = replace(EXACT, max_df=2)
    with Index(tmp_path / "one.db", options) as index:
        index.add_articles(articles)
        assert index.stats()["common_ngrams"] > 0
        assert _pairs(scan_to_dict(index.export())) == _pairs(_scan_json(articles, options))
    with Index(tmp_path / "two.db", options) as index:
        index.add_articles(articles[:2])
        assert index.pair(articles[0].id, articles[1].id) is not None  # rare while in two
        index.add_articles(articles[2:])
        assert index.reuse(articles[3].id) == []  # common from the third on
        assert index.stats()["common_ngrams"] > 0


# --- check -------------------------------------------------------------------------------------


def test_check_reports_what_one_scan_would_pair_without_adding(
    tmp_path: Path, examples: list[Article]
) -> None:
    newcomer = next(a for a in examples if a.id == "gazette-flood")
    indexed = [a for a in examples if a is not newcomer]
    with Index(tmp_path / "i.db", EXACT) as index:
        index.add(indexed)
        before = index.stats()
        result = index.check(newcomer)
        assert index.stats() == before
    assert result.articles[0].article.id == "gazette-flood"
    want = [p for p in _pairs(_scan_json(indexed + [newcomer]))
            if "gazette-flood" in (p["source"], p["target"])]  # fmt: skip
    checked = scan_to_dict(result)
    got = [p for p in _pairs(checked) if "gazette-flood" in (p["source"], p["target"])]
    assert got == want
    # The other pairs are the stored ones among the articles it shares passages with.
    others = {(p["source"], p["target"]) for p in _pairs(checked)} - {
        (p["source"], p["target"]) for p in got
    }
    assert ("wire-flood", "daily-flood") in others
    relations = {(p["source"], p["relation"], p["direction"]) for p in got}
    assert ("wire-flood", "copy", "source_to_target") in relations


def test_check_of_plain_text_and_of_an_indexed_id(tmp_path: Path, examples: list[Article]) -> None:
    wire = next(a for a in examples if a.id == "wire-flood")
    with Index(tmp_path / "i.db", EXACT) as index:
        index.add(examples)
        from_text = index.check(wire.text)
        assert from_text.articles[0].article.id == "checked"
        assert {p.source for p in from_text.pairs} >= {"daily-flood"} or {
            p.target for p in from_text.pairs
        } >= {"daily-flood"}
        # Checking an indexed article leaves itself out and finds its stored pairs again.
        again = index.check(wire)
        own = [p for p in again.pairs if "wire-flood" in (p.source, p.target)]
        stored = index.reuse("wire-flood")
        assert [pair_key(p) for p in own] == [pair_key(p) for p in stored]
        with pytest.raises(ValueError, match="no text"):
            index.check("   ")


def pair_key(pair: copydesk.Pair) -> tuple:
    return (pair.source, pair.target, pair.relation, pair.direction, pair.score)


@pytest.mark.parametrize("rate, seed", [(0.3, 7), (0.05, 4)])
def test_spun_copies_are_indexed_and_checked_as_scan_sees_them(
    tmp_path: Path, rate: float, seed: int
) -> None:
    """A spun copy is matched on its restored words: added, checked or reported, it pairs with
    its original as `spun_copy`, with the spin report of the scan JSON. At 5 % (seed 4) the
    copy reads as plain alone: its pair tells it (`spin.which_is_spun`)."""
    from copydesk.spin import spin_swaps

    news = REPO.parent / "shared" / "corpus" / "news" / "census.jsonl"
    if not news.exists():
        pytest.skip(f"news corpus not found at {news}")
    records = [json.loads(line) for line in news.read_text(encoding="utf-8").splitlines()]
    record = next(r for r in records if 800 <= len(r["text"].split()) <= 2500)
    original = Article(record["id"], record["text"], published="2026-01-02")
    spun = Article("spun", spin_swaps(original.text, rate, seed)[0], published="2026-01-01")
    want = _scan_json([original, spun])
    with Index(tmp_path / "i.db", EXACT) as index:
        index.add_articles([original])
        checked = scan_to_dict(index.check(spun))
        index.add_articles([spun])
        assert scan_to_dict(index.export()) == want
        reported = index.report("spun").spin
    spin = next(a["spin"] for a in want["articles"] if a["id"] == "spun")
    assert checked["articles"][0]["spin"] == spin == reported
    assert spin["spun"] and (spin["score"] < 0.5) == (rate < 0.3)
    # most restored words are the original's, aligned with the copy
    assert sum(c.get("from") == original.id for c in spin["changes"]) > len(spin["changes"]) / 2
    assert _pairs(checked) == _pairs(want)
    assert [(p["source"], p["relation"]) for p in _pairs(want)] == [(original.id, "spun_copy")]


def test_check_on_an_empty_index(tmp_path: Path) -> None:
    with Index(tmp_path / "i.db", EXACT) as index:
        result = index.check("Nothing indexed yet, so nothing is shared with this text.")
    assert result.pairs == [] and len(result.articles) == 1


# --- opening, versions, options ----------------------------------------------------------------


def test_missing_index_is_not_made_when_asked_not_to(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="copydesk index add"):
        Index(tmp_path / "none.db", create=False)
    assert not (tmp_path / "none.db").exists()


def test_files_that_are_not_indexes_are_refused(tmp_path: Path) -> None:
    text = tmp_path / "notes.db"
    text.write_text("just some text, long enough to not be a database header at all\n" * 20)
    with pytest.raises(StoreError, match="not a copydesk index"):
        Index(text)
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE things (x)")
    with pytest.raises(StoreError, match=f"{re.escape(str(other))}: .*not a copydesk index"):
        Index(other)


def test_an_index_in_a_folder_that_does_not_exist_is_refused_with_the_reason(
    tmp_path: Path,
) -> None:
    with pytest.raises(StoreError, match="no folder .*missing"):
        Index(tmp_path / "missing" / "news.db")
    assert not (tmp_path / "missing").exists()


def test_index_from_a_newer_copydesk_says_what_to_do(tmp_path: Path) -> None:
    db = tmp_path / "i.db"
    Index(db).close()
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE meta SET value='99' WHERE key='schema_version'")
    with pytest.raises(SchemaVersionError, match=r"newer copydesk.*upgrade copydesk"):
        Index(db)


def test_index_of_schema_1_is_migrated(tmp_path: Path, examples: list[Article]) -> None:
    """Schema 1 had no story membership table: opening it adds one, filled from the pairs."""
    db = tmp_path / "i.db"
    with Index(db) as index:
        index.add(examples)
        stories = index.stories()
    _as_schema_2(db)
    with sqlite3.connect(db) as conn:
        conn.execute("DROP TABLE members")
        conn.execute("ALTER TABLE articles DROP COLUMN spin")
        conn.execute("UPDATE meta SET value='1' WHERE key='schema_version'")
    with Index(db) as index:
        assert index.schema_version == store_module.SCHEMA_VERSION
        assert index.stories() == stories
        assert index.story_of("wire-flood") == stories[0]


def _as_schema_2(db: Path) -> None:
    """Make an index look as copydesk wrote it with schema 2: no names, terms, idf counts."""
    with sqlite3.connect(db) as conn:
        for table in ("names", "common_names", "terms", "common_terms", "sentences", "idf"):
            conn.execute(f"DROP TABLE {table}")
        conn.execute("DROP TABLE hubs")  # schema 4
        conn.execute("DELETE FROM meta WHERE key='documents'")
        conn.execute("UPDATE meta SET value='2' WHERE key='schema_version'")


def _keys_of(db: Path) -> dict[str, list[tuple]]:
    """What schema 3 added, as stored."""
    with sqlite3.connect(db) as conn:
        out = {
            table: sorted(conn.execute(f"SELECT * FROM {table}"))
            for table in ("names", "common_names", "terms", "common_terms", "sentences", "idf")
        }
        out["documents"] = conn.execute("SELECT value FROM meta WHERE key='documents'").fetchall()
    return out


def test_index_of_schema_2_is_migrated(tmp_path: Path, examples: list[Article]) -> None:
    """Schema 2 kept no names, sentence terms or idf counts: opening it computes them from the
    stored cleaning, as `add` stores them, and keeps the pairs."""
    db = tmp_path / "i.db"
    with Index(db, replace(DEFAULT, max_df=3)) as index:
        index.add(examples)
        pairs = index.export().pairs
    want = _keys_of(db)
    assert want["common_terms"] and want["names"] and want["idf"]
    _as_schema_2(db)
    with Index(db) as index:
        assert index.schema_version == store_module.SCHEMA_VERSION
        assert index.export().pairs == pairs
    assert _keys_of(db) == want


def test_index_of_schema_3_is_migrated(tmp_path: Path, examples: list[Article]) -> None:
    """Schema 3 kept no hub leads: opening it adds the table, empty, and keeps the pairs."""
    db = tmp_path / "i.db"
    with Index(db, replace(DEFAULT, max_df=3)) as index:
        index.add(examples)
        pairs = index.export().pairs
    with sqlite3.connect(db) as conn:
        conn.execute("DROP TABLE hubs")
        conn.execute("UPDATE meta SET value='3' WHERE key='schema_version'")
    with Index(db) as index:
        assert index.schema_version == store_module.SCHEMA_VERSION
        assert index.export().pairs == pairs
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM hubs").fetchone() == (0,)


def _wire_copies(count: int) -> list[Article]:
    return [
        Article(f"copy{i:02d}", f"Outlet {i} runs the wire.\n\n{FLOOD_REPORT}\n\nMore from {i}.",
                published="2026-03-16")
        for i in range(count)
    ]  # fmt: skip


def test_a_story_indexed_from_more_outlets_than_max_df_pairs_each_copy_with_the_first(
    tmp_path: Path,
) -> None:
    options = replace(DEFAULT, max_df=5)
    wire = Article("wire", FLOOD_REPORT, published="2026-03-15T09:00:00Z")
    copies = _wire_copies(12)
    want = {("wire", c.id) for c in copies}
    scanned = copydesk.scan([wire, *copies], options)
    assert {(p.source, p.target) for p in scanned.pairs} == want
    with Index(tmp_path / "i.db", options) as index:
        index.add_articles([wire, copies[0]])
        index.add_articles(copies[1:8])  # the passage turns common here: the wire leads it
        index.add_articles(copies[8:10])  # set aside: linked to the lead alone
        index.add_articles(copies[10:])
        assert {(p.source, p.target) for p in index.export().pairs} == want
        late = Article("late", f"{FLOOD_REPORT}\n\nA late copy.", published="2026-03-17")
        checked = index.check(late)
    assert {(p.source, p.target) for p in checked.pairs} == {("wire", "late")}
    # The wire indexed after some of its copies still leads: it is the earliest published.
    with Index(tmp_path / "late.db", options) as index:
        index.add_articles(copies[:3])  # rare yet: every two of them
        index.add_articles([*copies[3:6], wire])  # the passage turns common here
        index.add_articles(copies[6:])
        found = {(p.source, p.target) for p in index.export().pairs}
    among_first = {(a.id, b.id) for i, a in enumerate(copies[:3]) for b in copies[i + 1 : 3]}
    assert found == want | among_first


def test_a_later_migration_runs_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, examples: list[Article]
) -> None:
    db = tmp_path / "i.db"
    with Index(db) as index:
        index.add(examples[:3])
    current = store_module.SCHEMA_VERSION

    def add_language(conn: sqlite3.Connection) -> None:
        conn.execute("ALTER TABLE articles ADD COLUMN language TEXT")

    monkeypatch.setattr(store_module, "SCHEMA_VERSION", current + 1)
    monkeypatch.setitem(store_module.MIGRATIONS, current, add_language)
    with Index(db) as index:
        assert index.schema_version == current + 1
        index.add(examples[3:5])
        assert index.count() == 5
    with Index(db) as index:  # nothing left to migrate
        assert index.count() == 5
    with sqlite3.connect(db) as conn:
        columns = [r[1] for r in conn.execute("PRAGMA table_info(articles)")]
    assert columns.count("language") == 1


def test_older_index_without_a_migration_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "i.db"
    Index(db).close()
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", store_module.SCHEMA_VERSION + 2)
    with pytest.raises(SchemaVersionError, match="cannot migrate.*index export"):
        Index(db)


def test_options_are_fixed_when_the_index_is_made(tmp_path: Path) -> None:
    db = tmp_path / "i.db"
    Index(db, ScanOptions(max_df=50)).close()
    with Index(db) as index:
        assert index.options.max_df == 50
    with pytest.raises(StoreError, match="max_df=50"):
        Index(db, ScanOptions(max_df=60))


def test_an_index_made_before_min_reuse_words_counts_every_passage_as_reuse(
    tmp_path: Path,
) -> None:
    """Its stored pairs were named so: the pairs it adds must be named alike."""
    db = tmp_path / "i.db"
    Index(db).close()
    with sqlite3.connect(db) as conn:
        (stored,) = conn.execute("SELECT value FROM meta WHERE key='options'").fetchone()
        older = {k: v for k, v in json.loads(stored).items() if k != "min_reuse_words"}
        conn.execute("UPDATE meta SET value=? WHERE key='options'", (json.dumps(older),))
    with Index(db) as index:
        assert index.options.min_reuse_words == 0
    with Index(tmp_path / "new.db") as index:
        assert index.options.min_reuse_words == ScanOptions.min_reuse_words > 0


def test_wal_mode_and_integrity(tmp_path: Path, examples: list[Article]) -> None:
    db = tmp_path / "i.db"
    with Index(db) as index:
        index.add(examples)
        assert index.integrity() == "ok"
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


# --- concurrency and crashes -------------------------------------------------------------------


def _write_jsonl(path: Path, articles: list[Article]) -> None:
    with path.open("w", encoding="utf-8") as out:
        for a in articles:
            out.write(json.dumps({"id": a.id, "text": a.text, "source": a.source,
                                  "published": a.published}) + "\n")  # fmt: skip


def _cli(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "copydesk.cli", *map(str, args)]


def _present(db: Path) -> tuple[str, set[str]]:
    """Integrity and the ids in the index, read with a plain connection (changes nothing)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        ids = set()
        if "articles" in tables:
            ids = {r[0] for r in conn.execute("SELECT id FROM articles")}
    finally:
        conn.close()
    return integrity, ids


def test_add_killed_at_random_points_loses_no_committed_batch(
    tmp_path: Path, synthetic: list[Article]
) -> None:
    """SIGKILL a real `copydesk index add` many times: the file stays sound, each batch is in
    whole or not at all, every batch it said it committed is in, and the last run completes it
    to what one scan gives."""
    articles = synthetic[:32]
    corpus, db = tmp_path / "corpus.jsonl", tmp_path / "i.db"
    _write_jsonl(corpus, articles)
    order = [a.id for a in articles]
    batch = 4
    rng = random.Random(7)
    kills = 0
    deadline = time.monotonic() + 5.0
    while time.monotonic() < deadline and kills < 8:
        process = subprocess.Popen(
            _cli("index", "add", corpus, "--db", db, "--batch-size", batch, "-v"),
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )  # fmt: skip
        time.sleep(rng.uniform(0.3, 1.2))
        process.send_signal(signal.SIGKILL)
        out, _ = process.communicate()
        kills += process.returncode == -signal.SIGKILL
        said = [int(line.split()[1]) for line in out.splitlines() if line.startswith("committed")]
        if not db.exists():
            continue
        integrity, present = _present(db)
        assert integrity == "ok"
        count = len(present)
        assert present == set(order[:count]), "a batch is in only in part, or out of order"
        assert count % batch == 0 or count == len(order)
        assert not said or count >= said[-1], "a batch said committed is missing"
    assert kills >= 3
    done = subprocess.run(_cli("index", "add", corpus, "--db", db, "--batch-size", batch),
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    integrity, present = _present(db)
    assert integrity == "ok" and present == set(order)
    with Index(db) as index:
        assert _pair_keys(scan_to_dict(index.export())) == _pair_keys(
            _scan_json(articles, ScanOptions())
        )


def test_readers_keep_working_while_a_writer_adds(tmp_path: Path, synthetic: list[Article]) -> None:
    corpus, db = tmp_path / "corpus.jsonl", tmp_path / "i.db"
    _write_jsonl(corpus, synthetic[:24])
    Index(db).close()
    writer = subprocess.Popen(
        _cli("index", "add", corpus, "--db", db, "--batch-size", 2),
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    seen: list[int] = []
    probe = synthetic[45]
    with Index(db) as reader:
        while writer.poll() is None:
            started = time.monotonic()
            seen.append(reader.stats()["articles"])
            reader.check(probe)
            assert time.monotonic() - started < 5, "a reader waited for the writer"
    assert writer.returncode == 0, writer.stderr.read() if writer.stderr else ""
    assert seen == sorted(seen) and len(set(seen)) >= 2


def test_threads_share_one_index_safely(tmp_path: Path, synthetic: list[Article]) -> None:
    errors: list[BaseException] = []
    with Index(tmp_path / "i.db", EXACT) as index:

        def work(part: list[Article]) -> None:
            try:
                for a in part:
                    index.add_articles([a])
                    index.check(a.text[:400])
                    index.stats()
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        parts = [synthetic[i:24:4] for i in range(4)]
        threads = [threading.Thread(target=work, args=(p,)) for p in parts]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors
        assert index.count() == 24 and index.integrity() == "ok"


# --- the command line --------------------------------------------------------------------------


@pytest.fixture()
def runner() -> CliRunner:
    env = {"COLUMNS": "120", "NO_COLOR": "1"}
    if "mix_stderr" in inspect.signature(CliRunner.__init__).parameters:  # click < 8.2
        return CliRunner(mix_stderr=False, env=env)
    return CliRunner(env=env)


def run(runner: CliRunner, *args: str | Path) -> Result:
    return runner.invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_cli_index_add_check_stats_export(
    runner: CliRunner, tmp_path: Path, examples_dir: Path, examples: list[Article]
) -> None:
    db, n = tmp_path / "news.db", len(examples)
    want = scan_to_dict(copydesk.scan([examples_dir]))  # default options, as the CLI's index
    added = run(runner, "index", "add", examples_dir, "--db", db)
    assert added.exit_code == 0, added.stderr
    assert f"{n} added" in added.stdout and f"{n} articles indexed" in added.stdout
    again = run(runner, "index", "add", examples_dir, "--db", db)
    assert f"{n} unchanged" in again.stdout and "0 pairs found" in again.stdout
    stats = run(runner, "index", "stats", "--db", db, "--format", "json")
    assert json.loads(stats.stdout)["pairs"] == len(want["pairs"])
    table = run(runner, "index", "stats", "--db", db)
    assert f"articles      {n}" in table.stdout
    exported = json.loads(run(runner, "index", "export", "--db", db, "--format", "json").stdout)
    assert _pair_keys(exported) == _pair_keys(want)
    assert [a["id"] for a in exported["articles"]] == [a["id"] for a in want["articles"]]
    letter = examples_dir / "letters" / "letter-bridge.txt"
    checked = run(runner, "index", "check", letter, "--db", db, "--format", "json")
    assert checked.exit_code == 0, checked.stderr
    pairs = json.loads(checked.stdout)["pairs"]
    assert {"wire-flood", "daily-flood", "gazette-flood"} <= {p["source"] for p in pairs} | {
        p["target"] for p in pairs
    }
    shown = run(runner, "index", "check", letter, "--db", db)
    assert "letter-bridge against" in shown.stdout and "partial_copy" in shown.stdout
    # The table lists the letter's own pairs, not those among the articles it matched.
    rows = [line for line in shown.stdout.splitlines() if re.match(r"\s*\d\.\d\d\s", line)]
    assert rows and all("letter-bridge" in row for row in rows), shown.stdout
    assert "scanned" not in shown.stdout


def test_cli_index_errors(runner: CliRunner, tmp_path: Path, examples_dir: Path) -> None:
    missing = run(runner, "index", "stats", "--db", tmp_path / "none.db")
    assert missing.exit_code == 1 and "copydesk index add" in missing.stderr
    nothing = run(runner, "index", "add", tmp_path / "nope.txt", "--db", tmp_path / "i.db")
    assert nothing.exit_code == 1 and "no such file" in nothing.stderr
    usage = run(runner, "index", "add", examples_dir, "--batch-size", "0")
    assert usage.exit_code == 2


def test_cli_default_db_is_in_the_working_folder(
    runner: CliRunner, tmp_path: Path, examples_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert run(runner, "index", "add", examples_dir / "letters").exit_code == 0
    assert (tmp_path / "copydesk.db").exists()
    assert os.path.getsize(tmp_path / "copydesk.db") > 0


def test_a_context_article_never_loses_furniture_learned_from_articles_outside_the_context(
    tmp_path: Path,
) -> None:
    # h00 and h01 end with the same line, learned as furniture when they are indexed together.
    # When h11 arrives, h01 is cleaned again with the ten Herald articles indexed last, which
    # no longer include h00: seen alone, the line looks like text, but it stays removed.
    topics = ["harbour", "library", "budget", "rail", "school", "bridge", "market", "festival",
              "flood", "clinic", "museum", "stadium"]  # fmt: skip
    tail = "The Herald weekend edition carries stories from the valley every Saturday"

    def article(n: int) -> Article:
        topic = topics[n]
        body = " ".join(
            f"Paragraph {k} on the {topic}: councillor {chr(65 + n)}{k} said item"
            f" {n * 100 + k} of the {topic} plan was agreed."
            for k in range(6)
        )
        last = tail if n < 2 else f"Tell us your {topic} story at the news desk"
        return Article(f"h{n:02d}", f"{topic.title()} news\n\n{body}\n\n{last}", source="Herald",
                       published=f"2026-01-{n + 1:02d}")  # fmt: skip

    articles = [article(n) for n in range(12)]
    with Index(tmp_path / "i.db") as index:
        index.add(articles[:2])
        index.add(articles[2:11])
        assert index.add(articles[11:]).refreshed == []
        report = index.report("h01")
    text = report.article.text
    assert [text[s.start : s.end] for s in report.removed] == [tail]


def test_a_pair_found_again_in_a_later_batch_is_counted_once() -> None:
    first = copydesk.Pair("a", "b", "copy", "unknown", 0.8, 0.8, 0.8, [])
    again = copydesk.Pair("b", "a", "partial_copy", "unknown", 0.6, 0.6, 0.6, [])
    other = copydesk.Pair("a", "c", "copy", "unknown", 0.9, 0.9, 0.9, [])
    total = store_module.AddResult(pairs=[first, other])
    total.merge(store_module.AddResult(pairs=[again]))
    assert total.pairs == [again, other]


def test_copies_of_the_wire_follow_it_in_a_scan_and_on_every_read_of_the_index(
    examples_dir: Path, tmp_path: Path
) -> None:
    # The known truth of the examples: daily-flood republished the wire, gazette-flood and
    # kestle-post-bridge copied it; none of them copied another.
    articles, _ = read_articles([examples_dir])
    directions = {(p.source, p.target): p.direction for p in copydesk.scan(articles).pairs}
    assert directions[("wire-flood", "gazette-flood")] == "source_to_target"
    assert directions[("daily-flood", "gazette-flood")] == "common_source"
    assert directions[("kestle-post-bridge", "gazette-flood")] == "common_source"
    # the wire arrives last: the copies' pairs were stored with their dates' direction
    wire = next(a for a in articles if a.id == "wire-flood")
    with Index(tmp_path / "i.db") as index:
        index.add([a for a in articles if a is not wire])
        index.add([wire])
        read = {(p.source, p.target): p.direction for p in index.reuse("gazette-flood")}
        assert read == {k: v for k, v in directions.items() if "gazette-flood" in k}
        pair = index.pair("gazette-flood", "daily-flood")
        assert pair is not None and pair.direction == "common_source"
        story = index.story_of("gazette-flood")
        assert story is not None and story.original == "wire-flood"
        exported = {(p.source, p.target): p.direction for p in index.export().pairs}
    assert exported == directions


def test_reading_an_empty_file_says_there_is_no_index_and_leaves_it_empty(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    empty.touch()
    with pytest.raises(StoreError, match="no index at .*copydesk index add"):
        Index(empty, create=False)
    assert empty.stat().st_size == 0
