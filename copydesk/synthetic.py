"""Seeded corpora with known reuse, for the accuracy gate and the benchmarks.

Texts are made of pseudo-words drawn from a Zipf-like vocabulary mixed with real English function
words, so n-gram statistics look like news (stock phrases recur, content words are rare) while no
third-party text is needed. Each reuse is recorded with its exact offsets on both sides, and
`evaluate` scores a scan against them at the character level, as the PAN text-alignment task does.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from itertools import accumulate

from .align import union_length
from .classify import overlap_chars
from .model import Article, Pair

FUNCTION_WORDS = (
    "the of and to a in that is was he for it with as his on be at by i this had not are but from "
    "or have an they which one you were her all she there would their we him been has when who "
    "will "
    "more no if out so said what up its about into than them can only other new some could time "
    "these two may then do first any my now such like our over man me even most made after also"
).split()
EPOCH = datetime(2026, 1, 1, tzinfo=timezone.utc)
_ONSETS = "b c d f g h j k l m n p r s t v w z br cr dr fr gr pr tr st sl pl bl cl sh ch th".split()
_VOWELS = "a e i o u ai ea ou io ee".split()
_CODAS = "n r s t l m nd rt st ck ng x".split() + [""] * 4


@dataclass
class TruthPassage:
    """A reuse the generator made: `source[span]` was copied into `target[span]`."""

    source: str
    target: str
    source_span: tuple[int, int]
    target_span: tuple[int, int]
    kind: str  # "verbatim", "edited" or "paraphrase"


@dataclass
class SyntheticCorpus:
    articles: list[Article]
    truth: list[TruthPassage] = field(default_factory=list)

    @property
    def truth_pairs(self) -> set[tuple[str, str]]:
        return {tuple(sorted((t.source, t.target))) for t in self.truth}  # type: ignore[misc]


class TextMaker:
    """Makes news-shaped pseudo-text from a seeded random generator."""

    def __init__(self, rng: random.Random, vocabulary: int = 30_000) -> None:
        self.rng = rng
        words: set[str] = set()
        while len(words) < vocabulary:
            syllables = rng.choice((1, 2, 2, 3, 3, 4))
            word = "".join(
                rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS)
                for _ in range(syllables)
            )
            words.add(word)
        self.content = sorted(words)
        rng.shuffle(self.content)
        # Zipf weights: a few content words are common, most are rare.
        self.cumulative = list(accumulate(1.0 / (rank + 10) for rank in range(len(self.content))))

    def word(self) -> str:
        if self.rng.random() < 0.45:
            return self.rng.choice(FUNCTION_WORDS)
        return self.rng.choices(self.content, cum_weights=self.cumulative)[0]

    def sentence(self) -> str:
        words = [self.word() for _ in range(self.rng.randint(8, 28))]
        if self.rng.random() < 0.3:
            words.insert(self.rng.randrange(len(words)), str(self.rng.randint(2, 99_999)))
        return words[0].capitalize() + " " + " ".join(words[1:]) + "."

    def paragraph(self) -> list[str]:
        return [self.sentence() for _ in range(self.rng.randint(1, 4))]

    def article(self, min_words: int, max_words: int) -> list[list[str]]:
        """Paragraphs of sentences, about `min_words`..`max_words` words long."""
        target = self.rng.randint(min_words, max_words)
        paragraphs: list[list[str]] = []
        count = 0
        while count < target:
            paragraph = self.paragraph()
            paragraphs.append(paragraph)
            count += sum(s.count(" ") + 1 for s in paragraph)
        return paragraphs

    def edit(self, sentence: str, rate: float) -> str:
        """Change about `rate` of the words: substitute, drop or insert one."""
        out = []
        for word in sentence.split(" "):
            roll = self.rng.random()
            if roll < rate / 3:
                out.append(self.word())
            elif roll < 2 * rate / 3:
                continue
            elif roll < rate:
                out.extend((word, self.word()))
            else:
                out.append(word)
        return " ".join(out) if out else sentence

    def synonym(self, word: str) -> str:
        """A fixed stand-in for a generated content word (the same in every run): its synonym."""
        rng = random.Random(f"synonym:{word}")
        return "".join(
            rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS)
            for _ in range(rng.choice((2, 2, 3)))
        )

    def rewrite(self, sentence: str, rate: float) -> str:
        """Say a sentence in other words: its clauses reordered, about `rate` of its content
        words swapped for synonyms, common words reworded from `REWORDINGS`, some words dropped
        and a few added. Numbers stay, as they do when people rewrite news."""
        words = sentence.rstrip(".").split(" ")
        words[0] = words[0][:1].lower() + words[0][1:]
        # Clauses: cut into two to four pieces and put them in another order.
        pieces = min(len(words) // 4, self.rng.randint(2, 4))
        if pieces >= 2:
            cuts = sorted(self.rng.sample(range(1, len(words)), pieces - 1))
            chunks = [words[a:b] for a, b in zip([0, *cuts], [*cuts, len(words)], strict=True)]
            order = list(range(len(chunks)))
            while order == sorted(order):
                self.rng.shuffle(order)
            words = [w for k in order for w in chunks[k]]
        out: list[str] = []
        for word in words:
            roll = self.rng.random()
            if word.isdigit():
                out.append(word)
            elif word in REWORDINGS:
                out.append(self.rng.choice(REWORDINGS[word]) if roll < 0.7 else word)
            elif word in FUNCTION_WORDS:
                if roll >= rate / 2:
                    out.append(word)
            elif roll < rate:
                out.append(self.synonym(word))
            elif roll >= rate + rate / 4:
                out.append(word)
            if self.rng.random() < rate / 5:
                out.append(self.rng.choice(_FILLERS))
        if not out:
            out = words
        return out[0][:1].upper() + out[0][1:] + " " + " ".join(out[1:]) + "."


#: A small thesaurus for rewording: each common word with the words that may replace it.
REWORDINGS: dict[str, tuple[str, ...]] = {
    "said": ("stated", "reported", "told reporters"),
    "about": ("regarding", "concerning", "around"),
    "after": ("following", "once"),
    "also": ("too", "as well", "additionally"),
    "first": ("initial", "earliest"),
    "made": ("produced", "created", "built"),
    "new": ("fresh", "novel", "recent"),
    "man": ("person", "individual"),
    "time": ("period", "moment", "occasion"),
    "other": ("different", "further"),
    "more": ("further", "additional"),
    "only": ("just", "merely", "solely"),
    "could": ("might", "may"),
    "would": ("might", "could"),
    "may": ("might", "could"),
    "like": ("such as", "similar to"),
    "over": ("across", "above"),
    "into": ("inside", "within"),
    "when": ("as", "once", "whenever"),
    "most": ("nearly all", "the majority of"),
    "can": ("is able to", "may"),
    "then": ("later", "afterwards"),
    "now": ("currently", "at present"),
    "even": ("still", "yet"),
    "some": ("several", "a few"),
    "all": ("every", "each"),
    "but": ("however", "yet"),
    "so": ("therefore", "thus"),
    "which": ("that",),
    "that": ("which",),
    "if": ("whether", "should"),
}
_FILLERS = ("reportedly", "indeed", "in fact", "notably", "apparently", "however", "meanwhile")


class _Builder:
    """Joins pieces into one text, remembering where each piece landed."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0

    def add(self, piece: str, separator: str = "\n\n") -> tuple[int, int]:
        if self.parts:
            self.parts.append(separator)
            self.length += len(separator)
        start = self.length
        self.parts.append(piece)
        self.length += len(piece)
        return start, self.length

    def text(self) -> str:
        return "".join(self.parts)


