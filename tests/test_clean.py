"""copydesk.clean: what is removed from the seeds and why, and offsets that stay true."""

from __future__ import annotations

import random
import re
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from copydesk.clean import (
    CUE_RE,
    MAX_REPEAT_HOLDERS,
    MOJIBAKE_HINT_RE,
    REPEAT_CONTAINMENT,
    TIMESTAMP_RE,
    WORD_RE,
    _may_hold_cue,
    _repeated_blocks,
    _tokenise,
    _words,
    clean_article,
    clean_articles,
    normalise_word,
)
from copydesk.model import Article, CleanArticle, Span
from copydesk.read import read_articles


@pytest.fixture(scope="module")
def cleaned_seeds(seeds_dir: Path) -> dict[str, CleanArticle]:
    articles, errors = read_articles([seeds_dir])
    assert errors == []
    return {doc.id[:3]: doc for doc in clean_articles(articles)}


def lines_with(text: str, phrase: str) -> list[tuple[int, int, str]]:
    """(start, end, line) of every line of `text` containing `phrase`."""
    return [
        (m.start(), m.end(), m.group()) for m in re.finditer(r"[^\n]+", text) if phrase in m.group()
    ]


def removed_at(doc: CleanArticle, start: int, end: int) -> list[Span]:
    """The removed spans that overlap `[start, end)`."""
    return [s for s in doc.removed if s.start < end and start < s.end]


def inside(doc: CleanArticle, start: int, end: int, reason: str) -> bool:
    return any(s.start <= start and end <= s.end and s.reason == reason for s in doc.removed)


def kept_text(doc: CleanArticle) -> str:
    return " ".join(doc.words)


# --- the seeds -----------------------------------------------------------------------------------


def test_002_link_list_is_boilerplate(cleaned_seeds: dict[str, CleanArticle]) -> None:
    doc = cleaned_seeds["002"]
    text = doc.article.text
    start = text.index("LATEST DEVELOPMENTS")
    end = text.index("not yet fit for purpose’") + len("not yet fit for purpose’")
    assert inside(doc, start, end, "boilerplate")
    # the paragraph right after the list is body text again
    after = text.index("Former Interior Minister Bruno Retailleau")
    assert removed_at(doc, after, after + 40) == []
    assert "watch channel migrant boasts" not in kept_text(doc)


def test_002_footer_is_boilerplate(cleaned_seeds: dict[str, CleanArticle]) -> None:
    doc = cleaned_seeds["002"]
    text = doc.article.text
    start = text.index("Our Standards")
    assert "Editorial Charter" in text[start:] and text.rstrip().endswith("Follow")
    assert inside(doc, start, len(text.rstrip()), "boilerplate")
    last_quote = text.index("And thanks to our landmark deal")
    assert removed_at(doc, last_quote, last_quote + 30) == []


def test_003_syndication_footer_is_boilerplate(cleaned_seeds: dict[str, CleanArticle]) -> None:
    doc = cleaned_seeds["003"]
    text = doc.article.text
    start = text.index("This article was originally published by")
    assert inside(doc, start, len(text.rstrip()), "boilerplate")
    assert "dailymail" not in kept_text(doc)


@pytest.mark.parametrize(
    "phrase",
    [
        "French police officers declined to intervene",
        "Gendarme are seen helplessly",
        "Footage shows dozens of migrants waiting",
        "The Home Office said 919 people",
        "On May 31, 1,195 people arrived",
    ],
)
def test_003_captions_are_repeated_but_body_is_kept(
    cleaned_seeds: dict[str, CleanArticle], phrase: str
) -> None:
    doc = cleaned_seeds["003"]
    found = lines_with(doc.article.text, phrase)
    # the seed prints each of these twice: once in a body sentence, once as a caption
    body = [f for f in found if f[2].rstrip().endswith(".")]
    captions = [f for f in found if not f[2].rstrip().endswith(".")]
    assert body and captions, found
    for start, end, _ in captions:
        assert inside(doc, start, end, "repeated"), phrase
    for start, end, _ in body:
        assert removed_at(doc, start, end) == [], phrase


