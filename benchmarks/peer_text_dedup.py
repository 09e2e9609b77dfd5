"""text-dedup's MinHash on a corpus of cleaned articles: the peer run by bench_scale.py.

Runs in its own virtual environment (`make bench` makes it under benchmarks/.cache/): text-dedup
0.4 pins urllib3 <= 2.0, which copydesk's HTML extraction (trafilatura) cannot use.

Input (a JSON file): {"texts": [...], "truth": [[i, j], ...], "num_perm": 128, "ngram": 5,
"thresholds": [...]}. The work is text-dedup's own: `minhash.embed_func` (its word n-gram
shingles, SHA-1 base hash and 64-bit permutations, its defaults) and its banding into hash
tables, one process. Two articles are candidates when they share a bucket in some band (what
an LSH query returns; text-dedup then clusters them). Each threshold's bands come from its
`optimal_param`; the threshold with the best pair recall is timed again on its own.

Output (JSON on stdout): {"threshold", "seconds", "pairs": [[i, j], ...], "recall_by_threshold"}.
"""

from __future__ import annotations

import json
import sys
import time
from collections import defaultdict
from itertools import combinations
from typing import Any

import numpy as np
from text_dedup.minhash import SIGNATURE_COLUMN, embed_func
from text_dedup.utils import optimal_param, sha1_hash

# text-dedup's default configuration (hash_bits 64): 32-bit SHA-1 base hashes permuted modulo
# the Mersenne prime 2^61 - 1, kept to 32 bits
DTYPE = np.uint64
MAX_HASH = np.uint32((1 << 32) - 1)
MODULO_PRIME = np.uint64((1 << 61) - 1)
SEED = 42


def base_hash(data: bytes) -> int:
    return sha1_hash(data, d=32)


def signatures(
    texts: list[str], num_perm: int, ngram: int, ranges: list[tuple[int, int]]
) -> list[list[bytes]]:
    rng = np.random.RandomState(SEED)
    permutations = (
        rng.randint(1, MODULO_PRIME, size=(num_perm,), dtype=DTYPE),
        rng.randint(0, MODULO_PRIME, size=(num_perm,), dtype=DTYPE),
    )
    return [
        embed_func(text, index, num_perm=num_perm, ngram_size=ngram, min_length=ngram,
                   hashranges=ranges, permutations=permutations, hash_func=base_hash,
                   dtype=DTYPE, max_hash=MAX_HASH, modulo_prime=MODULO_PRIME)[SIGNATURE_COLUMN]
        for index, text in enumerate(texts)
    ]  # fmt: skip


def bucket_pairs(bands: list[list[bytes]]) -> set[tuple[int, int]]:
    """Pairs of articles that share a bucket in at least one band."""
    tables: list[dict[bytes, list[int]]] = [defaultdict(list) for _ in bands[0]] if bands else []
    for index, values in enumerate(bands):
        for table, value in zip(tables, values, strict=True):
            table[value].append(index)
    found: set[tuple[int, int]] = set()
    for table in tables:
        for bucket in table.values():
            if len(bucket) > 1:
                found.update(combinations(bucket, 2))
    return found


def main() -> None:
    work: dict[str, Any] = json.loads(open(sys.argv[1], encoding="utf-8").read())
    texts, num_perm, ngram = work["texts"], work["num_perm"], work["ngram"]
    truth = {tuple(sorted(p)) for p in work["truth"]}
    # One signature of every row, banded per threshold: the sweep picks the threshold...
    rows = signatures(texts, num_perm, ngram, [(i, i + 1) for i in range(num_perm)])
    recall: dict[str, float] = {}
    best, best_recall = work["thresholds"][0], -1.0
    for threshold in work["thresholds"]:
        b, r = optimal_param(threshold, num_perm, false_positive_weight=0.5,
                             false_negative_weight=0.5)  # fmt: skip
        bands = [[b"".join(values[i * r : (i + 1) * r]) for i in range(b)] for values in rows]
        found = bucket_pairs(bands)
        recall[str(threshold)] = len(found & truth) / max(1, len(truth))
        if recall[str(threshold)] > best_recall:
            best, best_recall = threshold, recall[str(threshold)]
    # ...which is then timed as text-dedup runs it: signatures in its bands, then the tables.
    b, r = optimal_param(best, num_perm, false_positive_weight=0.5, false_negative_weight=0.5)
    started = time.perf_counter()
    bands = [(i * r, (i + 1) * r) for i in range(b)]
    pairs = bucket_pairs(signatures(texts, num_perm, ngram, bands))
    seconds = time.perf_counter() - started
    json.dump({"threshold": best, "bands": [b, r], "seconds": seconds, "pairs": sorted(pairs),
               "recall_by_threshold": recall}, sys.stdout)  # fmt: skip


if __name__ == "__main__":
    main()
