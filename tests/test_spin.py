"""Synonym spinning: the spinner, the spin score, restoration, the shipped data, the CLI.

Floors are pinned on a small seeded corpus: originals from the fictional examples bundled with
the repository, spun by copydesk's own spinner. `benchmarks/bench_spin.py` gives the full
figures on the real news of ../shared/corpus/news.
"""

from __future__ import annotations

import gzip
import inspect
import json
import math
import threading
import time
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner, Result
from jsonschema import Draft202012Validator

from copydesk import scan, spin
from copydesk.align import align_passages
from copydesk.clean import WORD_RE, clean_article, normalise_word
from copydesk.cli import main
from copydesk.model import Article, Change, CleanArticle, Pair, Passage, Restoration, SpinReport
from copydesk.report import scan_schema, scan_to_dict
from copydesk.spin import (
    despin,
    restore_article,
    restore_words,
    spin_score,
    spin_swaps,
    spin_text,
)

NEWS = Path(__file__).parents[1].parent / "shared" / "corpus" / "news"
EXAMPLE_IDS = ("wire-flood", "courier-budget", "daily-festival", "daily-school", "blog-rail")

#: Floors on the seeded example corpus (measured values in comments; see bench_spin.py). These
#: examples are British English and the trigram model American, so some wording moves
#: ("autumn" -> "fall"): on the real news of bench_spin.py false changes stay under 0.9%.
FLOORS = {
    # spinner mode (share of swaps taking the first entry): (restored, false changes at most)
    0.0: (0.49, 0.0095),  # measured 0.534 / 0.0085 at rate 0.3
    0.6: (0.60, 0.0120),  # measured 0.648 / 0.0107
    1.0: (0.70, 0.0110),  # measured 0.755 / 0.0086
}