def test_003_keeps_its_unrepeated_captions_and_most_body(
    cleaned_seeds: dict[str, CleanArticle],
) -> None:
    doc = cleaned_seeds["003"]
    removed = sum(s.end - s.start for s in doc.removed)
    assert {s.reason for s in doc.removed} == {"repeated", "boilerplate"}
    assert doc.content_chars > 0.6 * len(doc.article.text.strip())
    assert removed < 0.4 * len(doc.article.text)


def test_001_trailing_blank_lines_are_not_content(cleaned_seeds: dict[str, CleanArticle]) -> None:
    doc = cleaned_seeds["001"]
    text = doc.article.text
    assert len(text) > len(text.rstrip())  # the seed ends in a run of blank lines
    assert doc.content_chars <= len(text.rstrip())
    assert all(block.end <= len(text.rstrip()) for block in doc.blocks)


@pytest.mark.parametrize("prefix", ["000", "004"])
def test_nothing_removed_from_plain_articles(
    cleaned_seeds: dict[str, CleanArticle], prefix: str
) -> None:
    doc = cleaned_seeds[prefix]
    assert doc.removed == []
    assert doc.content_chars == sum(len(line.strip()) for line in doc.article.text.splitlines())


def test_word_offsets_point_at_their_words(cleaned_seeds: dict[str, CleanArticle]) -> None:
    for doc in cleaned_seeds.values():
        text = doc.article.text
        assert len(doc.words) == len(doc.starts) == len(doc.ends) > 100
        for word, start, end in zip(doc.words, doc.starts, doc.ends, strict=True):
            assert normalise_word(text[start:end]) == word
        assert all(a < b for a, b in zip(doc.starts, doc.starts[1:], strict=False))
        for start, end in zip(doc.starts, doc.ends, strict=True):
            assert removed_at(doc, start, end) == [], (doc.id, text[start:end])


def test_removed_spans_are_sorted_disjoint_and_in_text(
    cleaned_seeds: dict[str, CleanArticle],
) -> None:
    for doc in cleaned_seeds.values():
        previous_end = 0
        for span in doc.removed:
            assert previous_end <= span.start < span.end <= len(doc.article.text)
            assert span.reason in {"boilerplate", "repeated", "trailing"}
            assert (
                doc.article.text[span.start : span.end].strip()
                == doc.article.text[span.start : span.end]
            )
            previous_end = span.end


# --- small synthetic cases ----------------------------------------------------------------------


def _paragraphs(rnd: random.Random, count: int, words: int = 18) -> list[str]:
    vocabulary = [f"word{i}" for i in range(5000)]
    return [
        " ".join(rnd.choice(vocabulary) for _ in range(words)).capitalize() + "."
        for _ in range(count)
    ]


FOOTER = "Harbour Daily is delivered to your door every morning by our local team."


def test_footer_shared_by_three_articles_of_one_source_is_learned() -> None:
    rnd = random.Random(3)
    articles = [
        Article(f"d{i}", "\n\n".join([*_paragraphs(rnd, 5), FOOTER]), source="Harbour Daily")
        for i in range(3)
    ]
    for doc in clean_articles(articles):
        start = doc.article.text.index(FOOTER)
        assert [(s.start, s.end, s.reason) for s in doc.removed] == [
            (start, start + len(FOOTER), "boilerplate")
        ]
    # on its own, with nothing to learn from, the same footer is body text
    assert clean_article(articles[0]).removed == []


def test_sentence_shared_by_three_sources_is_kept() -> None:
    rnd = random.Random(4)
    shared = "The council said the bridge would stay closed until engineers had inspected it."
    articles = [
        Article(f"o{i}", "\n\n".join([*_paragraphs(rnd, 3), shared, *_paragraphs(rnd, 2)]),
                source=f"Outlet {i}")
        for i in range(3)
    ]  # fmt: skip
    for doc in clean_articles(articles):
        assert doc.removed == []
        assert "engineers had inspected it" in kept_text(doc)


