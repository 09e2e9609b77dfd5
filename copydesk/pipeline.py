"""The whole flow, stage after stage: read -> clean -> candidates -> align -> classify ->
provenance -> stories. The CLI (and later the service and the Spark job) only call these."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from .align import align_paraphrases, align_passages, resolve_method
from .candidates import (
    DocumentFrequencies,
    PackedHashes,
    candidates_of,
    fingerprints,
    owner_bits,
    pack_hashes,
    publication_ranks,
)
from .classify import (
    SAME_STORY_SIMILARITY,
    coverage,
    incidental,
    mark_quotes,
    mark_spun,
    name_relation,
    restored_inside,
    story_similarity,
    union_spans,
    weighted_coverage,
)
from .clean import clean_article, clean_articles
from .model import (
    Article,
    ArticleReport,
    Candidate,
    CleanArticle,
    Clues,
    Fingerprint,
    Pair,
    ReadError,
    ScanOptions,
    ScanResult,
    SpinReport,
)
from .parallel import Progress, in_processes, stream_in_processes
from .provenance import explained_by_a_common_source, orient, published_first, read_clues
from .read import read_articles
from .spin import (
    restore_from_original,
    see_through,
    spin_dict,
    spin_score,
    which_is_spun,
    words_of_originals,
)
from .stories import build_stories, unique_spans


def compare_clean(
    a: CleanArticle,
    b: CleanArticle,
    options: ScanOptions | None = None,
    keep_order: bool = False,
    clues: Mapping[str, Clues] | None = None,
    idf: Mapping[str, float] | None = None,
) -> Pair | None:
    """Align two cleaned articles and name their relation; `None` when nothing is shared.

    With `keep_order`, `a` stays the source (the direction is then `source_to_target` only when
    the evidence agrees, else `unknown`). `clues` maps ids to what `read_clues` found, when the
    caller has it already; `idf` weighs words for paraphrase detection (see `build_idf`).
    """
    opts = options or ScanOptions()
    passages = align_passages(a, b, opts.seed, opts.max_gap, opts.min_words, opts.min_similarity)
    if opts.paraphrase:
        reworded = align_paraphrases(
            a, b, idf=idf, known=passages, min_words=opts.min_words,
            method=opts.paraphrase_method,
        )  # fmt: skip
        passages = sorted(passages + reworded, key=lambda p: p.source)
    if not passages:
        return _same_story(a, b, opts, keep_order, idf)
    if not a.restored and not b.restored:
        told = [(p.source, p.target) for p in passages if p.kind != "verbatim"]
        spun = which_is_spun(a, b, told) if told else None
        if spun is not None:
            # A copy spun too lightly to read as spun alone: the other side says which words
            # it swapped. Matched on those put back, it is a spun copy as any other.
            if spun == 0:
                a = restore_from_original(a, b, told)[0]
            else:
                b = restore_from_original(b, a, [(t, s) for s, t in told])[0]
            if a.restored or b.restored:
                return compare_clean(a, b, options, keep_order, clues, idf)
    cov_a = coverage(a, [p.source for p in passages])
    cov_b = coverage(b, [p.target for p in passages])
    whole_copy = name_relation(cov_a, cov_b, passages) in ("duplicate", "copy") or name_relation(
        cov_b, cov_a, passages
    ) in ("duplicate", "copy")
    # Passages matched through restored words are `spun` first: a spun passage is no word
    # match of the texts as written, so it is flagged as a quote, never cut at one.
    passages = mark_spun(a, b, passages)
    # Measured before quotes are cut out: narration either side of a quote is one passage.
    thin = (
        opts.min_reuse_words > 0
        and not whole_copy
        and incidental(a, b, passages, opts.min_reuse_words)
    )
    passages = mark_quotes(
        a.article.text, b.article.text, passages, not whole_copy, opts.min_similarity
    )
    if thin:
        # Shared quotes stay: evidence that both quote one source.
        passages = [p for p in passages if p.quote]
        if not passages:
            return _same_story(a, b, opts, keep_order, idf, phrases=True)
    if not whole_copy:
        cov_a = coverage(a, [p.source for p in passages])
        cov_b = coverage(b, [p.target for p in passages])
    clues_a = clues[a.id] if clues else read_clues(a)
    clues_b = clues[b.id] if clues else read_clues(b)
    quotes_only = all(p.quote for p in passages)
    swap, direction = orient(a.article, b.article, cov_a, cov_b, clues_a, clues_b, quotes_only)
    spun_a = any(restored_inside(a, p.source) for p in passages)
    spun_b = any(restored_inside(b, p.target) for p in passages)
    if spun_a != spun_b:
        # A spinner only disguises a copy: the spun side is the copy, whatever the dates say.
        swap, direction = spun_a, "source_to_target"
    if keep_order:
        if swap and direction != "common_source":
            direction = "unknown"
        swap = False
    if swap:
        a, b, cov_a, cov_b = b, a, cov_b, cov_a
        passages = [p.swapped() for p in passages]
        passages.sort(key=lambda p: p.source)
    score = max(weighted_coverage(a, passages, "source"), weighted_coverage(b, passages, "target"))
    relation = name_relation(cov_a, cov_b, passages)
    if relation == "spun_copy" and keep_order and spun_a and not spun_b:
        # Kept in the order given, the spun copy is the source: the target is its original,
        # no spinner's copy of it. Named by what they share alone.
        relation = name_relation(
            cov_a, cov_b, [replace(p, kind="edited") if p.kind == "spun" else p for p in passages]
        )
    if quotes_only and not whole_copy and opts.min_reuse_words > 0:
        relation = "same_story"  # both quote one source: no reuse between them
    return Pair(
        source=a.id,
        target=b.id,
        relation=relation,
        direction=direction,
        score=round(score, 3),
        coverage_source=round(cov_a, 3),
        coverage_target=round(cov_b, 3),
        passages=passages,
    )


def _same_story(
    a: CleanArticle,
    b: CleanArticle,
    options: ScanOptions,
    keep_order: bool,
    idf: Mapping[str, float] | None,
    phrases: bool = False,
) -> Pair | None:
    """A `same_story` pair when two articles share no passage but report one event: their
    content words are close enough, or (`phrases`) they share phrases too short to be reuse,
    such as two reports of one event use."""
    if phrases:
        similarity = story_similarity(a, b, idf) if idf is not None else 0.0
    else:
        if not options.paraphrase or idf is None:
            return None
        similarity = story_similarity(a, b, idf)
        if similarity < SAME_STORY_SIMILARITY:
            return None
    earlier = published_first(a.article.published, b.article.published)
    direction = "unknown" if earlier is None or keep_order else "source_to_target"
    if earlier == "b" and not keep_order:
        a, b = b, a
    return Pair(a.id, b.id, "same_story", direction, round(similarity, 3), 0.0, 0.0, [])


def compare(
    source_text: str | Article, target_text: str | Article, options: ScanOptions | None = None
) -> Pair | None:
    """The shared passages and relation of two texts, `source_text` taken as the source."""
    source = source_text if isinstance(source_text, Article) else Article("source", source_text)
    target = target_text if isinstance(target_text, Article) else Article("target", target_text)
    a, b = (matchable(clean_article(x))[0] for x in (source, target))
    return compare_clean(a, b, options, keep_order=True)


def matchable(doc: CleanArticle) -> tuple[CleanArticle, SpinReport]:
    """The article as matched (spun words restored, see `spin.see_through`) and its spin."""
    report = spin_score(doc)
    return see_through(doc, report), report


def _gather(inputs: Iterable[str | Path | Article]) -> tuple[list[Article], list[ReadError]]:
    articles: list[Article] = []
    paths: list[str | Path] = []
    for item in inputs:
        if isinstance(item, Article):
            articles.append(item)
        else:
            paths.append(item)
    errors: list[ReadError] = []
    if paths:
        read, errors = read_articles(paths)
        articles.extend(read)
    return articles, errors


def scan(
    inputs: Iterable[str | Path | Article] | str | Path,
    options: ScanOptions | None = None,
    progress: Progress | None = None,
) -> ScanResult:
    """Scan files, folders or `Article`s: every pair sharing passages, its relation and direction.

    Args:
        inputs: paths (files or folders, `-` for JSONL on stdin) and/or `Article` objects.
        options: tuning knobs; the defaults suit five articles as well as millions.
        progress: called as `progress(stage, done, total)` while the scan runs.
    Returns:
        A `ScanResult` with per-article reports, pairs, stories and the read errors met.
    """
    opts = options or ScanOptions()
    if isinstance(inputs, (str, Path)):
        inputs = [inputs]

    def finished(stage: str, count: int) -> None:
        if progress is not None:
            progress(stage, count, count)

    articles, errors = _gather(inputs)
    finished("read", len(articles))
    docs = clean_articles(articles, progress, opts.workers)
    if opts.paraphrase:
        opts = replace(opts, paraphrase_method=resolve_method(opts.paraphrase_method))
    docs, clues, spins = _read_and_see_through(docs, opts, progress)
    counts = DocumentFrequencies() if opts.paraphrase else None
    candidates = candidate_pairs(docs, opts, progress, counts)
    finished("candidates", len(docs))
    idf = counts.idf() if counts is not None else None
    del counts
    finished("idf", len(docs))
    pairs = align_candidates(docs, candidates, opts, progress, clues, idf)
    result = assemble(docs, pairs, errors, opts, clues, spins)
    finished("assemble", len(docs))
    return result


def candidate_settings(options: ScanOptions) -> dict[str, Any]:
    """`candidates_of`' keyword arguments for a scan with `options` (every engine uses them):
    sketches and shared names reach rewrites, so they are sought with paraphrases."""
    return {"sketches": options.paraphrase, "names": options.paraphrase}


def candidate_pairs(
    docs: Sequence[CleanArticle],
    options: ScanOptions,
    progress: Progress | None = None,
    counts: DocumentFrequencies | None = None,
) -> list[Candidate]:
    """The candidate stage: each article's fingerprint (in `options.workers` processes), then
    the pairs worth aligning (`candidates.candidates_of`). With `counts`, each article's terms
    are counted there for the run's idf (and dropped from its fingerprint: they are many)."""
    prints: list[Fingerprint] = []
    # The n-grams, most of the fingerprints' bulk, go straight into one array (no article has
    # more n-grams than words), and each article's own copy is dropped.
    ngrams = PackedHashes(len(docs), sum(len(d.words) for d in docs))
    for found in stream_in_processes(
        _fingerprint_chunk, (docs, options.ngram, options.paraphrase, counts is not None),
        range(len(docs)),
        options.workers, 256,
        "fingerprint", progress,
    ):  # fmt: skip
        for part in found:
            ngrams.add_packed(part.ngrams, part.first, part.articles)
            if counts is not None:
                counts.add(part.vocabulary[0], part.articles)
            prints.extend(part.fingerprints())
    settings = candidate_settings(options)
    ranks = publication_ranks([d.article.published for d in docs])
    return candidates_of(
        prints, options.max_df, options.min_shared, ngrams=ngrams, ranks=ranks, **settings
    )


