"""The accuracy gate: detection scores on seeded known-truth corpora may not fall below the
floors pinned in accuracy_floors.json (as trafilatura's evaluation gate does)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import copydesk
from copydesk.synthetic import evaluate, make_corpus

FLOORS = json.loads((Path(__file__).parent / "accuracy_floors.json").read_text())

CORPORA: dict[str, dict[str, Any]] = {
    "verbatim": {"n_articles": 80, "seed": 7},
    "edited": {"n_articles": 80, "seed": 7, "edit_rate": 0.10},
    "partial_edited": {"n_articles": 80, "seed": 3, "kinds": ["partial"], "edit_rate": 0.10},
    "reordered_edited": {"n_articles": 80, "seed": 3, "kinds": ["reordered"], "edit_rate": 0.15},
}


@pytest.mark.parametrize("name", sorted(CORPORA))
def test_accuracy_stays_above_the_floors(name: str) -> None:
    corpus = make_corpus(**CORPORA[name])
    assert len(corpus.truth) >= 20, "the corpus must hold enough reuse to measure"
    result = copydesk.scan(corpus.articles)
    scores = evaluate(corpus, result.pairs)
    floors = FLOORS[name]
    measured = {key: round(getattr(scores, key), 3) for key in floors}
    assert all(measured[key] >= floors[key] for key in floors), (name, measured, floors)


def test_gate_fails_a_detector_that_loses_passages() -> None:
    """The gate can fail: dropping every second passage falls below the recall floor."""
    corpus = make_corpus(**CORPORA["verbatim"])
    result = copydesk.scan(corpus.articles)
    for pair in result.pairs:
        pair.passages = pair.passages[::2]
    assert evaluate(corpus, result.pairs).recall < FLOORS["verbatim"]["recall"]
