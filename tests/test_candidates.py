"""copydesk.candidates: the rare-n-gram index finds reuse pairs and only those."""

from __future__ import annotations

import hashlib
import random
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from itertools import combinations, pairwise

import numpy as np
import pytest
from fixtures.stories import FESTIVAL, FLOOD_REPORT, TRADERS_REPORT

from copydesk import candidates
from copydesk.align import (
    article_terms,
    idf_from_term_sets,
    sentence_bounds,
    sentence_tokens,
    word_term,
)
from copydesk.candidates import (
    HashLookup,
    _sentence_terms,
    _word_table,
    _word_term_hash,
    build_idf,
    find_candidates,
    fingerprint,
    fingerprints,
    ngram_hashes,
    publication_ranks,
    sentence_sketches,
    sketch_pairs,
    sketches_of,
    word_hash,
)
from copydesk.clean import clean_article, clean_articles
from copydesk.model import Article, Candidate, CleanArticle, Fingerprint
from copydesk.synthetic import make_corpus

VOCABULARY = [f"{a}{b}{c}" for a in "bcdfghklmnprst" for b in "aeiou" for c in "lmnrst"]


def random_words(rnd: random.Random, count: int) -> list[str]:
    return [rnd.choice(VOCABULARY) for _ in range(count)]


def as_text(words: list[str], per_paragraph: int = 60) -> str:
    return "\n\n".join(
        " ".join(words[i : i + per_paragraph]) + "." for i in range(0, len(words), per_paragraph)
    )


SHARED = [
    "The council's finance director said the initial cost of the flood response was high.",
    "That figure does not include damage to private property or lost trade on the riverside.",
    "The contingency reserve holds about six hundred thousand pounds at present.",
]


def corpus(seed: int = 11) -> list[Article]:
    """Five unrelated random-word articles; `b` hides three sentences of `a` among ~2000 words."""
    rnd = random.Random(seed)
    a = random_words(rnd, 300)
    b_before, b_after = random_words(rnd, 1000), random_words(rnd, 1000)
    return [
        Article("a", as_text(a[:150]) + "\n\n" + " ".join(SHARED) + "\n\n" + as_text(a[150:])),
        Article("x", as_text(random_words(rnd, 800))),
        Article("b", as_text(b_before) + "\n\n" + " ".join(SHARED) + "\n\n" + as_text(b_after)),
        Article("y", as_text(random_words(rnd, 800))),
        Article("z", as_text(random_words(rnd, 50))),
    ]


def test_three_shared_sentences_in_a_long_text_are_found() -> None:
    docs = clean_articles(corpus())
    assert len(docs[2].words) > 2000
    found = find_candidates(docs)
    assert [(c.a, c.b) for c in found] == [(0, 2)]
    assert found[0].shared >= 20  # ~40 words of shared sentences give dozens of 5-grams


def test_unrelated_texts_are_not_candidates() -> None:
    articles = [a for a in corpus() if a.id != "b"]
    assert find_candidates(clean_articles(articles)) == []


def test_same_input_same_candidates() -> None:
    first = find_candidates(clean_articles(corpus()))
    second = find_candidates(clean_articles(corpus()))
    assert first == second and first


def test_word_hash_is_stable_across_processes() -> None:
    # blake2b, not Python's salted hash(): this exact value must never change
    assert word_hash("flood") == word_hash("flood")
    assert word_hash("flood") != word_hash("floods")
    expected = int.from_bytes(hashlib.blake2b(b"flood", digest_size=8).digest(), "little")
    assert word_hash("flood") == expected


