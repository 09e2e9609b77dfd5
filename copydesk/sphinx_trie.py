"""Read a CMU Sphinx binary n-gram model ("Trie Language Model", `.lm.bin`) into numpy arrays.

pocketsphinx's own converters fail on the US English model it ships (an assertion, or a
truncated ARPA file), so copydesk reads the file itself. The layout (little-endian), as
pocketsphinx writes it:

- the text "Trie Language Model", the order N (one byte), N uint32 counts;
- the quantiser: an int32, then per middle order 2^16 probability and 2^16 back-off centres
  (float32), then 2^16 probability centres of the top order;
- counts[0] + 1 unigram records (float32 probability, float32 back-off, uint32 index of the
  first child), the last a sentinel;
- per order k = 2..N, counts[k-1] + 1 bit-packed records, lowest bits first: the word id,
  then (middle orders) a 16-bit back-off code, a 16-bit probability code and the index of the
  first child, or (top order) a 16-bit probability code; then 8 bytes of padding. The trie is
  reversed: a unigram's children are the words before it, most recent first;
- the vocabulary: an int32 byte count, then NUL-terminated words.

Values are in Sphinx's log base 1.0001 (not recorded in the file); `read_trie` returns log10.
"""

from __future__ import annotations

import math
import os
import struct
from pathlib import Path
from typing import Any

import numpy as np

HEADER = b"Trie Language Model"
#: bits of a quantised probability or back-off
CODE_BITS = 16
LOG_BASE = 1.0001


def read_trie(path: str | Path) -> dict[str, Any]:
    """The model's unigrams, word pairs and (for order 3) triples as arrays, values in log10.

    Keys: `words` (word id -> word), `uni_prob`, `uni_backoff`; `bi_context`, `bi_word`,
    `bi_prob`, `bi_backoff`; `tri_w1`, `tri_w2`, `tri_w3`, `tri_prob`. Ids are int32, values
    float32. Only the records the unigrams' child pointers reach are read.
    """
    # Padding lets every 8-byte read of a bit field stay inside the buffer.
    with open(path, "rb") as handle:
        on_disk = os.fstat(handle.fileno()).st_size
        raw = bytearray(on_disk + 16)
        handle.readinto(memoryview(raw)[:on_disk])
    if not raw.startswith(HEADER):
        raise ValueError(f"{path}: not a Sphinx trie language model")
    buffer = memoryview(raw)
    offset = len(HEADER)
    order = raw[offset]
    offset += 1
    if order not in (2, 3):
        raise ValueError(f"{path}: order {order} models are not supported")
    counts = struct.unpack_from(f"<{order}I", raw, offset)
    offset += 4 * order
    scale = math.log10(LOG_BASE)

    offset += 4  # a quantiser type, always 1
    size = 1 << CODE_BITS
    middle_tables = []
    for _ in range(order - 2):
        probs = np.frombuffer(raw, "<f4", size, offset)
        backoffs = np.frombuffer(raw, "<f4", size, offset + 4 * size)
        middle_tables.append((probs, backoffs))
        offset += 8 * size
    top_table = np.frombuffer(raw, "<f4", size, offset)
    offset += 4 * size

    n_words = counts[0]
    unigram = np.dtype([("prob", "<f4"), ("backoff", "<f4"), ("next", "<u4")])
    unigrams = np.frombuffer(raw, unigram, n_words + 1, offset)
    offset += unigram.itemsize * (n_words + 1)
    out: dict[str, Any] = {
        "uni_prob": (unigrams["prob"][:n_words] * scale).astype(np.float32),
        "uni_backoff": (unigrams["backoff"][:n_words] * scale).astype(np.float32),
    }

    word_bits = n_words.bit_length()
    parent_next = unigrams["next"].astype(np.int64)
    # chain[d][i]: the word at depth d of entry i (0: the predicted word, 1: the one before...)
    chain = [np.arange(n_words, dtype=np.int32)]
    for k in range(2, order + 1):
        top = k == order
        next_bits = 0 if top else counts[k].bit_length()
        record_bits = word_bits + CODE_BITS * (1 if top else 2) + next_bits
        reached = int(parent_next[-1])
        if parent_next[0] != 0 or reached > counts[k - 1] or np.any(np.diff(parent_next) < 0):
            raise ValueError(f"{path}: corrupt child pointers at order {k}")
        words = _bit_field(buffer, offset, reached, record_bits, 0, word_bits, np.int32)
        parents = np.repeat(
            np.arange(len(parent_next) - 1, dtype=np.int32), np.diff(parent_next)
        )
        chain = [column[parents] for column in chain] + [words]
        if top:
            top_codes = _bit_field(
                buffer, offset, reached, record_bits, word_bits, CODE_BITS, np.uint16
            )
            prob = top_table[top_codes]
        else:
            codes = _bit_field(
                buffer, offset, reached, record_bits, word_bits, 2 * CODE_BITS, np.uint32
            )
            probs, backoffs = middle_tables[k - 2]
            prob = probs[codes >> CODE_BITS]
            backoff = backoffs[codes & (size - 1)]
            del codes
            parent_next = _bit_field(
                buffer, offset, reached + 1, record_bits, word_bits + 2 * CODE_BITS, next_bits,
                np.int64,
            )
        offset += ((1 + counts[k - 1]) * record_bits + 7) // 8 + 8
        reading_order = chain[::-1]
        if k == 2:
            out["bi_context"], out["bi_word"] = reading_order
            out["bi_prob"] = (prob * scale).astype(np.float32)
            out["bi_backoff"] = (backoff * scale).astype(np.float32)
        else:
            out["tri_w1"], out["tri_w2"], out["tri_w3"] = reading_order
            out["tri_prob"] = (prob * scale).astype(np.float32)

    (length,) = struct.unpack_from("<i", raw, offset)
    offset += 4
    words_read = raw[offset : offset + length].split(b"\0")[:n_words]
    if len(words_read) != n_words:
        raise ValueError(f"{path}: {len(words_read)} words for {n_words} unigrams")
    out["words"] = [word.decode("utf-8", "replace") for word in words_read]
    return out


def _bit_field(
    buffer: memoryview,
    base: int,
    n: int,
    record_bits: int,
    shift: int,
    bits: int,
    dtype: type[np.integer] = np.uint64,
) -> np.ndarray:
    """One field of `n` bit-packed records (record i starts at bit i * record_bits).

    Records fall on the same bit within a byte every `period` records, so each of those phases
    is one strided view of unaligned 64-bit words."""
    out = np.empty(n, dtype=dtype)
    period = 8 // math.gcd(record_bits, 8)
    stride = period * record_bits // 8
    mask = np.uint64((1 << bits) - 1)
    for phase in range(min(period, n)):
        count = (n - phase + period - 1) // period
        bit = phase * record_bits + shift
        words = np.ndarray((count,), dtype="<u8", buffer=buffer, offset=base + (bit >> 3),
                           strides=(stride,))  # fmt: skip
        out[phase::period] = (words >> np.uint64(bit & 7)) & mask
    return out