def test_short_footer_of_two_same_source_articles_is_removed_at_the_tail() -> None:
    rnd = random.Random(5)
    footer = "Tips? Write to the newsdesk at desk@harbour.test any time."
    articles = [
        Article(f"t{i}", "\n\n".join([*_paragraphs(rnd, 10), footer]) + "\n", source="Harbour")
        for i in range(2)
    ]
    for doc in clean_articles(articles):
        start = doc.article.text.index(footer)
        assert inside(doc, start, start + len(footer), "boilerplate")


def test_line_shared_mid_body_by_two_same_source_articles_is_kept() -> None:
    rnd = random.Random(6)
    shared = "The mayor declined to comment on the report when asked on Friday."
    articles = [
        Article(f"m{i}", "\n\n".join([*_paragraphs(rnd, 5), shared, *_paragraphs(rnd, 7)]),
                source="Harbour")
        for i in range(2)
    ]  # fmt: skip
    for doc in clean_articles(articles):
        assert doc.removed == []


def test_caption_printed_twice_keeps_the_longer_paragraph() -> None:
    body = (
        "Volunteers filled sandbags outside the parish hall in Pellow on Sunday as the river "
        "kept rising through the afternoon."
    )
    caption = "Volunteers filled sandbags outside the parish hall in Pellow on Sunday"
    text = f"Opening paragraph of the story, long enough to count.\n\n{body}\n\n{caption}\n\nEnd."
    doc = clean_article(Article("c", text))
    start = text.index(caption, text.index(body) + len(body))
    assert [(s.start, s.end, s.reason) for s in doc.removed] == [
        (start, start + len(caption), "repeated")
    ]


def test_trailing_fragments_after_the_last_sentence() -> None:
    text = "The story ends here with a full sentence.\n\nShare\nFollow us\nMore"
    doc = clean_article(Article("t", text))
    start = text.index("Share")
    assert len(doc.removed) >= 1
    assert doc.removed[0].start == start and doc.removed[-1].end == len(text)
    assert kept_text(doc) == "the story ends here with a full sentence"


def test_long_paragraph_mentioning_a_cue_is_body_text() -> None:
    long = (
        "The report, originally published by the basin authority in 2019 and updated twice since, "
        "warned that the Corran Street Bridge piers were exposed to scour in any flood above four "
        "metres and recommended a full survey of the foundations, which was never carried out "
        "because the council could not agree how to pay for it."
    )
    doc = clean_article(Article("l", long))
    assert doc.removed == []


def test_a_shared_cue_line_mid_body_does_not_make_two_articles_versions() -> None:
    rnd = random.Random(10)
    tail = "Reporting by the Metro Desk team, editing by our night staff"
    articles = [
        Article(f"a{i}", "\n\n".join([*_paragraphs(rnd, 5), "Advertisement",
                                        *_paragraphs(rnd, 10), tail]), source="Metro")
        for i in range(2)
    ]  # fmt: skip
    for doc in clean_articles(articles):
        start = doc.article.text.index(tail)
        assert inside(doc, start, start + len(tail), "boilerplate")


def test_a_list_item_opening_with_c_is_text() -> None:
    text = (
        "Intro sentence here for the story.\n\n(a) the council shall publish the plan.\n\n"
        "(b) the mayor shall sign it.\n\n(c) the auditor shall check the figures before june."
        "\n\nClosing sentence of the story goes here."
    )
    assert clean_article(Article("x", text)).removed == []
    notice = "(c) 2019 Harbour Radio"
    doc = clean_article(Article("y", f"{text}\n\n{notice}"))
    start = doc.article.text.index(notice)
    assert inside(doc, start, start + len(notice), "boilerplate")


def test_two_versions_of_a_short_story_from_one_source_keep_their_shared_lines() -> None:
    # Nine paragraphs, the last one rewritten: the shared ones are one story's text, not the
    # site's furniture, though few stand outside the head and tail.
    paragraphs = [
        f"Paragraph {i} of the story says that the council voted {i} times on the budget plan."
        for i in range(9)
    ]
    first = "\n\n".join(paragraphs)
    second = "\n\n".join([*paragraphs[:8], "A new last paragraph quotes the mayor on the vote."])
    docs = clean_articles(
        [Article("v1", first, source="example.com"), Article("v2", second, source="example.com")]
    )
    assert [doc.removed for doc in docs] == [[], []]