def test_the_word_table_gives_each_words_fields(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(candidates, "TABLE_LIMIT", 50)  # starts afresh within the test
    rnd = random.Random(6)
    pieces = ["flood", "floods", "the", "3d", "covid19", "2024", "٣", "²", "ﬁnal", "o'neill", "x"]
    for _ in range(40):
        words = [rnd.choice(pieces) + str(rnd.randint(0, 30)) * rnd.randint(0, 1)
                 for _ in range(rnd.randint(0, 30))]  # fmt: skip
        hashes, terms, numbers = _word_table.fields(words)
        assert len(_word_table) <= 50 + len(words)
        assert hashes.tolist() == list(map(word_hash, words))
        assert terms.tolist() == list(map(_word_term_hash, words))
        assert numbers.tolist() == [w.isdecimal() for w in words]


def test_fingerprints_made_in_threads_are_those_made_one_by_one() -> None:
    # The web service fingerprints in several threads, and the word table grows as it is read.
    docs = clean_articles(make_corpus(120, seed=3, words=(80, 200)).articles)
    _word_table.clear()

    def made(doc: CleanArticle) -> tuple[list[int], ...]:
        found = fingerprint(doc)
        return found.ngrams.tolist(), found.terms.tolist(), found.names.tolist()

    with ThreadPoolExecutor(8) as pool:
        in_threads = list(pool.map(made, docs))
    assert in_threads == [made(d) for d in docs]


def _fields(found: Fingerprint) -> tuple:
    return (found.ngrams.tolist(), found.terms.tolist(), found.sentences.tolist(),
            found.sentences.dtype, found.names.tolist(), found.vocabulary.tolist())  # fmt: skip


@pytest.mark.parametrize("rewrites", [True, False])
def test_fingerprints_of_a_batch_are_those_of_each_article(
    monkeypatch: pytest.MonkeyPatch, rewrites: bool
) -> None:
    # Articles read as one text: nothing may reach across from one to the next (numbers
    # joined by a point, a sentence running on, a name opening the next article), whatever
    # the kind of text, and whatever the batch's size.
    monkeypatch.setattr(candidates, "BATCH_ARTICLES", 7)
    rnd = random.Random(12)
    pieces = ["ab", "ZY", "07", ".", ",", "'", "’", "\n", " ", " ", " ", "1,000", "3.5", "Dr.",
              ". The", "Paris", "covid19", "é", "ﬁ", "İ", "“", "Ã©", "â€™"]  # fmt: skip
    texts = ["".join(rnd.choices(pieces, k=rnd.randint(0, 40))) for _ in range(400)]
    texts += ["", "7", "It cost 3", ".5 more in Paris", "Flood. " * 33_000, "Rome 12. 5,000 left"]
    docs = [clean_article(Article(f"t{i}", t)) for i, t in enumerate(texts)]
    spun = clean_article(Article("s", "Helium told maine the constabulary came successful June."))
    docs.append(replace(spun, words=["he", "told", "me", *spun.words[3:]], restored=[0, 2]))
    rnd.shuffle(docs)
    batched = [_fields(f) for f in fingerprints(docs, rewrites=rewrites)]
    assert batched == [_fields(fingerprint(d, rewrites=rewrites)) for d in docs]
    if rewrites:  # the long article numbers its sentences in 32 bits, the others in 16
        assert {f[3] for f in batched} == {np.dtype(np.int16), np.dtype(np.int32)}
        assert any(f[5] for f in batched)
    # Without the vocabularies (the candidate search alone), all else is the same.
    bare = [_fields(f) for f in fingerprints(docs, rewrites=rewrites, vocabulary=False)]
    assert bare == [(*f[:5], []) for f in batched]


@pytest.mark.parametrize("slot_bits", [16, 2])
def test_a_hash_lookup_holds_its_members_alone(
    monkeypatch: pytest.MonkeyPatch, slot_bits: int
) -> None:
    # With four slots, most members share one: those values are searched for instead.
    monkeypatch.setattr(HashLookup, "SLOT_BITS", slot_bits)
    rng = np.random.default_rng(4)
    edges = np.array([0, 2**64 - 1], dtype=np.uint64)
    members = np.concatenate((edges, rng.integers(0, 2**63, 3000, dtype=np.uint64)))
    others = rng.integers(0, 2**63, 20_000, dtype=np.uint64)
    # term hashes keep their top bits only: values differing in the low bits alone
    values = np.concatenate((members, others, members ^ np.uint64(1), others << np.uint64(24)))
    rng.shuffle(values)
    lookup = HashLookup(members[::-1])
    assert lookup.holds(values).tolist() == np.isin(values, members).tolist()
    assert not HashLookup(np.empty(0, dtype=np.uint64)).holds(values).any()


def test_idf_weights_looked_up_together_are_those_of_each_term() -> None:
    docs = clean_articles([Article("a", FLOOD_REPORT), Article("b", TRADERS_REPORT),
                           Article("c", FESTIVAL)])  # fmt: skip
    expected = idf_from_term_sets(article_terms(d) for d in docs)
    terms = sorted(expected)
    unknown = ["no+such", "zzzz", "dunmer+zzzz"]
    idf = build_idf(docs)
    looked_up = idf.weights_of([*terms[::2], *unknown])  # half now, half one by one below
    for term in terms:
        assert idf[term] == pytest.approx(expected[term]) and term in idf
    for term in unknown:
        assert looked_up[term] == idf.rarest == max(expected.values())
        assert term not in idf and idf.get(term) is None
    weights = idf.weights_of(terms)
    assert [weights[t] for t in terms] == pytest.approx([expected[t] for t in terms])


def test_publication_ranks_put_the_earliest_first() -> None:
    dates = [
        None,
        "2026-03-16",  # midnight UTC
        "2026-03-15T23:00:00-05:00",  # 04:00 UTC the next day
        "2026-03-16",  # a tie: the input order decides
    ]
    assert publication_ranks(dates).tolist() == [3, 0, 2, 1]


def test_ngrams_above_max_df_link_each_article_to_the_first_alone() -> None:
    rnd = random.Random(5)
    passage = " ".join(SHARED)
    articles = [
        Article(f"s{i}", as_text(random_words(rnd, 200)) + "\n\n" + passage) for i in range(4)
    ]
    docs = clean_articles(articles)
    everyone = find_candidates(docs, max_df=4)
    assert len(everyone) == 6  # all pairs of four articles
    hub = find_candidates(docs, max_df=3)  # a syndicated passage: a star, not all pairs
    assert [(c.a, c.b, c.shared) for c in hub] == [(0, b, everyone[0].shared) for b in (1, 2, 3)]
    # A stock phrase (a few n-grams) in more than max_df articles links nothing.
    phrase = "at the end of the day the council"  # four 5-grams
    stock = [
        Article(f"t{i}", as_text(random_words(rnd, 200)) + "\n\n" + phrase) for i in range(4)
    ]
    stock_docs = clean_articles(stock)
    assert len(find_candidates(stock_docs, max_df=4)) == 6
    assert find_candidates(stock_docs, max_df=3) == []


def test_min_shared_is_the_number_of_distinct_ngrams() -> None:
    rnd = random.Random(6)
    phrase = "one two three four five six"  # exactly two 5-grams
    articles = [
        Article("p", as_text(random_words(rnd, 100)) + "\n\n" + phrase),
        Article("q", phrase + "\n\n" + as_text(random_words(rnd, 100))),
    ]
    docs = clean_articles(articles)
    assert find_candidates(docs, min_shared=2) == [Candidate(0, 1, 2)]
    assert find_candidates(docs, min_shared=3) == []


def test_ngram_hashes_are_order_sensitive() -> None:
    words = ["alpha", "beta", "gamma", "delta"]
    forward = ngram_hashes(words, 3)
    assert forward.dtype == np.uint64 and len(forward) == 2
    assert np.array_equal(forward, ngram_hashes(list(words), 3))
    assert not set(forward.tolist()) & set(ngram_hashes(words[::-1], 3).tolist())
    swapped = ngram_hashes(["beta", "alpha", "gamma", "delta"], 3)
    assert not set(swapped.tolist()) & set(forward.tolist())
    assert set(ngram_hashes(["x", "a", "b"], 2).tolist()) != set(
        ngram_hashes(["x", "b", "a"], 2).tolist()
    )


def test_ngram_hashes_are_distinct_and_sorted() -> None:
    words = ["a", "b", "c", "a", "b", "c", "a", "b"]
    hashes = ngram_hashes(words, 3)
    assert len(hashes) == 3  # abc, bca, cab
    assert list(hashes) == sorted(hashes)
    assert len(ngram_hashes(["too", "short"], 3)) == 0


# ---------------------------------------------------------------------------------------------
# sentence sketches: rewrites share rare content words, not 5-grams

ORIGINAL = [
    "The harbour board of Kellmouth voted on Monday to close the old ferry terminal by next "
    "March, citing repair costs of 4.2 million pounds.",
    "Board chair Annika Falvey said the timber piers had rotted beyond saving after two wet "
    "winters.",
    "Ferry passengers will be moved to a temporary pontoon beside the fish market while a new "
    "terminal is designed.",
]
REWORDED = [
    "Kellmouth's ferry terminal will shut by March next year after the harbour board decided on "
    "Monday that repairs, estimated at 4.2 million pounds, were too expensive.",
    "According to Annika Falvey, who chairs the board, two damp winters had left the wooden "
    "piers rotten beyond repair.",
    "While designers work on a replacement terminal, ferry travellers will use a makeshift "
    "pontoon next to the fish market.",
]


def rewrite_corpus(seed: int = 21) -> list[Article]:
    """Four random-word articles; `orig` and `rewr` hide the same news in other words."""
    rnd = random.Random(seed)
    return [
        Article("orig", as_text(random_words(rnd, 200)) + "\n\n" + " ".join(ORIGINAL)),
        Article("x", as_text(random_words(rnd, 300))),
        Article("rewr", " ".join(REWORDED) + "\n\n" + as_text(random_words(rnd, 200))),
        Article("y", as_text(random_words(rnd, 300))),
    ]


def test_sketches_find_a_rewrite_that_shares_no_5_gram() -> None:
    docs = clean_articles(rewrite_corpus())
    assert find_candidates(docs, sketches=False, names=False) == []
    found = find_candidates(docs)
    assert [(c.a, c.b) for c in found] == [(0, 2)]
    assert found[0].shared < 2  # found by sketches alone: few or no shared n-grams
    # one shared sentence pair is not enough by default
    assert find_candidates(docs, min_sketch_sentences=4, names=False) == []


def test_sketches_are_stable_and_deterministic() -> None:
    docs = clean_articles(rewrite_corpus())
    hashes, doc_of, sentences = sentence_sketches([fingerprint(d) for d in docs])
    again = sentence_sketches([fingerprint(d) for d in clean_articles(rewrite_corpus())])
    assert hashes.dtype == np.uint64 and len(hashes) > 0
    for mine, other in zip((hashes, doc_of, sentences), again, strict=True):
        assert np.array_equal(mine, other)
    assert set(doc_of.tolist()) <= {0, 1, 2, 3}
    # one row per distinct (sketch, sentence)
    assert len(set(zip(hashes.tolist(), sentences.tolist(), strict=True))) == len(hashes)


def test_common_words_make_no_sketch() -> None:
    docs = clean_articles(rewrite_corpus())
    # with max_df=1 every word shared by two articles is too common: nothing links
    assert len(sketch_pairs([fingerprint(d) for d in docs], max_df=1)) == 0
    assert find_candidates(docs, max_df=1) == []


def test_sketches_add_few_candidates_on_a_synthetic_corpus() -> None:
    corpus = make_corpus(300, seed=4, words=(150, 300))
    docs = clean_articles(corpus.articles)
    plain = find_candidates(docs, sketches=False)
    both = find_candidates(docs)
    assert {(c.a, c.b) for c in plain} <= {(c.a, c.b) for c in both}
    assert len(both) <= len(plain) * 1.1 + 2
    assert both == sorted(both, key=lambda c: (c.a, c.b))


def test_reports_naming_the_same_rare_names_are_candidates() -> None:
    from copydesk.candidates import name_hashes

    docs = [clean_article(Article(i, t)) for i, t in
            (("a", FLOOD_REPORT), ("b", TRADERS_REPORT), ("c", FESTIVAL))]  # fmt: skip
    # names and numbers, not sentence openers: "Dunmere's" opens the report and is left out
    assert len(name_hashes(docs[0])) >= 6
    assert [(c.a, c.b) for c in find_candidates(docs, sketches=False)] == [(0, 1)]
    assert find_candidates(docs, sketches=False, names=False) == []


def _names_found_and_expected(text: str, named: set[str]) -> tuple[set[int], set[int]]:
    """`name_hashes` of `text` as an article, and the hashes of the words spelt as in `named`."""
    from copydesk.candidates import name_hashes

    doc = clean_article(Article("a", text))
    expected = {
        word_hash(word)
        for word, start, end in zip(doc.words, doc.starts, doc.ends, strict=True)
        if text[start:end] in named
    }
    assert len(expected) == len(named)
    return set(name_hashes(doc).tolist()), expected


def test_names_are_capitalised_words_inside_sentences_and_numbers_in_any_script() -> None:
    text = "Émile left. Then Zürich and Ñandú met 12 envoys; Ωmega came, ÿes 7 times in 2024."
    found, expected = _names_found_and_expected(text, {"Zürich", "Ñandú", "12", "2024"})
    assert found == expected  # not openers, lower case or one digit


def test_names_do_not_follow_a_sentence_mark_anywhere_between_two_words() -> None:
    # What lies between a capitalised word and the word before it decides: a mark or a quote
    # first, last or in the middle of it (" . . ") makes the word a sentence opener.
    text = (
        'Officials met Anna in Paris, Berlin and Rome: Oslo said "Lima was" there . . Quito '
        "left  (Madrid) and Tokyo.\nKyiv came 2024 times; Accra stayed"
    )
    named = {"Anna", "Paris", "Berlin", "Rome", "Madrid", "Tokyo", "2024"}
    found, expected = _names_found_and_expected(text, named)
    assert found == expected


def _sketches_one_by_one(
    hashes: list[int], sentences: list[int], sketch_terms: int
) -> list[tuple[int, int]]:
    """What `sketches_of` finds, sentence by sentence and triple by triple."""
    mask = (1 << 64) - 1
    found = set()
    for sentence in sorted(set(sentences)):
        lowest = sorted(h for h, s in zip(hashes, sentences, strict=True) if s == sentence)
        for triple in combinations(lowest[:sketch_terms], 3):
            mixed = 0
            for word in triple:
                rotated = ((word << 17) | (word >> 47)) & mask
                mixed = ((mixed * 0x9E3779B97F4A7C15) & mask) ^ rotated
            found.add((mixed >> 24, sentence))  # a sketch keeps its top 40 bits
    return sorted(found)


@pytest.mark.parametrize(
    ("sketch_terms", "block", "first"),
    [(2, 1000, 0), (3, 1000, 0), (6, 1000, 0), (7, 7, 0), (6, 1, 0), (6, 1000, 2**24 - 20)],
)
def test_sketches_are_every_triple_of_each_sentences_lowest_terms(
    sketch_terms: int, block: int, first: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(candidates, "_SKETCH_BLOCK", block)  # sentences sketched at a time
    rng = random.Random(sketch_terms)
    # sizes from 0 to about 15; numbered from `first`: past 2 ** 24 sketches and sentences no
    # longer pack into one integer, and are sorted the slower way
    sentences = sorted(first + rng.randrange(40) for _ in range(300))
    hashes = [rng.getrandbits(64) for _ in sentences]
    found, owners = sketches_of(
        np.array(hashes, dtype=np.uint64), np.array(sentences, dtype=np.int64), sketch_terms
    )
    assert list(zip(found.tolist(), owners.tolist(), strict=True)) == _sketches_one_by_one(
        hashes, sentences, sketch_terms
    )


def test_sketches_fall_in_one_part_each() -> None:
    # One sentence of four terms makes four triples; split into parts by value, every one
    # lands in exactly one part, and a part holding none gives empty arrays.
    hashes = np.array([11, 22, 33, 44], dtype=np.uint64) << np.uint64(40)
    sentences = np.zeros(4, dtype=np.int64)
    whole, _ = sketches_of(hashes, sentences, 4)
    parts = [sketches_of(hashes, sentences, 4, part=(k, 7)) for k in range(7)]
    assert len(whole) == 4
    assert sorted(np.concatenate([found for found, _ in parts]).tolist()) == whole.tolist()
    assert any(len(found) == 0 and len(owners) == 0 for found, owners in parts)


def test_sketches_paired_in_parts_give_the_same_candidates(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from copydesk import candidates

    corpus = make_corpus(300, seed=8, kinds=("copy", "partial", "rewritten"), edit_rate=0.1)
    docs = clean_articles(corpus.articles)
    whole = find_candidates(docs)
    assert any(c.shared < 2 for c in whole)  # some found by sketches alone
    monkeypatch.setattr(candidates, "SKETCH_PART_TERMS", 500)  # dozens of parts
    assert find_candidates(docs) == whole


def test_document_frequencies_count_each_key_once_an_article_across_merges(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from copydesk.candidates import DocumentFrequencies

    monkeypatch.setattr(DocumentFrequencies, "FOLD", 500)  # many merges into what is counted
    rng = np.random.default_rng(3)
    pool = rng.integers(0, 2**64 - 1, size=20_000, dtype=np.uint64)  # keys in every bucket
    counts, expected = DocumentFrequencies(), {}
    for _ in range(2000):
        keys = np.unique(rng.choice(pool, size=int(rng.integers(0, 40))))
        counts.add(keys)
        for key in keys.tolist():
            expected[key] = expected.get(key, 0) + 1
    idf = counts.idf()
    assert idf.n_docs == 2000
    assert idf.term_keys.tolist() == sorted(expected)
    assert idf.counts.tolist() == [expected[k] for k in sorted(expected)]
    assert counts.idf().counts.tolist() == idf.counts.tolist()  # asked again: the same
    with pytest.raises(RuntimeError, match="handed to an Idf"):
        counts.add(pool[:3])  # would change the counts the Idf holds


def test_packed_hashes_grow_past_the_announced_capacity() -> None:
    from copydesk.candidates import PackedHashes

    packed = PackedHashes(3, capacity=2)
    for hashes in ([5 << 20, 7 << 20], [5 << 20], [9 << 20, 5 << 20, 7 << 20]):
        packed.add(np.array(hashes, dtype=np.uint64))
    keys = packed.take()
    owners = (keys & np.uint64((1 << packed.bits) - 1)).tolist()
    assert owners == [0, 0, 1, 2, 2, 2]
    assert ((keys >> np.uint64(20)) << np.uint64(20)).tolist() == [5 << 20, 7 << 20, 5 << 20,
                                                                  9 << 20, 5 << 20, 7 << 20]
    with pytest.raises(ValueError, match="more than the 3 articles"):
        packed.add(np.array([1], dtype=np.uint64))


def test_a_part_added_as_one_array_counts_as_its_articles_one_by_one() -> None:
    from copydesk.candidates import DocumentFrequencies, PackedHashes, owner_bits, pack_hashes

    rng = np.random.default_rng(5)
    articles = [np.unique(rng.integers(0, 2**64 - 1, size=int(rng.integers(0, 30)),
                                       dtype=np.uint64)) for _ in range(40)]  # fmt: skip
    one_by_one, packed = PackedHashes(40, 10), PackedHashes(40, 10)
    single, parted = DocumentFrequencies(), DocumentFrequencies()
    for hashes in articles:
        one_by_one.add(hashes)
        single.add(hashes)
    for first in range(0, 40, 16):  # parts of 16, 16 and 8 articles, some of them empty
        part = articles[first : first + 16]
        joined, counts = np.concatenate(part), np.array([len(h) for h in part])
        parted.add(joined, len(part))
        # as a worker sends its part: packed and sorted
        keys = np.sort(pack_hashes(joined, counts, first, owner_bits(40)))
        packed.add_packed(keys, first, len(part))
    assert sorted(packed.take().tolist()) == sorted(one_by_one.take().tolist())
    a, b = single.idf(), parted.idf()
    assert (a.n_docs, a.term_keys.tolist(), a.counts.tolist()) == (
        b.n_docs, b.term_keys.tolist(), b.counts.tolist())  # fmt: skip
    with pytest.raises(ValueError, match="more than the 40 articles"):
        packed.add_packed(np.array([1], dtype=np.uint64), 40, 1)
    with pytest.raises(ValueError, match="article 3 given where article 0 is due"):
        PackedHashes(5, 5).add_packed(np.array([3], dtype=np.uint64), 3, 1)


def _terms_as_the_aligner_reads_them(doc: CleanArticle) -> tuple[list[int], list[int]]:
    """Each token's term hash (0 for a function word) and sentence, read from the text."""
    bounds = sentence_bounds(doc)
    spans = [(doc.starts[a], doc.ends[b - 1]) for a, b in pairwise(bounds)]
    hashes, sentences = [], []
    for k, tokens in enumerate(sentence_tokens(doc.article.text, spans)):
        for token in tokens:
            term = word_term(token)
            hashes.append(0 if term is None else word_hash(term))
            sentences.append(k)
    return hashes, sentences


@pytest.mark.parametrize(
    "alphabet",
    [
        "ab ZY 07 . , ' ’ \n",  # ASCII words, numbers that join ("1,000", "3.5"), mixed ones
        "ab ZY 07 . , ' ’ \n é ﬁ Ａ ² İ © “”",  # words written otherwise than as cleaned
        "ab Z 7 . , \n Ã© â€™",  # mojibake
    ],
)
def test_sentence_terms_are_those_the_aligner_reads(alphabet: str) -> None:
    rnd = random.Random(8)
    pieces = alphabet.split(" ") + [" "] * 4 + ["1,000", "3.5", "covid19", "3D", "Dr.", ". The"]
    texts = ["".join(rnd.choices(pieces, k=rnd.randint(0, 60))) for _ in range(1500)]
    texts.append("It cost 1,000 dollars, or 3.5 percent more, in 2024. Covid19 hit 3D films.")
    for text in texts:
        doc = clean_article(Article("t", text))
        hashes, sentences, count = _sentence_terms(doc)
        expected = _terms_as_the_aligner_reads_them(doc)
        assert (hashes.tolist(), sentences.tolist()) == expected, repr(text)
        assert count == len(sentence_bounds(doc)) - 1
    # A spun article seen through matches on restored words; the aligner reads the text as is.
    doc = clean_article(Article("s", "Helium told maine the constabulary came successful June."))
    seen = replace(doc, words=["he", "told", "me", *doc.words[3:]], restored=[0, 2])
    hashes, sentences, _ = _sentence_terms(seen)
    assert (hashes.tolist(), sentences.tolist()) == _terms_as_the_aligner_reads_them(doc)
