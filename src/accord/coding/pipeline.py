"""Code the store incrementally, or code any texts without a store."""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from accord.coding.codebooks import dump_codebook, parse_codebook
from accord.coding.embedding import StoreCache, is_available
from accord.coding.registry import NEEDS_EMBEDDING, default_coder_name, make_coder, resolve_name
from accord.coding.worker import CodingJob, code_partition, paused_gc
from accord.config import CodingSettings
from accord.errors import AccordError, ExecutionError
from accord.model.codebook import GATE_KEY, Codebook
from accord.model.coding import CodingUnit, UnitCoding
from accord.parallel import Executor, InProcessExecutor, Outcome, ProcessExecutor
from accord.store import coding_store
from accord.store.corpus_store import CorpusStore

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

    def __str__(self) -> str:
        return (
            f"CodingReport({self.coder}: {self.n_coded} of {self.n_passages} passages coded, "
            f"codebook {self.codebook_digest[:12]})"
        )

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


def code_store(
    store: CorpusStore,
    codebook: Codebook,
    coder: str | None = None,
    *,
    settings: CodingSettings | None = None,
    command: str | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    executor: Executor | None = None,
) -> CodingReport:
    """Code every current passage not yet coded with this codebook and coder.

    A new codebook (any change changes its digest) codes every passage again, but only in
    the dimensions that changed when an earlier codebook had the same gate; unchanged passages
    are skipped, and embeddings are reused from the cache. Partitions of ``batch_size``
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
    pending = coding_store.pending_units(store, digest, name)
    total = len(pending)
    logger.info("Coding - %d passages to code with %s", total, name)
    parts, reuse_notes = _plan(store, codebook, name, pending)
    notes = [*notes, *reuse_notes]
    size = (settings or CodingSettings()).batch_size
    jobs = [job for part in parts for job in _jobs(part, name, digest, size)]
    done = 0
    with paused_gc():  # saving allocates as much as coding does
        for job, rows in _coded(jobs, store, executor):
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


def _jobs(part: _Part, name: str, digest: str, size: int) -> Iterator[_Job]:
    key = part.codebook.digest()
    for start in range(0, len(part.units), size):
        batch = part.units[start : start + size]
        units = tuple((p.unit.id, p.unit.text, p.unit.document_type) for p in batch)
        yield _Job(batch, part.kept, CodingJob(name, part.codebook, key, digest, units))


def _coded(
    jobs: list[_Job], store: CorpusStore, executor: Executor | None
) -> Iterator[tuple[_Job, list[tuple]]]:
    """Each job with its assignment rows, in order."""
    if not jobs:  # nothing to code: do not load the model (importing torch takes seconds)
        return
    first = jobs[0].job
    if not first.codebook.dimensions:  # every dimension kept from an earlier codebook
        for job in jobs:
            yield job, []
        return
    if first.coder in NEEDS_EMBEDDING:  # vectors are cached in the store: code them here
        instance = _make(first.coder, first.codebook, store)
        for job in jobs:
            codings = instance.code([CodingUnit(*u) for u in job.job.units])
            yield job, coding_store.assignment_rows(codings, first.store_digest, first.coder)
        return
    # One partition costs less here than starting a worker for it.
    owned = executor is None and len(jobs) > 1
    runner = executor or (ProcessExecutor() if owned else InProcessExecutor())
    try:
        work = runner.map(code_partition, (j.job for j in jobs), ordered=True)
        for job, outcome in zip(jobs, work, strict=True):
            yield job, _rows(outcome)
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


@dataclass(frozen=True)
class _Part:
    """Pending passages coded alike: with the whole codebook, or with only the dimensions that
    changed since an earlier codebook whose codes for the others are ``kept``."""

    units: list[coding_store.PendingUnit]
    codebook: Codebook
    kept: tuple[str, list[str]] | None = None


def _plan(
    store: CorpusStore, codebook: Codebook, coder: str, pending: list[coding_store.PendingUnit]
) -> tuple[list[_Part], list[str]]:
    """Split the pending passages: those coded before with a codebook that differs from this one
    only in some dimensions (same gate, same text) need only those dimensions re-coded; a
    dimension's codes depend on nothing else, so the result equals coding from scratch."""
    base = _reusable_codebook(store, codebook, coder) if pending else None
    if base is None:
        return [_Part(pending, codebook)], []
    old_digest, unchanged = base
    coded = coding_store.coded_text_hashes(store, old_digest, coder)
    reuse, fresh = [], []
    for unit in pending:
        (reuse if coded.get(unit.unit.id) == unit.text_hash else fresh).append(unit)
    if not reuse:
        return [_Part(pending, codebook)], []
    changed = [d.id for d in codebook.dimensions if d.id not in unchanged]
    note = (
        f"Kept the codes of unchanged dimensions ({', '.join(unchanged)}) from codebook "
        f"{old_digest[:12]} for {len(reuse)} passages; re-coded "
        f"{', '.join(changed) if changed else 'no dimension'}."
    )
    parts = [_Part(fresh, codebook)] if fresh else []
    parts.append(_Part(reuse, codebook.only(set(changed)), (old_digest, unchanged)))
    return parts, [note]


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


def _make(name: str, codebook: Codebook, store: CorpusStore):
    if name in NEEDS_EMBEDDING:
        from accord.coding.embedding import Encoder

        return make_coder(name, codebook, cache=StoreCache(store, Encoder().model_id))
    return make_coder(name, codebook)


def classify_texts(
    items: Sequence[tuple[str, str]],
    codebook: Codebook,
    coder: str | None = None,
    document_type: str | None = None,
) -> list[dict[str, Any]]:
    """Code ``(id, text)`` pairs without a store; one JSON-ready dict per item."""
    name, _ = choose_coder(coder, codebook)
    instance = make_coder(name, codebook)
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