def test_a_long_copyright_notice_at_the_tail_is_boilerplate() -> None:
    notice = (
        "Copyright © 2019 Harbour Radio. All rights reserved. Visit our website terms of use and "
        "permissions pages at www.harbour.test for further information. This text may not be in "
        "its final form and may be updated or revised in the future. Accuracy and availability "
        "may vary. The authoritative record of our programming is the audio record."
    )
    rnd = random.Random(8)
    text = "\n\n".join([*_paragraphs(rnd, 6), notice, "Facebook"])
    doc = clean_article(Article("n", text))
    start = text.index(notice)
    assert inside(doc, start, start + len(notice), "boilerplate")
    # The same words opening the body are text: only an article's tail holds its small print.
    text = "\n\n".join([notice, *_paragraphs(rnd, 8)])
    assert clean_article(Article("b", text)).removed == []
    # A long clause of a list near the end is text too: "(c)" opens list items as well.
    clause = "(c) " + " ".join(f"word{i}" for i in range(60))
    text = "\n\n".join([*_paragraphs(rnd, 6), clause, "The end of the article is here."])
    assert clean_article(Article("c", text)).removed == []


def test_a_line_under_the_headline_of_two_articles_of_one_source_is_furniture() -> None:
    rnd = random.Random(9)
    furniture = "% of readers think this story is Fact. Add your two cents."
    articles = [
        Article(f"h{i}", "\n\n".join([f"Headline {i}", f"Friday, May {i + 1}, 2019", furniture,
                                        *_paragraphs(rnd, 8)]), source="Before News")
        for i in range(2)
    ]  # fmt: skip
    for doc in clean_articles(articles):
        start = doc.article.text.index(furniture)
        assert inside(doc, start, start + len(furniture), "boilerplate")


@pytest.mark.parametrize(
    "line, furniture",
    [
        ("Updated 1:45\xa0pm, Friday, June 1, 2018", True),
        ("Posted: 7:37 PM, May 30, 2019", True),
        ("May 31, 2019 | 12:50 PM", True),
        ("May 31, 2019, 9:52 PM UTC", True),
        ("Thursday, May 30, 2019 20:09", True),
        ("May 30 at 2:44 PM", True),
        (
            "Published Wednesday, September 30, 2019 at 11:45 a.m. EDT, Thursday, October 1, 2019",
            True,
        ),
        ("Mayor decides 2019", False),
        ("2019 | 1,200 | 3,400 | 12", False),  # a table row
        ("(1932-2019)", False),
        ("10:00 - 12:00", False),  # opening hours
        ("020 7946 0958", False),
        ("Published in 2015, the study found nothing of the kind.", False),
        ("March 2019 was the wettest on record.", False),
        ("Sept. 11, 2001, changed everything.", False),
        ("Updated", False),
    ],
)
def test_a_line_holding_only_a_publication_time_is_boilerplate(line: str, furniture: bool) -> None:
    text = f"Harbour works run late\n{line}\nThe council said on Tuesday the works would run late."
    doc = clean_article(Article("t", text))
    start = text.index(line)
    assert inside(doc, start, start + len(line), "boilerplate") == furniture
    assert "the council said on tuesday" in kept_text(doc)
    # Hostile input cannot make it backtrack: a long line of digits is answered at once.
    assert TIMESTAMP_RE.match("1" * 5000 + " x") is None


def test_curly_apostrophes_and_compatibility_forms_are_normalised() -> None:
    assert normalise_word("It’s") == normalise_word("it's") == "it's"
    assert normalise_word("ﬁnal") == "final"
    assert normalise_word("STRASSE") == normalise_word("straße")
    doc = clean_article(Article("q", "“It’s fine,” she said. It's FINE."))
    assert doc.words == ["it's", "fine", "she", "said", "it's", "fine"]


