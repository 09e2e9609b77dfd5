"""Build copydesk/data/spin-thesaurus.json.gz, the lexical data of copydesk.spin (run once).

Sources, both installed on the build machine only (users need neither):
- WordNet 3.0 from Debian's `wordnet-base` (`apt-get install -y wordnet-base`), read from
  /usr/share/wordnet/: for every single-word lemma, the single words a synonym spinner may put in
  its place, in the order a WordNet-derived thesaurus lists them (the LibreOffice English
  thesaurus, `mythes-en-us`, lists them so): per part of speech (adjective, noun, verb, adverb)
  and per sense (most frequent first), the other members of the synset, its "similar to"
  adjectives, its hypernyms ("generic terms"), then its "also see" and attribute neighbours
  ("related terms"). Antonyms are left out. The WordNet licence text is copied beside the data.
  Also the single-word proper names of WordNet (lemmas written with a capital: "Clinton",
  "Paris", "Monday") that no lower-case lemma spells ("Bush" is also a shrub, so it is left out):
  the language model learns from them which words follow a name ("Clinton said").
- The tortured phrases of the Problematic Paper Screener (Cabanac, Labbé, Magazinov; CC BY 4.0),
  as in ../shared/corpus/spin/tortured-phrases.json: where a tortured phrase differs from its
  correct form word for word (same length), each (spun word, original word) pair is kept as
  extra evidence of what real spinners do (e.g. "slightest" for "least").

Usage: python scripts/build_spin_data.py [--wordnet DIR] [--tortured FILE] [--out FILE]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "copydesk" / "data"
DEFAULT_OUT = DATA / "spin-thesaurus.json.gz"
DEFAULT_TORTURED = ROOT.parent / "shared" / "corpus" / "spin" / "tortured-phrases.json"
WORDNET_COPYRIGHT = Path("/usr/share/doc/wordnet-base/copyright")

#: Parts of speech in the order a thesaurus entry lists them ("s" is the adjective satellite).
POS_FILES = (("adj", "a"), ("noun", "n"), ("verb", "v"), ("adv", "r"))
#: Pointer symbols followed, by kind: similar to, hypernyms (also of instances), related terms.
SIMILAR = ("&",)
GENERIC = ("@", "@i")
RELATED = ("^", "=")
#: One word as copydesk's tokeniser sees it (letters and digits, inner apostrophes).
ONE_WORD_RE = re.compile(r"^[^\W_]+(?:'[^\W_]+)*$")
#: Most entries kept per headword: spinners take one of the first few.
MAX_ENTRIES = 60
FORMAT = 2


def _lemma(raw: str) -> str:
    """A WordNet lemma as text: underscores to spaces, adjective markers ("(a)") dropped."""
    return re.sub(r"\((?:a|p|ip)\)$", "", raw).replace("_", " ").lower()


def read_synsets(wordnet: Path) -> dict[tuple[str, str], tuple[list[str], list[tuple[str, str]]]]:
    """(pos letter, offset) -> (lemmas, [(pointer symbol, target key)]) for every synset."""
    synsets: dict[tuple[str, str], tuple[list[str], list[tuple[str, str]]]] = {}
    for name, _pos in POS_FILES:
        with open(wordnet / f"data.{name}", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("  "):
                    continue  # the licence header
                fields = line.split(" | ", 1)[0].split()
                offset, ss_type = fields[0], fields[2]
                count = int(fields[3], 16)
                lemmas = [_lemma(fields[4 + 2 * i]) for i in range(count)]
                at = 4 + 2 * count
                n_pointers = int(fields[at])
                pointers = []
                for i in range(n_pointers):
                    first = at + 1 + 4 * i
                    symbol, target, target_pos, source_target = fields[first : first + 4]
                    if source_target == "0000":  # semantic pointers only: synset to synset
                        pointers.append((symbol, _pos_key(target_pos, target)))
                synsets[_pos_key(ss_type, offset)] = (lemmas, pointers)
    return synsets


def _pos_key(pos: str, offset: str) -> tuple[str, str]:
    return ("a" if pos == "s" else pos, offset)


def read_senses(wordnet: Path) -> dict[str, list[tuple[str, str]]]:
    """Lemma -> its synsets in thesaurus order (part of speech, then sense frequency)."""
    senses: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for name, pos in POS_FILES:
        with open(wordnet / f"index.{name}", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("  "):
                    continue
                fields = line.split()
                lemma = _lemma(fields[0])
                n_synsets = int(fields[2])
                offsets = fields[-n_synsets:]
                senses[lemma].extend((pos, offset) for offset in offsets)
    return senses


def build_thesaurus(wordnet: Path) -> dict[str, list[str]]:
    """Single-word headword -> single-word entries, in thesaurus order, without repeats."""
    synsets = read_synsets(wordnet)
    senses = read_senses(wordnet)
    thesaurus: dict[str, list[str]] = {}
    for head, keys in senses.items():
        if not ONE_WORD_RE.match(head):
            continue
        entries: list[str] = []
        seen = {head}
        for key in keys:
            lemmas, pointers = synsets[key]
            ordered = list(lemmas)
            for kinds in (SIMILAR, GENERIC, RELATED):
                for symbol, target in pointers:
                    if symbol in kinds and target in synsets:
                        ordered.extend(synsets[target][0])
            for word in ordered:
                if word not in seen and ONE_WORD_RE.match(word):
                    seen.add(word)
                    entries.append(word)
        if entries:
            thesaurus[head] = entries[:MAX_ENTRIES]
    return thesaurus


def proper_names(wordnet: Path) -> list[str]:
    """Single-word WordNet lemmas written with a capital that no lower-case lemma spells."""
    capitalised: set[str] = set()
    lower: set[str] = set()
    for name, _pos in POS_FILES:
        with open(wordnet / f"data.{name}", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("  "):
                    continue
                fields = line.split(" | ", 1)[0].split()
                for i in range(int(fields[3], 16)):
                    raw = re.sub(r"\((?:a|p|ip)\)$", "", fields[4 + 2 * i])
                    if not raw.isalpha():
                        continue
                    if raw[:1].isupper() and raw[1:].islower():
                        capitalised.add(raw.lower())
                    elif raw.islower():
                        lower.add(raw)
    return sorted(capitalised - lower)


def tortured_pairs(path: Path) -> dict[str, dict[str, int]]:
    """Spun word -> {original word: phrases showing that swap}, from same-length phrases."""
    data = json.loads(path.read_text(encoding="utf-8"))
    pairs: dict[str, Counter[str]] = defaultdict(Counter)
    for phrase in data["phrases"]:
        spun = phrase["tortured"].lower().split()
        right = phrase["correct"].lower().split()
        if len(spun) != len(right):
            continue
        for spun_word, right_word in zip(spun, right, strict=True):
            if spun_word != right_word and ONE_WORD_RE.match(spun_word + right_word):
                pairs[spun_word][right_word] += 1
    return {spun: dict(sorted(c.items())) for spun, c in sorted(pairs.items())}


def wordnet_licence() -> str:
    """The WordNet 3.0 licence, as Debian's copyright file of `wordnet-base` states it."""
    text = WORDNET_COPYRIGHT.read_text(encoding="utf-8")
    match = re.search(r"^License: WordNet3\.0\n((?: .*\n)+)", text, re.MULTILINE)
    if match is None:
        raise SystemExit(f"no WordNet licence found in {WORDNET_COPYRIGHT}")
    lines = [line[1:] for line in match.group(1).splitlines()]
    return "\n".join("" if line == "." else line for line in lines).strip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wordnet", type=Path, default=Path("/usr/share/wordnet"))
    parser.add_argument("--tortured", type=Path, default=DEFAULT_TORTURED)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    if not (args.wordnet / "data.noun").exists():
        print("WordNet 3.0 not found: apt-get install -y wordnet-base", file=sys.stderr)
        return 1
    thesaurus = build_thesaurus(args.wordnet)
    extra = tortured_pairs(args.tortured) if args.tortured.exists() else {}
    names = proper_names(args.wordnet)
    data = {
        "format": FORMAT,
        "sources": {
            "thesaurus": "WordNet 3.0 (Princeton University), Debian package wordnet-base",
            "tortured": "Problematic Paper Screener tortured phrases (Cabanac, Labbe, Magazinov),"
            " CC BY 4.0",
        },
        "thesaurus": {head: " ".join(entries) for head, entries in sorted(thesaurus.items())},
        "tortured": {spun: originals for spun, originals in extra.items()},
        "names": " ".join(names),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    with gzip.GzipFile(args.out, "wb", compresslevel=9, mtime=0) as handle:
        handle.write(payload.encode("utf-8"))
    (args.out.parent / "WORDNET-LICENSE").write_text(wordnet_licence(), encoding="utf-8")
    n_entries = sum(len(e) for e in thesaurus.values())
    print(
        f"{args.out}: {len(thesaurus)} headwords, {n_entries} entries, {len(extra)} tortured"
        f" swaps, {len(names)} names, {args.out.stat().st_size / 1e6:.2f} MB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
