"""Code the store incrementally, or code any texts without a store."""

from __future__ import annotations

import itertools
import logging
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from accord.coding.codebooks import dump_codebook, parse_codebook
from accord.coding.embedding import is_available, shared_cache
from accord.coding.registry import NEEDS_EMBEDDING, default_coder_name, make_coder, resolve_name
from accord.coding.worker import CodingJob, code_partition, paused_gc
from accord.config import CacheSettings, CodingSettings
from accord.errors import AccordError, ExecutionError
from accord.model.codebook import GATE_KEY, Codebook
from accord.model.coding import CodingUnit, UnitCoding
from accord.parallel import Executor, InProcessExecutor, Outcome, ProcessExecutor
from accord.store import coding_store
from accord.store.corpus_store import CorpusStore
from accord.store.runs import records_failure

logger = logging.getLogger(__name__)


@dataclass
class CodingReport:
    run_id: str
    coder: str
    codebook_digest: str
    n_passages: int
    n_coded: int
    label_counts: dict[str, Counter] = field(default_factory=dict)
    elapsed_s: float = 0.0
    notes: list[str] = field(default_factory=list)

    def __repr__(self) -> str:
        return (
            f"CodingReport({self.coder}: {self.n_coded} of {self.n_passages} passages coded, "
            f"codebook {self.codebook_digest[:12]})"
        )

    __str__ = __repr__

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data: what `accord code --json` prints."""
        return {
            "run_id": self.run_id,
            **self.stats(),
            "label_counts": {
                dimension: dict(counts.most_common())
                for dimension, counts in self.label_counts.items()
            },
        }

    def stats(self) -> dict[str, Any]:
        return {
            "coder": self.coder,
            "codebook_digest": self.codebook_digest,
            "n_passages": self.n_passages,
            "n_coded": self.n_coded,
            "elapsed_s": round(self.elapsed_s, 3),
            "notes": self.notes,
        }


def choose_coder(name: str | None, codebook: Codebook) -> tuple[str, list[str]]:
    """The coder to use and what the user should know about the choice."""
    if name is None:
        chosen = default_coder_name(codebook)
        notes = (
            []
            if chosen != "rules.v1"
            else [
                f"Codebook '{codebook.name}' has no trained model: coding with rules only "
                "(`accord train` makes one)."
            ]
        )
        return chosen, notes
    chosen = resolve_name(name)
    if chosen in NEEDS_EMBEDDING and not is_available():
        from accord.coding.embedding import Encoder

        Encoder()  # raises EmbeddingUnavailable with its hint
    if chosen == "trained.v1":
        from accord.coding.trained import model_folder

        model_folder(codebook)  # raises ModelError with its hint
    return chosen, []


@records_failure
def code_store(
    store: CorpusStore,
    codebook: Codebook,
    coder: str | None = None,
    *,
    settings: CodingSettings | None = None,
    command: str | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    executor: Executor | None = None,
    cache_mb: float = CacheSettings().max_mb,
) -> CodingReport:
    """Code every current passage not yet coded with this codebook and coder.

    A new codebook (any change changes its digest) codes every passage again, but only in
    the dimensions that changed when an earlier codebook had the same gate; unchanged passages
    are skipped, and embeddings are reused from the per-user cache (capped at ``cache_mb``,
    setting cache.max_mb). Partitions of ``batch_size``
    passages are coded by ``executor`` (default: local worker processes, one per core) and
    saved here, one transaction each, so a run stopped at any point leaves whole partitions
    and a re-run codes the rest.
    """
    started = time.perf_counter()
    name, notes = choose_coder(coder, codebook)
    digest = codebook.digest()
    coding_store.save_codebook(
        store, digest, codebook.name, codebook.version, dump_codebook(codebook)
    )
    run_id = store.start_run("code", command)
    total = coding_store.count_pending(store, digest, name)
    logger.info("Coding - %d passages to code with %s", total, name)
    earlier = _reusable_codebook(store, codebook, name) if total else None
    plan = _Plan(name, codebook, digest, earlier, cache_mb)
    size = (settings or CodingSettings()).batch_size
    done = 0
    if on_progress:
        on_progress(0, total)
    with paused_gc():  # saving allocates as much as coding does
        for job, rows in _coded(plan.jobs(store, size), executor, total > size):
            coding_store.save_rows(
                store,
                digest,
                name,
                run_id,
                [p.unit.id for p in job.pending],
                [p.text_hash for p in job.pending],
                rows,
                job.kept,
            )
            done += len(job.pending)
            if on_progress:
                on_progress(done, total)
    notes = [*notes, *plan.notes()]
    report = CodingReport(
        run_id,
        name,
        digest,
        coding_store.count_current_passages(store),
        total,
        coding_store.label_counts(store, digest, name),
        time.perf_counter() - started,
        notes,
    )
    store.finish_run(run_id, report.stats())
    logger.info("Coding - Completed in %.1f s", report.elapsed_s)
    return report


@dataclass(frozen=True)
class _Job:
    """A partition as the writer sees it: the passages with their text hashes, what is kept
    from an earlier codebook, and the job a worker codes."""

    pending: list[coding_store.PendingUnit]
    kept: tuple[str, list[str]] | None
    job: CodingJob


@dataclass
class _Plan:
    """How the pending passages are coded. Those coded before with an earlier codebook that
    differs from this one only in some dimensions (same gate, same text) need only those
    dimensions re-coded, the codes of the others kept: a dimension's codes depend on nothing
    else, so the result equals coding from scratch. The rest are coded with the whole codebook.
    """

    coder: str
    codebook: Codebook
    digest: str
    earlier: tuple[str, list[str]] | None  # (earlier codebook's digest, unchanged dimensions)
    cache_mb: float
    n_kept: int = 0

    def jobs(self, store: CorpusStore, size: int) -> Iterator[_Job]:
        """Partitions of at most ``size`` passages, read from the store page by page."""
        earlier_digest, unchanged = self.earlier or (None, [])
        narrowed = self.codebook.only({d.id for d in self.codebook.dimensions} - set(unchanged))
        keys = {"full": self.digest, "narrowed": narrowed.digest()}
        for page in coding_store.iter_pending(store, self.digest, self.coder, size, earlier_digest):
            fresh = [u for u in page if not u.is_reusable]
            reuse = [u for u in page if u.is_reusable]
            if fresh:
                yield self._job(fresh, self.codebook, keys["full"], None)
            if reuse:
                self.n_kept += len(reuse)
                yield self._job(reuse, narrowed, keys["narrowed"], self.earlier)

    def _job(self, units, codebook, key, kept) -> _Job:
        texts = tuple((p.unit.id, p.unit.text, p.unit.document_type) for p in units)
        job = CodingJob(self.coder, codebook, key, self.digest, texts, self.cache_mb)
        return _Job(units, kept, job)

    def notes(self) -> list[str]:
        if not self.n_kept or self.earlier is None:
            return []
        earlier_digest, unchanged = self.earlier
        changed = [d.id for d in self.codebook.dimensions if d.id not in unchanged]
        return [
            f"Kept the codes of unchanged dimensions ({', '.join(unchanged)}) from codebook "
            f"{earlier_digest[:12]} for {self.n_kept} passages; re-coded "
            f"{', '.join(changed) if changed else 'no dimension'}."
        ]


def _coded(
    jobs: Iterator[_Job], executor: Executor | None, is_large: bool
) -> Iterator[tuple[_Job, list[tuple]]]:
    """Each job with its assignment rows, in order. Without an executor, a job of one
    partition is coded here (cheaper than starting a worker), a larger one by one local
    worker process per core."""
    first = next(jobs, None)
    if first is None:  # nothing to code: do not load the model (importing torch takes seconds)
        return
    jobs = itertools.chain([first], jobs)
    owned = executor is None
    runner = executor or (ProcessExecutor() if is_large else InProcessExecutor())
    handed_out: deque[_Job] = deque()

    def partitions() -> Iterator[CodingJob]:
        for job in jobs:
            handed_out.append(job)
            yield job.job

    try:
        for outcome in runner.map(code_partition, partitions(), ordered=True):
            yield handed_out.popleft(), _rows(outcome)
    finally:
        if owned:
            runner.close()


def _rows(outcome: Outcome) -> list[tuple]:
    if isinstance(outcome.error, AccordError):
        raise outcome.error
    if outcome.error is not None:
        raise ExecutionError(
            f"Coding a partition of {len(outcome.partition.units)} passages failed: "
            f"{type(outcome.error).__name__}: {outcome.error}",
            hint="Nothing of that partition was saved; a re-run codes what is left.",
        ) from outcome.error
    return outcome.result


MAX_EARLIER_CODEBOOKS = 10  # earlier codebooks compared with a new one, newest first


def _reusable_codebook(
    store: CorpusStore, codebook: Codebook, coder: str
) -> tuple[str, list[str]] | None:
    """Of the earlier codebooks this coder used that have the same non-substantive gate, the
    one sharing the most identical dimensions (the newest among equals): (its digest, those
    dimensions)."""
    new, current = codebook.dimension_digests(), codebook.digest()
    best: tuple[str, list[str]] | None = None
    earlier = coding_store.coded_codebooks(store, coder)[:MAX_EARLIER_CODEBOOKS]
    for digest, yaml_text in earlier:
        if digest == current:
            continue
        try:
            old = parse_codebook(yaml_text, check_patterns=False).dimension_digests()
        except AccordError:  # written by another Accord version: code from scratch
            continue
        if old[GATE_KEY] != new[GATE_KEY]:
            continue
        unchanged = [d.id for d in codebook.dimensions if old.get(d.id) == new[d.id]]
        if unchanged and (best is None or len(unchanged) > len(best[1])):
            best = digest, unchanged
    return best


def classify_texts(
    items: Sequence[tuple[str, str]],
    codebook: Codebook,
    coder: str | None = None,
    document_type: str | None = None,
) -> list[dict[str, Any]]:
    """Code ``(id, text)`` pairs without a store; one JSON-ready dict per item."""
    name, _ = choose_coder(coder, codebook)
    instance = make_coder(name, codebook, cache=None if name == "rules.v1" else shared_cache())
    units = [CodingUnit(str(item_id), text, document_type) for item_id, text in items]
    return [coding_as_dict(coding) for coding in instance.code(units)]


def coding_as_dict(coding: UnitCoding) -> dict[str, Any]:
    labels: dict[str, list[str]] = {}
    evidence: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for a in coding.assignments:
        labels.setdefault(a.dimension, []).append(a.category)
        evidence.setdefault(a.dimension, {})[a.category] = [
            {"start": e.char_start, "end": e.char_end, "trigger": e.trigger} for e in a.evidence
        ]
    return {"id": coding.unit_id, "labels": labels, "scores": coding.scores, "evidence": evidence}