# --- mojibake: repaired for matching, offsets into the text as read ---------------------------

MOJIBAKE_STORY = (
    "KESTLE BAY — The harbour master’s “best of the bad places” remark drew smiles from the crew "
    "of the Marisol Grey, which ran aground on Tuesday night at the mouth of the Orrin estuary.\n\n"
    "Café owners on the quay said takings were down by £200 a day; one, Zoë Brandão, called the "
    "closure “a disaster for the whole waterfront” and said her naïve hope of a quick refloat "
    "had gone.\n\n"
    "Ferries to the Tallis Islands now leave from Penmorrow — adding about an hour — and the "
    "Marine Accident Board said it would publish initial findings within thirty days."
)


def mojibake(text: str) -> str:
    """UTF-8 bytes read as Windows-1252, as a careless scraper does (ftfy's sloppy codec keeps
    the bytes Windows-1252 leaves undefined, such as the 0x9d in ”)."""
    import ftfy.bad_codecs  # noqa: F401 - registers the sloppy codecs

    return text.encode("utf-8").decode("sloppy-windows-1252")


def test_mojibake_words_match_the_clean_words_and_point_at_the_damage() -> None:
    damaged = mojibake(MOJIBAKE_STORY)
    assert "â€™" in damaged and "Ã©" in damaged
    clean = clean_article(Article("clean", MOJIBAKE_STORY))
    broken = clean_article(Article("broken", damaged))
    assert broken.words == clean.words
    as_read = [damaged[s:e] for s, e in zip(broken.starts, broken.ends, strict=True)]
    assert "CafÃ©" in as_read and "masterâ€™s" in as_read and "BrandÃ£o" in as_read
    for word, piece in zip(broken.words, as_read, strict=True):
        assert word == normalise_word(piece) or "Ã" in piece or "â" in piece or "Â" in piece
    assert list(broken.starts) == sorted(broken.starts)
    assert all(s < e for s, e in zip(broken.starts, broken.ends, strict=True))
    assert all(e <= s for e, s in zip(broken.ends, broken.starts[1:], strict=False))


def test_c1_controls_from_latin_1_are_read_as_windows_1252_quotes() -> None:
    text = "He said \x93no\x94 to the caf\xe9 plan."
    doc = clean_article(Article("c1", text))
    assert doc.words == ["he", "said", "no", "to", "the", "café", "plan"]
    assert text[doc.starts[2] : doc.ends[2]] == "no"


def test_clean_text_with_accents_is_tokenised_as_before() -> None:
    text = "São Paulo’s naïve café — £5, “quoted”, Ã la carte is not mojibake here: Ä Ö Ü."
    doc = clean_article(Article("ok", text))
    plain = [m.group() for m in re.finditer(r"[^\W_]+(?:['’][^\W_]+)*", text)]
    assert [text[s:e] for s, e in zip(doc.starts, doc.ends, strict=True)] == plain


def test_clean_and_mojibake_copies_pair_as_verbatim(tmp_path: Path) -> None:
    import copydesk

    (tmp_path / "clean.txt").write_text(MOJIBAKE_STORY, encoding="utf-8")
    damaged = mojibake(MOJIBAKE_STORY)
    (tmp_path / "damaged.txt").write_text(damaged, encoding="utf-8")
    result = copydesk.scan([tmp_path])
    assert result.errors == []
    assert len(result.pairs) == 1
    pair = result.pairs[0]
    assert pair.relation == "duplicate"
    assert min(pair.coverage_source, pair.coverage_target) >= 0.99
    assert all(p.kind == "verbatim" for p in pair.passages)
    texts = {r.article.id: r.article.text for r in result.articles}
    assert texts["damaged"] == damaged  # the text as read, never rewritten
    side = "source" if pair.source == "damaged" else "target"
    pieces = [texts["damaged"][slice(*getattr(p, side))] for p in pair.passages]
    joined = " ".join(pieces)
    assert "CafÃ©" in joined and "â€œa disaster" in joined  # the damaged characters as read


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["café", "naïve", "Zoë", "’s", "“quote”", "—", "£5", "São", "Ä", "word", "x", " ",
             "\n", "\n\n", ".", "東京", "€", "ß", "œuvre", "\xa0"]
        ),
        max_size=40,
    ).map("".join),
    st.booleans(),
)  # fmt: skip
def test_mojibake_offsets_are_always_sane(text: str, damage: bool) -> None:
    as_read = mojibake(text) if damage else text
    doc = clean_article(Article("p", as_read))
    previous_end = 0
    for start, end in zip(doc.starts, doc.ends, strict=True):
        assert previous_end <= start < end <= len(as_read)
        previous_end = end
    if damage and "\n" not in text:
        # Runs of several accented letters can be ambiguous mojibake ("€Ä"); plain words never.
        plain = clean_article(Article("c", text))
        assert _ascii_words(doc) == _ascii_words(plain)


