"""The trigram model: back-off arithmetic on a tiny model with known values, and the shipped
model read from the pocketsphinx package."""

from __future__ import annotations

import math

import numpy as np
import pytest

from copydesk.trigrams import TrigramModel, trigram_model

LN_10 = math.log(10.0)


@pytest.fixture(scope="module")
def tiny() -> TrigramModel:
    # Words: 0 "<s>", 1 "in", 2 "the", 3 "dark". log10 values chosen by hand.
    return TrigramModel({
        "words": ["<s>", "in", "the", "dark"],
        "uni_prob": np.array([-99.0, -2.0, -1.0, -3.0], dtype=np.float32),
        "uni_backoff": np.array([-0.5, -0.25, -0.75, -0.125], dtype=np.float32),
        "bi_context": np.array([1, 2, 0], dtype=np.int32),   # in the; the dark; <s> in
        "bi_word": np.array([2, 3, 1], dtype=np.int32),
        "bi_prob": np.array([-0.5, -1.5, -1.25], dtype=np.float32),
        "bi_backoff": np.array([-0.0625, -0.375, -0.1875], dtype=np.float32),
        "tri_w1": np.array([1], dtype=np.int32),             # in the dark
        "tri_w2": np.array([2], dtype=np.int32),
        "tri_w3": np.array([3], dtype=np.int32),
        "tri_prob": np.array([-0.25], dtype=np.float32),
    })  # fmt: skip


def test_listed_triple_pair_and_back_off(tiny: TrigramModel) -> None:
    ids = tiny.ids
    first = np.array([ids["in"], -1, ids["<s>"], ids["dark"], ids["the"]])
    second = np.array([ids["the"], ids["the"], ids["in"], ids["in"], ids["dark"]])
    third = np.array([ids["dark"], ids["dark"], ids["the"], ids["the"], ids["in"]])
    got = tiny.log_probs(first, second, third) / LN_10
    expected = [
        -0.25,  # "in the dark" is listed
        -1.5,  # no word two back: the pair "the dark"
        -0.1875 + -0.5,  # "<s> in the" unlisted: back-off of "<s> in", then the pair "in the"
        -0.5,  # "dark in" is no listed pair: no back-off weight, the pair "in the"
        # "the dark in": the back-off of "the dark", then (no pair "dark in") that of "dark"
        -0.375 + -0.125 + -2.0,
    ]
    assert np.allclose(got, expected, atol=1e-6)
    assert np.allclose(tiny.log_prob(np.array([ids["dark"]])) / LN_10, [-3.0])


def test_too_many_words_are_refused() -> None:
    with pytest.raises(ValueError, match="do not fit"):
        TrigramModel({"words": [""] * (1 << 17)})


def test_shipped_model_reads_and_knows_english() -> None:
    model = trigram_model()
    assert len(model.ids) == 72_547
    ids = model.ids

    def log_p(*words: str) -> float:
        padded = ("",) * (3 - len(words)) + words
        first, second, third = (np.array([ids.get(w, -1)]) for w in padded)
        return float(model.log_probs(first, second, third)[0])

    # A spinner's swaps fit their context far worse than the words they replaced.
    assert log_p("in", "the", "dark") > log_p("successful", "the", "dark") + 1.0
    assert log_p("<s>", "he", "told") > log_p("<s>", "helium", "told") + 2.0
    assert log_p("at", "least") > log_p("astatine", "slightest") + 5.0
    # Unigram probabilities form a distribution.
    total = float(np.exp(model.log_prob(np.arange(len(ids)))).sum())
    assert 0.95 < total < 1.05


def test_a_missing_model_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    from copydesk import trigrams

    monkeypatch.setattr(trigrams, "MODEL_PATH", ("model", "en-us", "no-such.lm.bin"))
    with pytest.raises(RuntimeError, match="pip install 'pocketsphinx>=5.0'"):
        trigrams.model_file()
