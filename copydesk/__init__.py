"""copydesk: who copied whom, how, and where, in a pile of news articles."""

from __future__ import annotations

import logging

__version__ = "0.1.0"

from .align import align_passages
from .clean import clean_article, clean_articles
from .model import Article, Pair, Passage, ScanOptions, ScanResult, Story
from .pipeline import compare, scan
from .read import read_articles
from .store import Index

__all__ = [
    "Article",
    "Pair",
    "Passage",
    "Index",
    "ScanOptions",
    "ScanResult",
    "Story",
    "align_passages",
    "clean_article",
    "clean_articles",
    "compare",
    "read_articles",
    "scan",
    "__version__",
]

logging.getLogger(__name__).addHandler(logging.NullHandler())