_NOTHING = np.empty(0, dtype=np.uint64)
#: what the candidate search keeps of an article when it looks for shared n-grams alone
_NO_PRINT = Fingerprint(_NOTHING, _NOTHING, np.empty(0, dtype=np.int16), _NOTHING, _NOTHING)


def _joined(arrays: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """`arrays` one after another, and where each ends."""
    ends = np.cumsum([len(a) for a in arrays], dtype=np.int64)
    return (np.concatenate(arrays) if arrays else _NOTHING), ends


@dataclass
class _Fingerprints:
    """A worker's part of the fingerprints, as it travels back: each field of every article's
    `Fingerprint` joined into one array, with where each article's part ends (hundreds of
    small arrays cost hundreds of times as much to send)."""

    first: int
    articles: int
    #: the n-grams packed as `PackedHashes` holds them
    ngrams: np.ndarray
    vocabulary: tuple[np.ndarray, np.ndarray]
    #: none when only n-grams are sought
    terms: tuple[np.ndarray, np.ndarray] | None = None
    sentences: np.ndarray | None = None
    names: tuple[np.ndarray, np.ndarray] | None = None

    @classmethod
    def of(cls, prints: list[Fingerprint], first: int, n_docs: int, rewrites: bool
           ) -> _Fingerprints:  # fmt: skip
        """Articles `first` to `first + len(prints) - 1` of `n_docs`."""
        ngrams, ends = _joined([p.ngrams for p in prints])
        packed = pack_hashes(ngrams, np.diff(ends, prepend=0), first, owner_bits(n_docs), ngrams)
        part = cls(first, len(prints), packed, _joined([p.vocabulary for p in prints]))
        if rewrites:
            part.terms = _joined([p.terms for p in prints])
            part.sentences = _joined([p.sentences for p in prints])[0]
            part.names = _joined([p.names for p in prints])
        return part

    def fingerprints(self) -> list[Fingerprint]:
        """Each article's fingerprint less its n-grams and vocabulary (the caller takes those
        whole), as views of the joined arrays."""
        if self.terms is None or self.names is None or self.sentences is None:
            return [_NO_PRINT] * self.articles
        terms, term_ends = self.terms
        names, name_ends = self.names
        term_starts = [0, *term_ends[:-1].tolist()]
        name_starts = [0, *name_ends[:-1].tolist()]
        sentences = self.sentences
        return [
            Fingerprint(_NOTHING, terms[a:b], sentences[a:b], names[c:d])
            for a, b, c, d in zip(term_starts, term_ends.tolist(), name_starts,
                                  name_ends.tolist(), strict=True)
        ]  # fmt: skip


def _fingerprint_chunk(
    work: tuple[Sequence[CleanArticle], int, bool, bool], indices: Sequence[int]
) -> list[_Fingerprints]:
    docs, ngram, rewrites, vocabulary = work
    prints = fingerprints([docs[i] for i in indices], ngram, rewrites=rewrites,
                          vocabulary=vocabulary)  # fmt: skip
    return [_Fingerprints.of(prints, indices[0], len(docs), rewrites)]


def _read_and_see_through(
    docs: Sequence[CleanArticle], options: ScanOptions, progress: Progress | None = None
) -> tuple[list[CleanArticle], dict[str, Clues], dict[str, SpinReport]]:
    """Every article's clues (`read_clues`, on the text as cleaned) and spin report, and the
    articles as matched (see `matchable`), in one pass of the worker processes."""
    found = in_processes(_clues_and_spin, docs, range(len(docs)), options.workers, 64, "spin",
                         progress)  # fmt: skip
    matched, clues, spins = [], {}, {}
    for doc, (found_clues, report, restored) in zip(docs, found, strict=True):
        clues[doc.id] = found_clues
        spins[doc.id] = report
        matched.append(doc if restored is None else replace(doc, **restored))
    return matched, clues, spins


def _clues_and_spin(
    docs: Sequence[CleanArticle], indices: Sequence[int]
) -> list[tuple[Clues, SpinReport, dict[str, Any] | None]]:
    out: list[tuple[Clues, SpinReport, dict[str, Any] | None]] = []
    for i in indices:
        seen, report = matchable(docs[i])
        changed = {"words": seen.words, "restored": seen.restored} if seen is not docs[i] else None
        out.append((read_clues(docs[i]), report, changed))
    return out


#: candidate pairs handed to a worker process at a time
ALIGN_CHUNK = 256


def _align_chunk(
    work: tuple[
        Sequence[CleanArticle], ScanOptions, Mapping[str, Clues] | None, Mapping[str, float] | None
    ],
    chunk: Sequence[Candidate],
) -> list[Pair | None]:
    docs, options, clues, idf = work
    return [compare_clean(docs[c.a], docs[c.b], options, clues=clues, idf=idf) for c in chunk]


def align_candidates(
    docs: Sequence[CleanArticle],
    candidates: Sequence[Candidate],
    options: ScanOptions,
    progress: Progress | None = None,
    clues: Mapping[str, Clues] | None = None,
    idf: Mapping[str, float] | None = None,
) -> list[Pair]:
    """Compare every candidate pair; pairs are sorted by score (highest first), then ids.

    With `options.workers` > 1 the comparisons run in forked processes (see `in_processes`);
    the result is the same as with one worker.
    """
    work = (docs, options, clues, idf)
    found = in_processes(
        _align_chunk, work, candidates, options.workers, ALIGN_CHUNK, "align", progress
    )
    pairs = [pair for pair in found if pair is not None]
    pairs.sort(key=lambda p: (-p.score, p.source, p.target))
    return pairs


def assemble(
    docs: Sequence[CleanArticle],
    pairs: list[Pair],
    errors: list[ReadError],
    options: ScanOptions,
    clues: Mapping[str, Clues] | None = None,
    spins: Mapping[str, SpinReport] | None = None,
) -> ScanResult:
    """Per-article figures and stories from the pairs found (copies that a third article
    explains turned `common_source`, see `explained_by_a_common_source`)."""
    pairs = explained_by_a_common_source(pairs)
    if clues is None:
        clues = {doc.id: read_clues(doc) for doc in docs}
    spans: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for pair in pairs:
        spans[pair.source].extend(p.source for p in pair.passages)
        spans[pair.target].extend(p.target for p in pair.passages)
    stories = build_stories([d.article for d in docs], pairs, clues)
    story_of = {member: s.id for s in stories for member in s.articles}
    originals = words_of_originals(docs, pairs, spins) if spins else {}
    reports = [
        ArticleReport(
            article=doc.article,
            removed=doc.removed,
            content_chars=doc.content_chars,
            reused_fraction=round(coverage(doc, union_spans(spans[doc.id])), 3),
            story=story_of.get(doc.id),
            clues=clues[doc.id],
            unique=unique_spans(doc, spans[doc.id]) if doc.id in story_of else None,
            spin=spin_dict(doc, spins[doc.id], originals.get(doc.id))
            if spins and doc.id in spins
            else None,
        )
        for doc in docs
    ]
    return ScanResult(reports, pairs, stories, errors, replace(options))
