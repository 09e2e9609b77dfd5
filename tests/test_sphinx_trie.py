"""Reading Sphinx's binary trie model, checked against pocketsphinx's own lookups."""

from __future__ import annotations

import math
import sys

import numpy as np
import pytest

from copydesk.sphinx_trie import read_trie
from copydesk.trigrams import model_file


@pytest.fixture(scope="module")
def tables() -> dict:
    return read_trie(model_file())


def test_counts_and_shapes(tables: dict) -> None:
    assert len(tables["words"]) == len(tables["uni_prob"]) == 72_547
    # The header announces 2,051,547 pairs, six of which no pointer reaches.
    assert len(tables["bi_prob"]) == 2_051_541
    assert len(tables["tri_prob"]) == 1_669_625
    for key in ("bi_context", "bi_word", "tri_w1", "tri_w2", "tri_w3"):
        ids = tables[key]
        assert ids.min() >= 0 and ids.max() < 72_547
    assert tables["bi_prob"].max() <= 0.0 and tables["tri_prob"].max() <= 0.0


def test_rejects_other_files(tmp_path) -> None:
    path = tmp_path / "model.lm.bin"
    path.write_bytes(b"\\data\\\nngram 1=3\n")
    with pytest.raises(ValueError, match="not a Sphinx trie"):
        read_trie(path)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="see the comment below")
def test_values_agree_with_pocketsphinx(tables: dict) -> None:
    # pocketsphinx's `prob` sizes its word buffer in bytes, not pointers: three words fit the
    # smallest block glibc hands out, which is why copydesk never calls it at run time.
    import pocketsphinx

    lm = pocketsphinx.NGramModel(pocketsphinx.Config(), pocketsphinx.LogMath(1.0001),
                                 str(model_file()))  # fmt: skip
    to_log10 = math.log10(1.0001)
    words = tables["words"]
    rng = np.random.default_rng(7)
    for at in rng.integers(0, len(tables["bi_prob"]), 200):
        pair = [words[tables["bi_word"][at]], words[tables["bi_context"][at]]]
        assert abs(lm.prob(pair) * to_log10 - tables["bi_prob"][at]) < 1e-3, pair
    for at in rng.integers(0, len(tables["tri_prob"]), 200):
        triple = [words[tables[k][at]] for k in ("tri_w3", "tri_w2", "tri_w1")]
        if triple in (["bullhorns", "and", "whips"], ["jerri", "and", "<s>"]):
            continue  # stored out of order: pocketsphinx's own search misses them
        assert abs(lm.prob(triple) * to_log10 - tables["tri_prob"][at]) < 1e-3, triple
