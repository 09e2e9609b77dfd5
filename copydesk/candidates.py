"""Find the pairs of articles worth aligning, without comparing all pairs.

The index is the one passim made popular: every word n-gram of every article is hashed; n-grams
found in only one article say nothing, and n-grams found in very many are stock phrases or
leftover boilerplate, so only those shared by 2..`max_df` articles link articles. Two articles
sharing at least `min_shared` such n-grams are a candidate pair. This finds whole copies and a
few reused sentences inside a long article alike, which MinHash over whole documents does not.

Everything is vectorised with NumPy and keyed by stable hashes, so the same input always gives
the same candidates, in the same order, on any machine.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from .model import Candidate, CleanArticle

_MASK = (1 << 64) - 1
_MULTIPLIER = np.uint64(0x100000001B3)  # FNV-1a's prime: odd, so the rolling hash mixes
_word_hashes: dict[str, int] = {}


def word_hash(word: str) -> int:
    """A stable 64-bit hash of a word (the same in every process and on every machine)."""
    value = _word_hashes.get(word)
    if value is None:
        value = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")
        if len(_word_hashes) < 2_000_000:
            _word_hashes[word] = value
    return value


def ngram_hashes(words: Sequence[str], n: int) -> np.ndarray:
    """The distinct hashes of the word n-grams of `words` (sorted, uint64)."""
    if len(words) < n:
        return np.empty(0, dtype=np.uint64)
    hashes = np.fromiter((word_hash(w) for w in words), dtype=np.uint64, count=len(words))
    count = len(words) - n + 1
    combined = np.zeros(count, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for offset in range(n):
            combined = combined * _MULTIPLIER + hashes[offset : offset + count]
            # Rotate so that n-grams of the same words in another order hash apart.
            combined = (combined << np.uint64(7)) | (combined >> np.uint64(57))
    return np.unique(combined)


def find_candidates(
    docs: Sequence[CleanArticle], ngram: int = 5, max_df: int = 100, min_shared: int = 2
) -> list[Candidate]:
    """Pairs of articles (by index in `docs`) that share at least `min_shared` rare n-grams."""
    fingerprints = [ngram_hashes(d.words, ngram) for d in docs]
    return pairs_from_fingerprints(fingerprints, max_df=max_df, min_shared=min_shared)


def pairs_from_fingerprints(
    fingerprints: Sequence[np.ndarray], max_df: int = 100, min_shared: int = 2
) -> list[Candidate]:
    """Candidate pairs from each article's distinct n-gram hashes (the inverted-index step)."""
    if len(fingerprints) < 2:
        return []
    lengths = np.fromiter((len(f) for f in fingerprints), dtype=np.int64, count=len(fingerprints))
    if lengths.sum() == 0:
        return []
    hashes = np.concatenate(fingerprints)
    owners = np.repeat(np.arange(len(fingerprints), dtype=np.int64), lengths)
    order = np.lexsort((owners, hashes))
    hashes, owners = hashes[order], owners[order]
    # Runs of equal hashes are the posting lists; their length is the n-gram's document frequency.
    boundaries = np.flatnonzero(np.diff(hashes)) + 1
    run_starts = np.concatenate(([0], boundaries))
    run_lengths = np.diff(np.concatenate((run_starts, [len(hashes)])))
    keys: list[np.ndarray] = []
    n_docs = np.int64(len(fingerprints))
    for size in np.unique(run_lengths):
        if size < 2 or size > max_df:
            continue
        starts = run_starts[run_lengths == size]
        members = owners[starts[:, None] + np.arange(size)[None, :]]  # (runs, size), sorted rows
        left, right = np.triu_indices(int(size), k=1)
        keys.append((members[:, left] * n_docs + members[:, right]).ravel())
    if not keys:
        return []
    pair_keys, counts = np.unique(np.concatenate(keys), return_counts=True)
    chosen = counts >= min_shared
    return [
        Candidate(int(k // n_docs), int(k % n_docs), int(c))
        for k, c in zip(pair_keys[chosen], counts[chosen], strict=True)
    ]
