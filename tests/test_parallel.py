"""copydesk.parallel: results in order whatever the workers, and the collector's freeze undone."""

from __future__ import annotations

import gc
import os
from collections.abc import Sequence

import pytest

from copydesk.parallel import in_processes, stream_in_processes


def squares_and_pids(offset: int, part: Sequence[int]) -> list[tuple[int, int]]:
    return [(offset + i * i, os.getpid()) for i in part]


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_results_come_back_in_order(workers: int) -> None:
    found = in_processes(squares_and_pids, 5, range(100), workers, 7, "squares")
    assert [value for value, _ in found] == [5 + i * i for i in range(100)]
    elsewhere = {pid for _, pid in found} - {os.getpid()}
    assert bool(elsewhere) == (workers > 1)


def test_progress_counts_every_item_once() -> None:
    seen: list[tuple[str, int, int]] = []
    in_processes(squares_and_pids, 0, range(10), 2, 4, "squares", lambda *a: seen.append(a))
    assert seen == [("squares", 4, 10), ("squares", 8, 10), ("squares", 10, 10)]


def test_objects_are_kept_from_the_collector_only_while_workers_run() -> None:
    assert gc.get_freeze_count() == 0
    parts = stream_in_processes(squares_and_pids, 0, range(20), 2, 5, "squares")
    next(parts)
    assert gc.get_freeze_count() > 0  # the corpus is not walked, nor its pages copied
    list(parts)
    assert gc.get_freeze_count() == 0
    # ...and an interrupted run gives them back too.
    parts = stream_in_processes(squares_and_pids, 0, range(20), 2, 5, "squares")
    next(parts)
    parts.close()
    assert gc.get_freeze_count() == 0