@pytest.fixture(scope="module")
def examples(examples_dir: Path) -> list[Article]:
    rows = [
        json.loads(line)
        for line in (examples_dir / "newsroom.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    picked = [Article(row["id"], row["text"]) for row in rows if row["id"] in EXAMPLE_IDS]
    assert len(picked) == len(EXAMPLE_IDS), "examples/newsroom.jsonl lost an article"
    return picked


@pytest.fixture(scope="module")
def seed_texts(seeds_dir: Path) -> dict[str, str]:
    return {p.stem[:3]: p.read_text(encoding="utf-8") for p in sorted(seeds_dir.glob("*.txt"))}


def words_of(text: str) -> list[str]:
    return [normalise_word(m.group()) for m in WORD_RE.finditer(text)]


# --- the spinner --------------------------------------------------------------------------------


def test_spinner_is_seeded_and_keeps_case_offsets_and_word_count() -> None:
    text = "He told me in the dark that the police will be at least a year late. Good work."
    spun, swaps = spin_swaps(text, rate=0.8, seed=3)
    assert (spun, swaps) == spin_swaps(text, rate=0.8, seed=3)
    assert spun != text and swaps
    assert len(words_of(spun)) == len(words_of(text))  # one word for one word
    for swap in swaps:
        assert spun[swap.start : swap.end] == swap.spun
        assert swap.spun.islower() == swap.original.islower()
    # Capitalised words and one-letter words stay by default.
    kept = [w for w in WORD_RE.findall(text) if w[0].isupper() or len(w) == 1]
    assert all(w in WORD_RE.findall(spun) for w in kept)
    assert spin_text(text, rate=0.0) == text
    assert spin_text(text, rate=0.8, seed=3) == spun


def test_spinner_first_entries_and_capitalised() -> None:
    assert spin_text("he is at the door", rate=1.0, first=1.0) == "helium is astatine the doorway"
    spun = spin_text("Year after year.", rate=1.0, seed=1, capitalised=True)
    assert spun.split()[0][0].isupper() and spun.split()[0] != "Year"
    with pytest.raises(ValueError):
        spin_text("text", rate=1.5)


# --- the score ----------------------------------------------------------------------------------


def test_seeds_score(seed_texts: dict[str, str]) -> None:
    spun = spin_score(seed_texts["004"])
    assert isinstance(spun, SpinReport)
    assert spun.spun and spun.score >= 0.95 and spun.rate >= 0.2
    assert any(hit.spun == "helium" and hit.original == "he" for hit in spun.hits)
    for prefix in ("000", "001", "002", "003"):
        report = spin_score(seed_texts[prefix])
        assert not report.spun and report.score < 0.2, (prefix, report)


def test_score_of_a_cleaned_article_matches_the_text(seed_texts: dict[str, str]) -> None:
    doc = clean_article(Article("004", seed_texts["004"]))
    report = spin_score(doc)
    assert report.spun
    assert report.to_dict().keys() == {"score", "spun", "rate", "hits"}
    text = seed_texts["004"]
    assert all(text[h.start : h.end] == h.spun for h in report.hits)


def test_plain_texts_with_rare_words_are_not_spun() -> None:
    science = (
        "The helium-3 isotope was measured by the spectrometer at the observatory. Astatine is"
        " the rarest naturally occurring element; arsenic and beryllium are toxic. Researchers"
        " in Maine said the yearlong survey of the mine's waste heaps had been exhaustive."
    )
    sport = (
        "The striker curled a free kick past the goalkeeper in the ninetieth minute, and the"
        " visitors, who had dominated possession, were left to rue their missed chances."
    )
    for text in (science, sport, ""):
        assert not spin_score(text).spun


def test_real_news_is_not_flagged() -> None:
    if not NEWS.is_dir():
        pytest.skip(f"no news corpus at {NEWS}")
    for path in sorted(NEWS.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            report = spin_score(record["text"])
            assert not report.spun, (record["id"], report.score, report.rate)


# --- restoring ----------------------------------------------------------------------------------


def test_despin_restores_seed_004(seed_texts: dict[str, str]) -> None:
    text = seed_texts["004"]
    result = despin(text)
    assert isinstance(result, Restoration) and result.spin.spun
    restored = result.text
    assert "played against the clock, in the dark." in restored
    assert "at least" in restored and "astatine slightest" not in restored
    by_word: dict[str, set[str]] = {}
    for change in result.changes:
        assert isinstance(change, Change)
        assert text[change.start : change.end] == change.spun
        assert 0.0 < change.confidence <= 1.0
        by_word.setdefault(change.spun, set()).add(change.original)
    expected = {
        "successful": "in", "helium": "he", "arsenic": "as", "astatine": "at",
        "slightest": "least", "twelvemonth": "year", "constabulary": "police",
        "beryllium": "be", "maine": "me",
    }  # fmt: skip
    for spun, original in expected.items():
        assert by_word.get(spun) == {original}, (spun, by_word.get(spun))
    assert len(words_of(restored)) == len(words_of(text))
    assert len(result.changes) >= 90


def test_numbers_and_names_are_context() -> None:
    # "12 percentage" reads as "<num> percentage", "Smith same" as a name before "same".
    text = "The budget rose 12 percentage last twelvemonth, Smith same."
    assert despin(text).text == "The budget rose 12 percent last year, Smith said."
    words = "Smith same the budget would rise by 12 proportion next twelvemonth".split()
    assert restore_words(words, forms=words, rate=0.3) == [
        "Smith", "said", "the", "budget", "would", "rise", "by", "12", "percent", "next", "year",
    ]  # fmt: skip


def test_a_sentence_end_weighs_the_words_before_it() -> None:
    # "die, also." is likelier mid-sentence, "die, too." at the end: only the end tells them.
    words = "innocent people on the ground are going to die besides".split()
    at_end = restore_words(words, rate=0.3)
    assert at_end[-1] == "too"
    going_on = restore_words([*words, "and", "more"], rate=0.3)
    assert going_on[len(words) - 1] != "too"


def test_one_letter_words_stay(examples: list[Article]) -> None:
    spun = spin_text(examples[0].text, rate=0.5, seed=2)
    assert all(len(change.spun) > 1 for change in despin(spun).changes)


def test_model_loads_once_across_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    built = []

    class Slow:
        def __init__(self) -> None:
            time.sleep(0.05)  # long enough for the other threads to arrive meanwhile
            built.append(self)

    monkeypatch.setattr(spin, "_MODEL", None)
    monkeypatch.setattr(spin, "SpinModel", Slow)
    got: list[object] = []
    threads = [threading.Thread(target=lambda: got.append(spin.model())) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(built) == 1 and len(got) == 8 and all(m is built[0] for m in got)


def test_despin_leaves_plain_seeds_nearly_alone(seed_texts: dict[str, str]) -> None:
    for prefix in ("000", "001", "002", "003"):
        text = seed_texts[prefix]
        changes = despin(text, force=True).changes
        assert len(changes) <= 3, (prefix, changes)


def test_despin_leaves_a_text_that_does_not_look_spun_as_it_is(seed_texts: dict[str, str]) -> None:
    # forced, the restorer still finds a word or two to change in a plain text: false changes
    forced = {p: despin(seed_texts[p], force=True) for p in ("000", "001", "002", "003")}
    plain = next(seed_texts[p] for p, restored in forced.items() if restored.changes)
    result = despin(plain)
    assert not result.spin.spun
    assert (result.text, result.changes) == (plain, [])


def test_restore_words_keeps_length_and_restores(seed_texts: dict[str, str]) -> None:
    words = ["helium", "told", "maine", "successful", "the", "dark", "astatine", "slightest"]
    restored = restore_words(words, rate=0.3)
    assert len(restored) == len(words)
    assert restored == ["he", "told", "me", "in", "the", "dark", "at", "least"]
    assert restore_words([]) == []
    doc: CleanArticle = clean_article(Article("004", seed_texts["004"]))
    back = restore_article(doc)
    assert len(back) == len(doc.words)
    changed = {(a, b) for a, b in zip(doc.words, back, strict=True) if a != b}
    assert {("helium", "he"), ("twelvemonth", "year"), ("constabulary", "police")} <= changed


def test_best_path_is_the_best_of_all_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    # Known truth by brute force: every path through a small random lattice, scored as the
    # second-order search scores them (states' own scores, each word's fit after the two before).
    import itertools

    import numpy as np

    monkeypatch.setattr(spin, "MIN_MARGIN", -math.inf)  # report every change on the path
    rng = np.random.default_rng(3)
    for trial in range(30):
        sizes = rng.integers(1, 4, size=int(rng.integers(1, 6))).tolist()
        states = [
            [(f"w{i}s{k}", float(rng.normal()), None if k == 0 else f"o{i}s{k}")
             for k in range(size)]
            for i, size in enumerate(sizes)
        ]  # fmt: skip
        fits = []
        for i, size in enumerate(sizes):
            two_back = sizes[i - 2] if i > 1 else 1
            one_back = sizes[i - 1] if i > 0 else 1
            fits.append(rng.normal(size=(two_back, one_back, size)))

        def score(path: tuple[int, ...], states: list = states, fits: list = fits) -> float:
            total = 0.0
            for i, k in enumerate(path):
                h = path[i - 2] if i > 1 else 0
                j = path[i - 1] if i > 0 else 0
                total += states[i][k][1] + fits[i][h, j, k]
            return total

        best = max(itertools.product(*(range(n) for n in sizes)), key=score)
        expected = [(i, states[i][k][2]) for i, k in enumerate(best) if k]
        got = [(i, original) for i, original, _ in spin._viterbi(states, fits)]
        assert got == expected, trial


def test_spelling_variants_are_no_swaps() -> None:
    assert spin._variants("metre", "meter") and spin._variants("globalisation", "globalization")
    assert spin._variants("colour", "color") and spin._variants("travelled", "traveled")
    assert not spin._variants("four", "for") and not spin._variants("acre", "acer")
    originals = {c.original for c in spin.model().reverse.get("metre", ())}
    assert "meter" not in originals and "metre" not in originals


def test_despin_copes_with_odd_text() -> None:
    text = (
        "It's 3.5 percent higher — naïve estimates said otherwise; l'été arrived. "
        + "and the helium told maine successful the dark " * 60
        + "\n\n12,000 £ 4 ... ?!"
    )
    result = despin(text)
    for change in result.changes:
        assert text[change.start : change.end] == change.spun
    assert "he told me in the dark" in result.text


@pytest.mark.parametrize("first", sorted(FLOORS))
def test_restoration_floors(examples: list[Article], first: float) -> None:
    min_restored, max_false = FLOORS[first]
    swapped = restored = unswapped = false = 0
    for index, article in enumerate(examples):
        spun, swaps = spin_swaps(article.text, rate=0.3, seed=index, first=first)
        assert spin_score(spun).spun, article.id
        truth = {(s.start, s.end): s.original.casefold() for s in swaps}
        result = despin(spun)
        swapped += len(truth)
        unswapped += len(words_of(spun)) - len(truth)
        for change in result.changes:
            if (change.start, change.end) not in truth:
                false += 1
            elif truth[change.start, change.end] == change.original.casefold():
                restored += 1
    assert restored / swapped >= min_restored, restored / swapped
    assert false / unswapped <= max_false, false / unswapped
    for article in examples:
        assert not spin_score(article.text).spun, article.id


def test_the_restorer_ranks_entries_as_the_spinner_draws_them() -> None:
    # "two" lists "2" first, but a spinner puts words for words: its first entry is "ii".
    lm = spin.model()
    for number, numeral in (("two", "ii"), ("three", "iii"), ("four", "iv")):
        listed = lm.thesaurus[number]
        assert not listed[0].isalpha() and listed[1] == numeral
        candidate = next(c for c in lm.reverse[numeral] if c.original == number)
        assert candidate.first and candidate.entries == sum(e.isalpha() for e in listed)
        spun = spin_text(f"we saw {number} boats", rate=1.0, seed=1, first=1.0)
        assert spun.split()[2] == numeral


def test_the_restorer_learns_how_often_a_site_takes_first_entries(
    examples: list[Article], monkeypatch: pytest.MonkeyPatch
) -> None:
    lm = spin.model()
    learnt = spin._first_entry_share

    def restored(first: float) -> tuple[int, int, list[float]]:
        right = wrong = 0
        shares = []
        for index, article in enumerate(examples[:4]):
            spun, swaps = spin_swaps(article.text, rate=0.4, seed=index, first=first)
            tokens = spin._tokens_of_text(spun)
            shares.append(learnt(tokens, lm, spin._restore(tokens, lm, 0.4)))
            truth = {(s.start, s.end): s.original.casefold() for s in swaps}
            for change in despin(spun).changes:
                found = truth.get((change.start, change.end))
                right += found == change.original.casefold()
                wrong += found != change.original.casefold()
        return right, wrong, shares

    any_entry, first_entry = restored(0.0), restored(1.0)
    assert max(any_entry[2]) < spin.FIRST_ENTRY_SHARE < 0.6 < min(first_entry[2])
    # Told its site's habit, the restorer puts back more of a first-entry site's words.
    monkeypatch.setattr(spin, "_first_entry_share", lambda *_: spin.FIRST_ENTRY_SHARE)
    fixed = restored(1.0)
    assert first_entry[0] >= fixed[0] + 10 and first_entry[1] <= fixed[1], (first_entry, fixed)


# --- the shipped data ---------------------------------------------------------------------------


def test_data_ships_with_its_licences() -> None:
    data = resources.files("copydesk").joinpath("data")
    raw = data.joinpath("spin-thesaurus.json.gz").read_bytes()
    assert len(raw) < 4_000_000
    content = json.loads(gzip.decompress(raw))
    assert content["thesaurus"]["he"].split()[0] == "helium"
    assert "least" in content["tortured"]["slightest"]
    names = content["names"].split()
    assert "clinton" in names and "paris" in names and "said" not in names
    assert "Princeton University" in data.joinpath("WORDNET-LICENSE").read_text(encoding="utf-8")
    assert "CC BY 4.0" in data.joinpath("README.md").read_text(encoding="utf-8")


# --- the command line ---------------------------------------------------------------------------


@pytest.fixture()
def runner() -> CliRunner:
    if "mix_stderr" in inspect.signature(CliRunner.__init__).parameters:  # click < 8.2
        return CliRunner(mix_stderr=False)
    return CliRunner()


def run(runner: CliRunner, *args: str | Path) -> Result:
    return runner.invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_cli_despin_says_a_plain_text_is_left_as_it_is(runner: CliRunner, seeds_dir: Path) -> None:
    path = next(seeds_dir.glob("002_*.txt"))
    result = run(runner, "despin", path)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.rstrip("\n") == path.read_text(encoding="utf-8").rstrip("\n")
    assert "not spun" in result.stderr and "left as it is (--force" in result.stderr


def test_scan_gives_restored_words_in_the_spun_words_case(examples: list[Article]) -> None:
    original = next(a for a in examples if a.id == "wire-flood")
    spun = spin_text(original.text, rate=0.5, seed=4, capitalised=True)
    (report,) = scan([Article("spun", spun)]).articles
    assert report.spin is not None
    changes = report.spin.get("changes", [])
    assert changes, "the spun copy is restored"
    for change in changes:
        first = change["spun"][0]
        assert change["restored"][0].isupper() == first.isupper(), change


def test_a_scan_takes_swapped_words_back_from_the_original(examples: list[Article]) -> None:
    swapped = restored = from_original = false = unswapped = 0
    for index, original in enumerate(examples):
        spun, swaps = spin_swaps(original.text, rate=0.3, seed=index)
        truth = {(s.start, s.end): s.original.casefold() for s in swaps}
        unswapped += len(words_of(spun)) - len(truth)
        result = scan([Article("original", original.text), Article("spun", spun)])
        jsonschema.validate(scan_to_dict(result), scan_schema(), cls=Draft202012Validator)
        (pair,) = result.pairs
        assert (pair.source, pair.target, pair.relation) == ("original", "spun", "spun_copy")
        report = next(r for r in result.articles if r.article.id == "spun")
        assert report.spin is not None
        swapped += len(truth)
        for change in report.spin["changes"]:
            if truth.get((change["start"], change["end"])) == change["restored"].casefold():
                restored += 1
                from_original += change.get("from") == "original"
            else:
                false += 1
    # The model alone restores about half of these (`test_restoration_floors`); what is left
    # lies outside the passages (footers cleaned away, a phrase the aligner did not reach).
    assert restored / swapped >= 0.95, restored / swapped
    assert from_original / restored >= 0.95
    assert false / unswapped <= 0.003, false  # measured 3 of 2,108


def test_the_original_puts_back_what_the_model_missed_and_undoes_what_it_changed() -> None:
    original = clean_article(Article("o", "He said the company would buy the old mill next year."))
    spun_text = "He aforesaid the company would purchase the old mill next twelvemonth."
    spun = clean_article(Article("s", spun_text))
    # As matched: the model restored "aforesaid" and "company" (wrongly), missed the others.
    model_words = list(spun.words)
    model_words[1], model_words[3] = "said", "party"
    matched = CleanArticle(**{**spun.__dict__, "words": model_words, "restored": [1, 3]})
    span = (0, len(spun.article.text)), (0, len(original.article.text))
    doc, taken = spin.restore_from_original(matched, original, [span])
    assert doc.words == original.words  # "purchase" and "twelvemonth" put back, "party" undone
    assert [doc.words[i] for i in doc.restored] == ["said", "buy", "year"]
    assert sorted(doc.words[i] for i in taken) == ["buy", "said", "year"]  # all vouched for


def test_the_original_does_not_undo_an_edit() -> None:
    original = clean_article(Article("o", "The river rose on Tuesday and the town hall was shut."))
    edited = clean_article(Article("e", "The river rose on Monday and the town hall was shut."))
    matched = CleanArticle(**{**edited.__dict__, "restored": []})
    span = (0, len(edited.article.text)), (0, len(original.article.text))
    doc, taken = spin.restore_from_original(matched, original, [span])
    assert "monday" in doc.words and not doc.restored and not taken  # not a thesaurus swap


def test_cli_despin(runner: CliRunner, seeds_dir: Path) -> None:
    path = next(seeds_dir.glob("004_*.txt"))
    result = run(runner, "despin", path)
    assert result.exit_code == 0, result.stderr
    assert "in the dark" in result.stdout and "spun" in result.stderr
    result = run(runner, "despin", path, "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["spin"]["spun"] is True
    text = path.read_text(encoding="utf-8")
    change = data["changes"][0]
    assert change.keys() == {"start", "end", "spun", "restored", "confidence"}
    assert all(text[c["start"] : c["end"]] == c["spun"] for c in data["changes"])


def test_cli_spin(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_text("He told me in the dark that the police will be at least a year late.\n")
    result = run(runner, "spin", path, "--rate", "0.5", "--seed", "1")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == spin_text(path.read_text(), 0.5, 1).strip()
    result = run(runner, "spin", path, "--rate", "0.5", "--seed", "1", "--format", "json")
    data = json.loads(result.stdout)
    assert all(data["text"][s["start"] : s["end"]] == s["spun"] for s in data["swaps"])
    assert run(runner, "spin", path, "--rate", "2").exit_code == 2


# --- copies spun too lightly to read as spun alone ---------------------------------------------


def lightly_spun(examples: list[Article], seeds: range) -> list[tuple[Article, str, dict]]:
    """(original, copy, its swaps by offsets) for the examples spun at 10 % that read as plain."""
    found = []
    for original in examples:
        for seed in seeds:
            spun, swaps = spin_swaps(original.text, rate=0.1, seed=seed)
            if not spin_score(clean_article(Article("spun", spun))).spun:
                truth = {(s.start, s.end): s.original.casefold() for s in swaps}
                found.append((original, spun, truth))
    return found


def test_a_copy_spun_too_lightly_to_read_as_spun_is_told_by_its_original(
    examples: list[Article],
) -> None:
    told = right = changed = swapped = 0
    cases = lightly_spun(examples, range(8))
    assert len(cases) >= 10
    for original, spun, truth in cases:
        result = scan([Article("original", original.text), Article("spun", spun)])
        (pair,) = result.pairs
        report = next(r for r in result.articles if r.article.id == "spun")
        assert report.spin is not None
        plain = next(r for r in result.articles if r.article.id == "original")
        assert plain.spin is not None and not plain.spin["spun"] and "changes" not in plain.spin
        if pair.relation != "spun_copy":
            assert not report.spin["spun"] and "changes" not in report.spin
            continue
        told += 1
        swapped += len(truth)
        assert (pair.source, pair.target) == ("original", "spun")
        assert pair.direction == "source_to_target"
        assert all(p.kind in ("spun", "verbatim") for p in pair.passages)
        assert report.spin["spun"] and report.spin["score"] < 0.5  # the score stays the text's
        for change in report.spin["changes"]:
            assert change["from"] == "original"
            changed += 1
            right += truth.get((change["start"], change["end"])) == change["restored"].casefold()
    # Measured: 12 of 14 copies told (the other two: 15 swaps each, too few passed the word-fit
    # test); 198 of their 209 swapped words put back, and no other word changed.
    assert told >= 10
    assert right == changed and right >= 0.9 * swapped


def passages_of(a: CleanArticle, b: CleanArticle) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    return [(p.source, p.target) for p in align_passages(a, b) if p.kind != "verbatim"]


def test_which_is_spun_names_the_spinners_copy_either_way(examples: list[Article]) -> None:
    original, spun, _ = next(
        case for case in lightly_spun(examples, range(8)) if case[0].id == "courier-budget"
    )
    a, b = clean_article(Article("o", original.text)), clean_article(Article("s", spun))
    assert spin.which_is_spun(a, b, passages_of(a, b)) == 1
    assert spin.which_is_spun(b, a, passages_of(b, a)) == 0
    assert spin.which_is_spun(a, a, [((0, len(a.article.text)),) * 2]) is None


def test_two_copies_spun_apart_are_not_told_one_from_the_other(examples: list[Article]) -> None:
    # With the original missing, neither copy is the other's original: their own swaps lie on
    # both sides, and putting one's words into the other would change words the spinner left.
    pairs = 0
    for original in examples:
        a, b = (clean_article(Article(f"c{seed}", spin_text(original.text, 0.1, seed)))
                for seed in (11, 12))  # fmt: skip
        assert spin.which_is_spun(a, b, passages_of(a, b)) is None, original.id
        pairs += 1
    assert pairs == len(examples)


def test_edits_with_a_few_synonyms_are_no_spinning() -> None:
    original = (
        "The council said on Monday that the bridge would close for repairs. Engineers found"
        " cracks in two of its supports last month, the council said, and the work will take"
        " about a year. Drivers are asked to use the ring road while the bridge is shut."
    )
    edited = (
        "The council stated on Monday that the bridge would shut for repairs. Engineers found"
        " cracks in two of its piers last week, the authority said, and the job will last"
        " about a year. Motorists are told to use the ring road while the crossing is closed."
    )
    a, b = clean_article(Article("o", original)), clean_article(Article("e", edited))
    spans = [((0, len(original)), (0, len(edited)))]
    assert spin.which_is_spun(a, b, spans) is None
    assert spin.which_is_spun(b, a, [(t, s) for s, t in spans]) is None


def test_aligned_words_pairs_words_standing_one_for_one() -> None:
    a = clean_article(Article("a", "one two three four five six seven"))
    b = clean_article(Article("b", "one two THREE four five extra six seven"))
    spans = [((0, len(a.article.text)), (0, len(b.article.text)))]
    pairs = list(spin.aligned_words(a, b, spans))
    # "three" stands for "THREE" (normalised alike); "extra" has no partner, the rest align.
    assert pairs == [(0, 0), (1, 1), (2, 2), (3, 3), (4, 4), (5, 6), (6, 7)]
    c = clean_article(Article("c", "one two tres four five six seven"))
    assert (2, 2) in list(spin.aligned_words(a, c, [((0, 33), (0, 32))]))


def test_a_spun_copy_takes_its_words_from_the_plainest_of_its_best_partners() -> None:
    original = clean_article(Article("z", "He said the company would buy the old mill next year."))
    # a second copy, lightly spun ("purchase"), that reads as plain alone
    light = clean_article(
        Article("a", "He said the company would purchase the old mill next year.")
    )
    spun = clean_article(Article("s", "He aforesaid the company would purchase the old mill next"
                                      " twelvemonth."))  # fmt: skip
    model_words = list(spun.words)
    model_words[1] = "said"
    matched = CleanArticle(**{**spun.__dict__, "words": model_words, "restored": [1]})

    def whole(a: CleanArticle, score: float) -> Pair:
        passage = Passage((0, len(a.article.text)), (0, len(spun.article.text)), "spun", 0.9)
        return Pair(a.id, "s", "spun_copy", "source_to_target", score, 1.0, 1.0, [passage])

    pairs = [whole(light, 1.0), whole(original, 0.95)]
    docs = [original, light, matched]
    spins = {"a": SpinReport(0.01, False, rate=0.02), "z": SpinReport(0.0, False, rate=0.001),
             "s": SpinReport(0.9, True, rate=0.2)}  # fmt: skip
    found = spin.words_of_originals(docs, pairs, spins)["s"]
    assert found.source == "z" and found.doc.words == original.words
    # By score alone the light copy would lend its swap ("purchase" stays).
    found = spin.words_of_originals(docs, pairs)["s"]
    assert found.source == "a" and "purchase" in found.doc.words
    # Past `PLAINEST_WITHIN`, the better pair wins whatever the rates.
    far = [whole(light, 1.0), whole(original, 1.0 - spin.PLAINEST_WITHIN - 0.01)]
    assert spin.words_of_originals(docs, far, spins)["s"].source == "a"
