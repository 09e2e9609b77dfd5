"""Shared fixtures: the seed corpus next to the repository and the bundled examples."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from copydesk.model import Article
from copydesk.read import read_articles

REPO = Path(__file__).parents[1]
SEEDS = REPO.parent / "shared" / "corpus" / "seeds"
NEWS = REPO.parent / "shared" / "corpus" / "news"
EXAMPLES = REPO / "examples"


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """The five seed articles (../shared/corpus/seeds); missing is a failure on CI."""
    if not SEEDS.is_dir() or not any(SEEDS.glob("*.txt")):
        message = f"seed corpus not found at {SEEDS}"
        if _in_ci():
            pytest.fail(message)
        pytest.skip(message)
    return SEEDS


@pytest.fixture(scope="session")
def census_articles() -> dict[str, Article]:
    """The real scraped census pages (../shared/corpus/news), by id; missing fails on CI."""
    path = NEWS / "census.jsonl"
    if not path.is_file():
        message = f"news corpus not found at {path}"
        if _in_ci():
            pytest.fail(message)
        pytest.skip(message)
    articles, errors = read_articles([path])
    assert not errors
    return {a.id: a for a in articles}


@pytest.fixture(scope="session")
def examples_dir() -> Path:
    """The fictional example corpus bundled with the repository."""
    assert EXAMPLES.is_dir(), f"examples folder missing: {EXAMPLES}"
    return EXAMPLES


@pytest.fixture(scope="session")
def seed_ids(seeds_dir: Path) -> dict[str, str]:
    """Seed ids by their three-digit prefix: {'000': '000_17685352a185cf6a', ...}."""
    return {p.stem[:3]: p.stem for p in sorted(seeds_dir.glob("*.txt"))}
