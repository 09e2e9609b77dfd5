"""A word-trigram language model for restoring spun text: CMU Sphinx's US English model.

The model is the one the `pocketsphinx` package ships (`model/en-us/en-us.lm.bin`; BSD-style
licence, Carnegie Mellon University): 72,547 words, 2.05 million word pairs, 1.67 million
triples, with Katz back-off weights. copydesk reads the file itself (`read_trie`), not through
pocketsphinx's bindings, and answers many lookups at once with sorted arrays and binary search
(`TrigramModel.log_probs`). It is loaded on first use: only restoring needs it.
"""

from __future__ import annotations

import importlib.util
import math
import threading
from pathlib import Path
from typing import Any

import numpy as np

from .sphinx_trie import read_trie

#: where the model lies inside the pocketsphinx package
MODEL_PATH = ("model", "en-us", "en-us.lm.bin")
#: bits of one word id in a packed key (the vocabulary has 72,547 words)
WORD_BITS = 17
LN_10 = math.log(10.0)


class TrigramModel:
    """log P(word | two words before), with back-off, for arrays of word ids (-1: none)."""

    def __init__(self, tables: dict[str, Any]) -> None:
        """`tables` as `read_trie` returns them."""
        words = tables["words"]
        if len(words) >= 1 << WORD_BITS:
            raise ValueError(f"{len(words)} words do not fit {WORD_BITS}-bit ids")
        self.ids: dict[str, int] = {word: i for i, word in enumerate(words)}
        self._uni_prob = np.asarray(tables["uni_prob"], dtype=np.float64) * LN_10
        self._uni_backoff = np.asarray(tables["uni_backoff"], dtype=np.float64) * LN_10
        pair_keys = _keys(tables["bi_context"], tables["bi_word"])
        order = np.argsort(pair_keys, kind="stable")
        self._pair_keys = pair_keys[order]
        # Single precision holds the model's 16-bit quantised values, at half the memory.
        self._pair_prob = _natural(tables["bi_prob"], order)
        self._pair_backoff = _natural(tables["bi_backoff"], order)
        triple_keys = _keys(_keys(tables["tri_w1"], tables["tri_w2"]), tables["tri_w3"])
        order = np.argsort(triple_keys, kind="stable")
        self._triple_keys = triple_keys[order]
        self._triple_prob = _natural(tables["tri_prob"], order)

    def log_prob(self, word: np.ndarray) -> np.ndarray:
        """log P(word) (natural log) for an array of known word ids."""
        return self._uni_prob[word]

    def log_probs(self, first: np.ndarray, second: np.ndarray, third: np.ndarray) -> np.ndarray:
        """log P(third | first, second), natural log, element by element.

        `second` and `third` must be known ids; `first` may be -1 (no word two back: the pair
        model answers alone)."""
        first = np.asarray(first, dtype=np.int64)
        second = np.asarray(second, dtype=np.int64)
        third = np.asarray(third, dtype=np.int64)
        pair_found, pair_at = _find(self._pair_keys, _keys(second, third))
        # Back-off: an unlisted pair is the word's own probability times its context's weight.
        result = np.where(
            pair_found,
            self._pair_prob[pair_at],
            self._uni_backoff[second] + self._uni_prob[third],
        )
        has_first = first >= 0
        safe_first = np.where(has_first, first, 0)
        triple_found, triple_at = _find(
            self._triple_keys, _keys(_keys(safe_first, second), third)
        )
        triple_found &= has_first
        context_found, context_at = _find(self._pair_keys, _keys(safe_first, second))
        context_found &= has_first
        context_backoff = np.where(context_found, self._pair_backoff[context_at], 0.0)
        return np.where(triple_found, self._triple_prob[triple_at], context_backoff + result)


def _natural(log10: np.ndarray, order: np.ndarray) -> np.ndarray:
    """log10 values, reordered, as natural logs in single precision."""
    return (np.asarray(log10, dtype=np.float32)[order] * np.float32(LN_10)).astype(np.float32)


def _keys(high: np.ndarray, low: np.ndarray) -> np.ndarray:
    """Two id columns packed into one int64 key per row (`high` may itself be a packed key)."""
    return (np.asarray(high, dtype=np.int64) << WORD_BITS) | np.asarray(low, dtype=np.int64)


def _find(sorted_keys: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which `keys` are in `sorted_keys`, and where (an index in range for the others too)."""
    if len(sorted_keys) == 0:
        return np.zeros(len(keys), dtype=bool), np.zeros(len(keys), dtype=np.int64)
    # Sorted needles walk the table in order: four times faster than random probes.
    order = np.argsort(keys, kind="stable")
    at = np.empty(len(keys), dtype=np.int64)
    at[order] = np.searchsorted(sorted_keys, keys[order])
    np.minimum(at, len(sorted_keys) - 1, out=at)
    return sorted_keys[at] == keys, at


def model_file() -> Path:
    """The model file inside the installed pocketsphinx package."""
    # Found without importing pocketsphinx: copydesk needs its data, not its code.
    spec = importlib.util.find_spec("pocketsphinx")
    folders = spec.submodule_search_locations if spec is not None else None
    path = Path(folders[0]).joinpath(*MODEL_PATH) if folders else None
    if path is None or not path.is_file():
        raise RuntimeError(
            "copydesk: restoring spun words needs the US English model of the pocketsphinx"
            f" package ({'/'.join(MODEL_PATH)}); reinstall it: pip install 'pocketsphinx>=5.0'"
        )
    return path


_MODEL: TrigramModel | None = None
_LOCK = threading.Lock()


def trigram_model() -> TrigramModel:
    """The shared model, read on first use (about a second)."""
    global _MODEL
    loaded = _MODEL
    if loaded is None:
        with _LOCK:
            loaded = _MODEL
            if loaded is None:
                loaded = _MODEL = TrigramModel(read_trie(model_file()))
    return loaded