def _render(paragraphs: Sequence[Sequence[str]]) -> tuple[str, list[list[tuple[int, int]]]]:
    """Text of paragraphs, and the span of every sentence in it."""
    builder = _Builder()
    spans: list[list[tuple[int, int]]] = []
    for paragraph in paragraphs:
        start = builder.length + (2 if builder.parts else 0)
        builder.add(" ".join(paragraph))
        sentence_spans = []
        for sentence in paragraph:
            sentence_spans.append((start, start + len(sentence)))
            start += len(sentence) + 1
        spans.append(sentence_spans)
    return builder.text(), spans


def make_corpus(
    n_articles: int = 60,
    seed: int = 1,
    kinds: Iterable[str] = ("copy", "partial", "reordered"),
    edit_rate: float = 0.0,
    reuse_share: float = 0.5,
    words: tuple[int, int] = (250, 700),
    rewrite_rate: float = 0.4,
) -> SyntheticCorpus:
    """A corpus where about `reuse_share` of the articles reuse text from an earlier one.

    kinds: `copy` (a whole article with a new intro), `partial` (three consecutive sentences
    inside a long article of its own), `reordered` (paragraphs copied in another order),
    `rewritten` (most paragraphs said again in other words, between paragraphs of its own:
    truth kind `paraphrase`, one passage per paragraph).
    edit_rate: share of words changed in each copied sentence (0 gives verbatim reuse).
    rewrite_rate: share of content words a `rewritten` sentence swaps for synonyms.
    """
    rng = random.Random(seed)
    maker = TextMaker(rng)
    kinds = tuple(kinds)
    truth_kind = "edited" if edit_rate > 0 else "verbatim"
    corpus = SyntheticCorpus(articles=[])
    originals: list[tuple[str, str, list[list[str]], list[list[tuple[int, int]]]]] = []
    used: set[str] = set()
    for number in range(n_articles):
        aid = f"syn{seed}-{number:05d}"
        published = (EPOCH + timedelta(hours=number)).isoformat()
        available = [o for o in originals if o[0] not in used]
        if available and rng.random() < reuse_share:
            source_id, source_text, paragraphs, spans = rng.choice(available)
            used.add(source_id)  # one reuse per source keeps the truth free of transitive pairs
            kind = rng.choice(kinds)
            rate = rewrite_rate if kind == "rewritten" else edit_rate
            text, passages = _reuse(maker, kind, paragraphs, spans, rate, words)
            for source_span, target_span in passages:
                corpus.truth.append(
                    TruthPassage(
                        source_id,
                        aid,
                        source_span,
                        target_span,
                        "paraphrase" if kind == "rewritten" else truth_kind,
                    )
                )
        else:
            paragraphs = maker.article(*words)
            text, spans = _render(paragraphs)
            originals.append((aid, text, paragraphs, spans))
        corpus.articles.append(
            Article(id=aid, text=text, source=f"outlet{number % 7}", published=published)
        )
    return corpus