def _ascii_words(doc: CleanArticle) -> list[str]:
    """The words spelled in ASCII in the text as read ("ß" is not one, though it folds to "ss")."""
    text = doc.article.text
    return [
        w for w, s, e in zip(doc.words, doc.starts, doc.ends, strict=True) if text[s:e].isascii()
    ]


def test_workers_clean_as_one_process_does(seeds_dir: Path) -> None:
    rnd = random.Random(5)
    articles, _ = read_articles([seeds_dir])
    # Enough articles for several parts, one source's footer to learn across them.
    articles += [
        Article(f"h{i}", "\n\n".join([*_paragraphs(rnd, 4), FOOTER]), source="Harbour Daily")
        for i in range(600)
    ]
    one = clean_articles(articles)
    two = clean_articles(articles, workers=2)
    assert two == one
    assert all(a.article is b.article for a, b in zip(one, two, strict=True))
    assert all(d.removed for d in two[-600:])  # the footer was learned across parts
    # words come back from the workers as one shared string each (memory at scale)
    first = {w: w for doc in two[5:250] for w in doc.words}  # cleaned in other parts
    shared = [w for w in two[-1].words if w in first]
    assert shared and all(w is first[w] for w in shared)


# --- tokenising and repeated paragraphs, against plain versions of their rules -------------------

#: characters that test every way `_words` reads a text: ASCII words, typographic apostrophes and
#: quotes, non-ASCII letters and digits, forms that NFKC or case folding change (or lengthen),
#: Windows-1252 mojibake, C1 controls, a lone surrogate
_TRICKY = "aZ7'’_ ,.-\n\xa0©“”—×€éÉßİﬁKſ①²\u0301\u0345Ⓐⅻ東Ã©â€™\x85\ud800"


def _plain_words(text: str) -> list[tuple[str, int, int]]:
    return [(normalise_word(m.group()), m.start(), m.end()) for m in WORD_RE.finditer(text)]


@pytest.mark.parametrize("alphabet", [_TRICKY, "aZ7'’_ ,.-\n\xa0©“”—Ⓐ\u2028"])
def test_words_are_the_word_pattern_s_matches_normalised(alphabet: str) -> None:
    rnd = random.Random(11)
    texts = ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 50))) for _ in range(3000)]
    for text in texts:
        if MOJIBAKE_HINT_RE.search(text):
            continue  # mojibake is repaired: tested above
        words, starts, ends = _words(text)
        assert list(zip(words, starts, ends, strict=True)) == _plain_words(text), repr(text)


#: lines that open or hold each cue, in any case, with letters that a case-blind search reads
#: as ASCII ones ("ſign up") and others that lower-casing changes
_CUE_LINES = [
    "Originally published by the Kestle Post", "READ THE ORIGINAL article", "Our standards",
    "Our editorial charter", "All Rights Reserved", "© 2019 Kestle", "(c) 2019 Kestle",
    "(C)2019", "Copyright © 2019", "Sign up for our newsletter", "Subscribe now",
    "Follow us on X", "Share this", "Advertisement", "AD", "Sponsored", "Click here to read",
    "Download our app", "ſign up to our emails", "Adverti\u017fement", "\u0130\u0131 click here",
    "Clic\u212a here", "\u212aestle subscribe to", "Ｓign up for the newsletter",
    "\u0130stanbul: sign up for alerts", "ẞhare this", "Ⓐd", "a\u0307d",
]  # fmt: skip


