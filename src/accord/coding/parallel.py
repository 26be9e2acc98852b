"""Coding spread over the machine's cores.

Coding is pure Python per passage, so one process uses one core. A large batch is split: the
calling process codes the first part while forked workers code the rest. Workers inherit the
coder (compiled patterns, loaded vectors) through fork instead of receiving it pickled, and
send their codings back as plain tuples, which pickle several times faster than the frozen
dataclasses. Where fork is unavailable, or the batch is small, everything runs in-process.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from accord.coding.base import ProgressCallback
from accord.model.coding import Assignment, Evidence, UnitCoding

logger = logging.getLogger(__name__)

MIN_UNITS = 1000  # below this, starting a worker costs more than it saves

CodeRange = Callable[[int, int], list[UnitCoding]]  # codes units[start:end]

_job: CodeRange | None = None  # set just before the fork; workers read it from there


def code_in_parallel(
    code_range: CodeRange,
    n_units: int,
    on_progress: ProgressCallback | None = None,
    *,
    workers: int | None = None,
    min_units: int = MIN_UNITS,
) -> list[UnitCoding]:
    """``code_range(0, n_units)``, computed in parts by up to ``workers`` processes."""
    with paused_gc():
        return _code_in_parts(code_range, n_units, on_progress, workers, min_units)


@contextmanager
def paused_gc() -> Iterator[None]:
    """Coding allocates millions of small tuples and almost no reference cycles; Python's
    cycle collector, triggered by allocation counts, would otherwise walk the whole heap again
    and again (measured: a quarter of the coding time)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _code_in_parts(
    code_range: CodeRange,
    n_units: int,
    on_progress: ProgressCallback | None,
    workers: int | None,
    min_units: int,
) -> list[UnitCoding]:
    workers = min(workers or usable_cores(), max(1, n_units // max(1, min_units // 2)))
    if workers < 2 or n_units < min_units or "fork" not in multiprocessing.get_all_start_methods():
        return _report(code_range(0, n_units), n_units, on_progress)
    bounds = [n_units * k // workers for k in range(workers + 1)]
    global _job
    _job = code_range
    try:
        pool = multiprocessing.get_context("fork").Pool(workers - 1)
    except OSError as exc:  # no semaphores or process limit reached: code in this process
        logger.info("Coding in one process (%s)", exc)
        _job = None
        return _report(code_range(0, n_units), n_units, on_progress)
    try:
        with pool:
            pending = [
                pool.apply_async(_code_encoded, (bounds[k], bounds[k + 1]))
                for k in range(1, workers)
            ]
            results = code_range(bounds[0], bounds[1])
            if on_progress:
                on_progress(bounds[1], n_units)
            for part in pending:
                results.extend(decode(row) for row in part.get())
    finally:
        _job = None
    return _report(results, n_units, on_progress)


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _report(results: list[UnitCoding], n_units: int, on_progress: ProgressCallback | None):
    if on_progress:
        on_progress(n_units, n_units)
    return results


def _code_encoded(start: int, end: int) -> list[tuple]:
    assert _job is not None, "a worker runs only inside code_in_parallel"
    return [encode(coding) for coding in _job(start, end)]


def encode(coding: UnitCoding) -> tuple:
    """A coding as nested tuples of strings and numbers."""
    return (
        coding.unit_id,
        tuple(
            (
                a.dimension,
                a.category,
                a.score,
                a.method,
                tuple((e.char_start, e.char_end, e.trigger) for e in a.evidence),
            )
            for a in coding.assignments
        ),
        coding.scores,
    )


def decode(row: tuple) -> UnitCoding:
    unit_id, assignments, scores = row
    return UnitCoding(
        unit_id,
        tuple(
            Assignment(unit_id, dimension, category, score, method, tuple(Evidence(*e) for e in ev))
            for dimension, category, score, method, ev in assignments
        ),
        scores,
    )