def _reuse(
    maker: TextMaker,
    kind: str,
    paragraphs: list[list[str]],
    spans: list[list[tuple[int, int]]],
    edit_rate: float,
    words: tuple[int, int],
) -> tuple[str, list[tuple[tuple[int, int], tuple[int, int]]]]:
    rng = maker.rng
    builder = _Builder()
    passages: list[tuple[tuple[int, int], tuple[int, int]]] = []

    def copy_sentences(indices: list[tuple[int, int]]) -> None:
        """Copy the given (paragraph, sentence) run as one new paragraph."""
        sentences = [paragraphs[p][s] for p, s in indices]
        if edit_rate:
            sentences = [maker.edit(s, edit_rate) for s in sentences]
        # Keep the source's own separators, so verbatim truth is the same text on both sides.
        pieces = [sentences[0]]
        for (p0, _), (p1, _), sentence in zip(
            indices[:-1], indices[1:], sentences[1:], strict=True
        ):
            pieces.append(("\n\n" if p1 != p0 else " ") + sentence)
        target = builder.add("".join(pieces))
        first, last = indices[0], indices[-1]
        passages.append(((spans[first[0]][first[1]][0], spans[last[0]][last[1]][1]), target))

    if kind == "copy":
        builder.add(" ".join(maker.paragraph()))
        for p in range(len(paragraphs)):
            copy_sentences([(p, s) for s in range(len(paragraphs[p]))])
    elif kind == "reordered":
        order = list(range(len(paragraphs)))
        rng.shuffle(order)
        for p in order[: max(2, len(order) * 2 // 3)]:
            if rng.random() < 0.3:
                builder.add(" ".join(maker.paragraph()))
            copy_sentences([(p, s) for s in range(len(paragraphs[p]))])
    elif kind == "partial":
        flat = [(p, s) for p in range(len(paragraphs)) for s in range(len(paragraphs[p]))]
        start = rng.randrange(max(1, len(flat) - 2))
        own = maker.article(words[1], words[1] * 3)
        middle = len(own) // 2
        for paragraph in own[:middle]:
            builder.add(" ".join(paragraph))
        copy_sentences(flat[start : start + 3])
        for paragraph in own[middle:]:
            builder.add(" ".join(paragraph))
    elif kind == "rewritten":
        builder.add(" ".join(maker.paragraph()))
        for p, paragraph in enumerate(paragraphs):
            if rng.random() < 0.25:
                continue
            target = builder.add(" ".join(maker.rewrite(s, edit_rate) for s in paragraph))
            passages.append(((spans[p][0][0], spans[p][-1][1]), target))
            if rng.random() < 0.25:
                builder.add(" ".join(maker.paragraph()))
    else:
        raise ValueError(f"unknown reuse kind {kind!r}")
    return builder.text(), passages


@dataclass
class Accuracy:
    precision: float
    recall: float
    pair_precision: float
    pair_recall: float

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def evaluate(corpus: SyntheticCorpus, pairs: Sequence[Pair]) -> Accuracy:
    """Character-level precision and recall of detected passages against the known truth.

    Both sides of every passage count: a detection is right where it overlaps a true reuse of the
    same two articles. Pair precision and recall are over unordered article pairs.
    """
    truth: dict[tuple[str, str], dict[str, list[tuple[int, int]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for t in corpus.truth:
        truth[(t.source, t.target)][t.source].append(t.source_span)
        truth[(t.source, t.target)][t.target].append(t.target_span)
    found: dict[tuple[str, str], dict[str, list[tuple[int, int]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for pair in pairs:
        key = (pair.source, pair.target)
        if key not in truth and (pair.target, pair.source) in truth:
            key = (pair.target, pair.source)
        for p in pair.passages:
            found[key][pair.source].append(p.source)
            found[key][pair.target].append(p.target)
    true_chars = sum(union_length(spans) for sides in truth.values() for spans in sides.values())
    found_chars = sum(union_length(spans) for sides in found.values() for spans in sides.values())
    hit = 0
    for key, sides in found.items():
        for article_id, spans in sides.items():
            hit += overlap_chars(spans, truth.get(key, {}).get(article_id, []))
    true_pairs = {tuple(sorted(k)) for k in truth}
    found_pairs = {tuple(sorted((p.source, p.target))) for p in pairs}
    right = len(true_pairs & found_pairs)
    return Accuracy(
        precision=hit / found_chars if found_chars else 1.0,
        recall=hit / true_chars if true_chars else 1.0,
        pair_precision=right / len(found_pairs) if found_pairs else 1.0,
        pair_recall=right / len(true_pairs) if true_pairs else 1.0,
    )
