"""Coding one partition of passages, wherever it runs (this process, a local worker, a Dask
worker): the coder is built once per process and reused (its model loaded once, its vectors
from this machine's per-user cache), and the codings go back as the store's own rows, so the
caller, the store's only writer, just writes them."""

from __future__ import annotations

import gc
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from accord.coding.embedding import shared_cache
from accord.coding.registry import make_coder
from accord.model.codebook import Codebook
from accord.model.coding import CodingUnit
from accord.store.coding_store import assignment_rows

MAX_CODERS = 4  # coders kept per process (a narrowed codebook makes a second one)


@dataclass(frozen=True, slots=True)
class CodingJob:
    """One partition: the passages (id, text, document type) and how to code them."""

    coder: str  # registry name
    codebook: Codebook  # what the coder codes with (a narrowed copy when dimensions are kept)
    codebook_key: str  # its digest: which cached coder serves it
    store_digest: str  # the digest the rows are stored under (the full codebook's)
    units: tuple[tuple[str, str, str | None], ...]
    cache_mb: float = 2048.0  # size cap of this machine's vector cache (setting cache.max_mb)


def code_partition(job: CodingJob) -> list[tuple]:
    """Assignment rows of every passage of the job (see ``coding_store.assignment_rows``)."""
    if not job.codebook.dimensions:  # every dimension kept from an earlier codebook
        return []
    coder = coder_for(job)
    with paused_gc():
        codings = coder.code([CodingUnit(*unit) for unit in job.units])
        return assignment_rows(codings, job.store_digest, job.coder)


_CODERS: OrderedDict[tuple[str, str], object] = OrderedDict()


def coder_for(job: CodingJob):
    """This process's coder for the job, built (model loaded) on first use only."""
    key = (job.coder, job.codebook_key)
    if key in _CODERS:
        _CODERS.move_to_end(key)
    else:
        cache = None if job.coder == "rules.v1" else shared_cache(job.cache_mb)
        _CODERS[key] = make_coder(job.coder, job.codebook, cache=cache)
        while len(_CODERS) > MAX_CODERS:
            _CODERS.popitem(last=False)
    return _CODERS[key]


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