def test_lines_that_may_hold_a_cue_are_all_that_the_cues_find() -> None:
    rnd = random.Random(5)
    alphabet = "adfhknorsuACDFHKNOSU ()©\u0130\u0131\u017f\u212a"
    lines = _CUE_LINES + [
        "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 12))) for _ in range(20000)
    ]
    lines += [f"{a} {line} {b}" for line in _CUE_LINES for a, b in (("x", ""), ("", "y"))]
    for line in lines:
        if CUE_RE.search(line):
            assert _may_hold_cue(line), repr(line)


def _plain_repeated(paragraphs: list[list[str]], skip: set[int]) -> set[int]:
    """Paragraphs (of four words or more, not in `skip`) whose word trigrams (pairs, under five
    words) lie mostly in one longer paragraph, or in an earlier one as long."""

    def grams(words: list[str]) -> set[tuple[str, ...]]:
        n = 3 if len(words) >= 5 else 2
        return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}

    sets = {i: grams(p) for i, p in enumerate(paragraphs) if i not in skip and len(p) >= 4}
    return {
        i for i, own in sets.items()
        if any(len(own & other) >= REPEAT_CONTAINMENT * len(own)
               and (len(paragraphs[j]), -j) > (len(paragraphs[i]), -i)
               for j, other in sets.items() if j != i)
    }  # fmt: skip


def test_repeated_paragraphs_are_those_mostly_inside_a_longer_one() -> None:
    rnd = random.Random(3)
    vocabulary = "a b c d e f g h".split()
    found = 0
    for _ in range(3000):
        paragraphs: list[list[str]] = []
        for _ in range(rnd.randint(1, 7)):
            if paragraphs and rnd.random() < 0.4:  # part of an earlier one, perhaps shuffled
                source = rnd.choice(paragraphs)
                low = rnd.randint(0, len(source))
                words = source[low : rnd.randint(low, len(source))]
                words += rnd.choices(vocabulary, k=rnd.randint(0, 3))
                if rnd.random() < 0.5:
                    rnd.shuffle(words)
            else:
                words = rnd.choices(vocabulary, k=rnd.randint(0, 12))
            paragraphs.append(words)
        text = "\n".join(" ".join(p) or "-" for p in paragraphs)
        skip = {i for i in range(len(paragraphs)) if rnd.random() < 0.15}
        expected = _plain_repeated(paragraphs, skip)
        assert _repeated_blocks(_tokenise(Article("r", text)), skip) == expected, text
        found += len(expected)
    assert found >= 50  # the corpus holds repeats


def test_a_text_of_few_words_over_and_over_cleans_in_bounded_memory() -> None:
    # Every trigram of such a text is in thousands of paragraphs: pairing all the paragraphs
    # that share one took 300 MiB for this 0.8 MB text (and 23 GB for a 31 MB one).
    rng = random.Random(0)
    text = "\n\n".join(" ".join(str(rng.randint(0, 20)) for _ in range(40)) for _ in range(8000))
    tracemalloc.start()
    try:
        doc = clean_article(Article("numbers", text))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 100 * 2**20
    assert doc.removed == []


def test_a_line_printed_more_often_than_a_trigram_pairs_its_holders_is_repeated_each_time() -> None:
    caption = "Firefighters on the ridge above Carver Road on Monday evening."
    body = [f"Report line {n}: crews from {n + 3} counties held the fire at the river." for n in range(40)]  # noqa: E501
    text = "\n\n".join(x for line in body for x in (line, caption))
    assert len(body) > MAX_REPEAT_HOLDERS
    doc = clean_article(Article("captions", text))
    repeats = [text[s.start : s.end] for s in doc.removed if s.reason == "repeated"]
    assert repeats == [caption] * 39  # each time after the first; the report lines differ
