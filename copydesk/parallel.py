"""Work spread over processes: forked workers that see the caller's data without copying it.

Every stage that runs article by article or pair by pair (cleaning, spin, fingerprints,
alignment) goes through `in_processes`, so `--workers N` means the same thing everywhere and
gives the same result as one worker: parts are handed out in order and their results come back
in order.
"""

from __future__ import annotations

import gc
import multiprocessing
import signal
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

#: called as progress(stage, done, total) while work runs
Progress = Callable[[str, int, int], None]
R = TypeVar("R")


#: what forked worker processes work on: the function and the data it shares with this process
_forked: tuple[Callable[[Any, Any], list[Any]], Any] | None = None


def _leave_interrupts_to_the_parent() -> None:
    """Ctrl-C reaches every process of the group: the parent stops the pool (and says so once),
    workers ignore it instead of each printing a traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run_forked(chunk: Sequence[Any]) -> list[Any]:
    assert _forked is not None
    function, shared = _forked
    return function(shared, chunk)


def in_processes(
    function: Callable[[Any, Sequence[Any]], list[R]],
    shared: Any,
    items: Sequence[Any],
    workers: int,
    chunk: int,
    stage: str,
    progress: Progress | None = None,
) -> list[R]:
    """`function(shared, part)` over `items` in parts of `chunk`, results in the order of
    `items`. With `workers` > 1 the parts go to forked processes, which see `shared` (the
    cleaned articles, say) without copying it; elsewhere, or with one worker, it runs here."""
    out: list[R] = []
    for found in stream_in_processes(function, shared, items, workers, chunk, stage, progress):
        out.extend(found)
    return out


def stream_in_processes(
    function: Callable[[Any, Sequence[Any]], list[R]],
    shared: Any,
    items: Sequence[Any],
    workers: int,
    chunk: int,
    stage: str,
    progress: Progress | None = None,
) -> Iterator[list[R]]:
    """`in_processes`, yielding each part's results as it comes (in order): the caller may
    fold them into something smaller before the next arrives."""
    global _forked
    parts = [items[i : i + chunk] for i in range(0, len(items), chunk)]
    workers = min(workers, len(parts))
    done = 0
    _forked = (function, shared)
    try:
        if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
            context = multiprocessing.get_context("fork")
            # What exists now (the corpus: millions of objects) is set aside from the cyclic
            # garbage collector while the pool runs: collections in the workers would write to
            # every object's header and so copy the pages they share with this process, and
            # collections here would walk them all again and again.
            gc.freeze()
            try:
                with context.Pool(workers, initializer=_leave_interrupts_to_the_parent) as pool:
                    for part, found in zip(parts, pool.imap(_run_forked, parts), strict=True):
                        done += len(part)
                        if progress is not None:
                            progress(stage, done, len(items))
                        yield found
            finally:
                gc.unfreeze()
        else:
            for part in parts:
                found = function(shared, part)
                done += len(part)
                if progress is not None:
                    progress(stage, done, len(items))
                yield found
    finally:
        _forked = None
