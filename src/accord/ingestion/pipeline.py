"""Ingest a corpus: plan the files, parse them in worker processes, store each document in its
own transaction, record every skipped file with its reason.

Parsing runs in separate processes so that a file which hangs or crashes a parser costs only
that file (per-file time limit), and so that two cores parse at once.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import re
import stat
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from accord.config import IngestSettings
from accord.errors import AccordError, ExecutionError, IngestError, ManifestError
from accord.ingestion.duplicates import near_duplicates
from accord.ingestion.institutions import InstitutionRegistry, load_registry
from accord.ingestion.language import warm_up
from accord.ingestion.limits import MIB, ReadLimits, sizes
from accord.ingestion.manifest import Manifest, ManifestRow, read_manifest
from accord.ingestion.parse import ParsedFile, document_id_for, file_sha256, parse_file
from accord.ingestion.readers import FORMATS, format_of
from accord.ingestion.readers.decoding import has_replacements
from accord.model.corpus import Document
from accord.model.provenance import Skipped
from accord.parallel import Executor, ProcessExecutor, TaskTimeout, WorkerCrashed
from accord.store.corpus_store import CorpusStore
from accord.store.runs import records_failure

logger = logging.getLogger(__name__)

MANIFEST_NAMES = ("manifest.csv", "manifest.yaml", "manifest.yml")
NOT_DOCUMENTS = re.compile(r"^(readme|license|licence|changelog|copying|notice)(\.|$)", re.I)

ProgressCallback = Callable[[str, int, int], None]


@dataclass
class IngestReport:
    """What one ingest run did."""

    run_id: str
    added: list[str] = field(default_factory=list)
    new_versions: list[str] = field(default_factory=list)
    unchanged: int = 0
    updated: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    flagged: dict[str, list[str]] = field(default_factory=dict)
    unknown_organisations: list[str] = field(default_factory=list)
    near_duplicates: list[tuple[str, str, float, float]] = field(default_factory=list)
    n_passages: int = 0
    n_words: int = 0
    elapsed_s: float = 0.0

    @property
    def n_ingested(self) -> int:
        return len(self.added) + self.unchanged + self.updated

    def __repr__(self) -> str:
        return (
            f"IngestReport({len(self.added)} added, {self.unchanged + self.updated} unchanged, "
            f"{len(self.skipped)} skipped)"
        )

    __str__ = __repr__

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data: what `accord ingest --json` prints."""
        return {
            **self.stats(),
            "run_id": self.run_id,
            "added_files": self.added,
            "new_version_files": self.new_versions,
            "skipped_files": [asdict(s) for s in self.skipped],
            "flagged": self.flagged,
            "unknown_organisations": self.unknown_organisations,
            "near_duplicates": [list(p) for p in self.near_duplicates],
        }

    def why_nothing(self) -> tuple[str, str]:
        """Why no document was ingested, and what to do: a sentence and a hint."""
        if self.skipped:
            return (
                f"{len(self.skipped)} file(s) skipped",
                "`accord info` (or the table above) gives each file's reason.",
            )
        return (
            f"no file with an extension Accord reads ({', '.join(sorted(FORMATS))})",
            "Hidden files and folders (names starting with '.') are passed over; a manifest "
            "can name files anywhere in the corpus folder.",
        )

    def stats(self) -> dict[str, object]:
        return {
            "added": len(self.added),
            "new_versions": len(self.new_versions),
            "unchanged": self.unchanged,
            "updated": self.updated,
            "skipped": len(self.skipped),
            "passages": self.n_passages,
            "words": self.n_words,
            "elapsed_s": round(self.elapsed_s, 3),
        }


@dataclass(frozen=True, slots=True)
class _Task:
    path: Path
    key: str
    row: ManifestRow | None


def find_manifest(sources: Sequence[Path]) -> Path | None:
    """A manifest file at the top of the (single) source directory, if there is one."""
    if len(sources) == 1 and sources[0].is_dir():
        for name in MANIFEST_NAMES:
            if (sources[0] / name).is_file():
                return sources[0] / name
    return None


@records_failure
def ingest_corpus(
    store: CorpusStore,
    sources: Sequence[str | Path] = (),
    *,
    manifest: str | Path | None = None,
    path_column: str = "path",
    settings: IngestSettings | None = None,
    registry: InstitutionRegistry | None = None,
    command: str | None = None,
    on_progress: ProgressCallback | None = None,
    executor: Executor | None = None,
) -> IngestReport:
    """Ingest files and manifest rows into the store.

    Args:
        sources: files or directories (searched recursively); may be empty with a manifest.
        manifest: CSV/YAML manifest; found automatically at the top of a single directory.
        path_column: the manifest column that names each row's file.
        executor: where files are parsed, one per partition (default: ``settings.workers``
            local processes); this process stores each document in its own transaction.

    Raises:
        ManifestError: the manifest cannot be read at all.
        IngestError: a source does not exist.
    """
    started = time.perf_counter()
    settings = settings or IngestSettings()
    registry = registry or load_registry()
    source_paths = [Path(s) for s in sources]
    for source in source_paths:
        if not source.exists():
            raise IngestError(f"No such file or directory: {source}", reason="missing-source")
    manifest_path = Path(manifest) if manifest else find_manifest(source_paths)
    parsed_manifest = read_manifest(manifest_path, path_column) if manifest_path else None
    if not source_paths and parsed_manifest is None:
        raise ManifestError("Nothing to ingest: give a corpus folder, files, or --manifest.")
    run_id = store.start_run("ingest", command)
    report = IngestReport(run_id)
    tasks, problems = _plan(source_paths, parsed_manifest, settings.allow_outside)
    for problem in problems:
        _skip(store, report, problem)
    _run_tasks(store, report, tasks, settings, registry, on_progress, executor)
    # Rebuilt on every run, not only when something was added: a run killed after storing
    # its last document would otherwise leave them missing for good (a fraction of a second).
    _refresh_near_duplicates(store, settings.near_duplicate_threshold)
    report.near_duplicates = [
        tuple(r) for r in store.db.execute("SELECT * FROM near_duplicates ORDER BY 1, 2")
    ]
    report.unknown_organisations = sorted(registry.unknown_names)
    report.elapsed_s = time.perf_counter() - started
    store.finish_run(run_id, report.stats())
    return report


def _plan(
    sources: Sequence[Path], manifest: Manifest | None, allow_outside: bool = False
) -> tuple[list[_Task], list[Skipped]]:
    tasks: list[_Task] = []
    problems: list[Skipped] = list(manifest.problems) if manifest else []
    covered: set[Path] = set()
    if manifest is not None:
        covered = manifest.mentioned_files() | {manifest.path.resolve()}
        folder = manifest.path.resolve().parent
        for row in manifest.rows:
            if row.file is None:
                problems.append(
                    Skipped(
                        row.url or f"row {row.row}",
                        "ingest",
                        "not-downloaded",
                        f"row {row.row} has only a URL; run `accord collect` to download it first.",
                        row.row,
                    )
                )
                continue
            problem = _placement(row.file, folder, allow_outside, f"row {row.row}")
            if problem:
                problems.append(replace(problem, row=row.row))
                continue
            tasks.append(_Task(row.file, row.id or str(row.file), row))
    for source, path in _discover(sources):
        if path.is_dir():
            problems.append(_skipped(path, "is-a-directory", "a folder named like a document."))
            continue
        folder = source.resolve() if source.is_dir() else None
        problem = _placement(path, folder, allow_outside, str(path))
        if problem:
            problems.append(problem)
            continue
        resolved = path.resolve()
        if resolved in covered:
            continue
        covered.add(resolved)
        if NOT_DOCUMENTS.match(path.name):
            problems.append(
                _skipped(
                    resolved, "not-a-document", "a README/licence file, not a corpus document."
                )
            )
            continue
        tasks.append(_Task(resolved, str(resolved), None))
    return tasks, problems


def _skipped(path: Path | str, reason: str, message: str, row: int | None = None) -> Skipped:
    return Skipped(str(path), "ingest", reason, message, row)


def _placement(path: Path, folder: Path | None, allow_outside: bool, name: str) -> Skipped | None:
    """Why a file may not be read from where it is: a symlink loop, or (unless allowed) a
    place outside the corpus folder. The same answer whether or not the file exists, so a
    skip reason never tells what is on the disk outside the corpus."""
    try:
        target = path.resolve(strict=False)
    except (RuntimeError, OSError):
        return _skipped(name, "symlink-loop", "a symbolic link that leads back to itself.")
    if _is_loop(path):
        return _skipped(name, "symlink-loop", "a symbolic link that leads back to itself.")
    if folder is None or allow_outside or target.is_relative_to(folder):
        return None
    return _skipped(
        name,
        "outside-corpus",
        "the path leads outside the corpus folder; pass --allow-outside to read it.",
    )


def _is_loop(path: Path) -> bool:
    try:
        path.stat()
    except OSError as exc:
        return exc.errno == errno.ELOOP
    return False


def _discover(sources: Sequence[Path]) -> Iterable[tuple[Path, Path]]:
    """(source, path) of every file below the sources, and of folders named like documents
    (listed so they can be reported, not silently passed over)."""
    for source in sources:
        if source.is_dir():
            for p in sorted(source.rglob("*")):
                if any(part.startswith(".") for part in p.relative_to(source).parts):
                    continue
                if not p.is_dir() or _looks_like_document(p):
                    yield source, p
        else:
            yield source, source


def _looks_like_document(path: Path) -> bool:
    return path.suffix.lower() in FORMATS


def _run_tasks(
    store: CorpusStore,
    report: IngestReport,
    tasks: list[_Task],
    settings: IngestSettings,
    registry: InstitutionRegistry,
    on_progress: ProgressCallback | None,
    executor: Executor | None = None,
) -> None:
    seen: dict[str, str] = {}  # sha256 -> key of the first task with those bytes, this run
    to_parse: list[tuple[_Task, str]] = []
    total = len(tasks)
    done = 0
    for task in tasks:
        try:
            fmt, sha = _precheck(task, settings)
        except IngestError as exc:
            _skip(
                store,
                report,
                Skipped(str(task.path), "ingest", exc.reason, exc.message, _row(task)),
            )
            done += 1
            _notify(on_progress, task, done, total)
            continue
        if sha is not None and sha in seen:
            _skip(
                store,
                report,
                Skipped(
                    str(task.path),
                    "ingest",
                    "duplicate-file",
                    f"identical to {seen[sha]}; stored once.",
                    _row(task),
                ),
            )
        elif sha is not None and (stored := store.document_by_sha(sha)) is not None:
            seen[sha] = task.key
            if task.row is None and "no-manifest-row" not in json.loads(stored["flags"]):
                # Inferred metadata never replaces what a manifest gave; the conflict is kept.
                _skip(store, report, _metadata_kept(task, stored))
                report.unchanged += 1
            elif store.refresh_document(_document(task, registry, sha, fmt, None, store)):
                report.updated += 1
            else:
                report.unchanged += 1
        else:
            if sha is not None:
                seen[sha] = task.key
            to_parse.append((task, fmt))
            continue
        done += 1
        _notify(on_progress, task, done, total)
    if to_parse:
        _parse_all(
            store, report, to_parse, settings, registry, seen, on_progress, done, total, executor
        )


def _precheck(task: _Task, settings: IngestSettings) -> tuple[str, str | None]:
    """Checks that need no parser: the file exists, has a known format and a sane size."""
    try:
        info = task.path.stat()
    except FileNotFoundError:
        where = f"manifest row {task.row.row}" if task.row else "the file"
        raise IngestError(
            f"{where} names a file that does not exist.", reason="missing-file"
        ) from None
    except OSError as exc:
        raise IngestError(f"cannot access the file ({exc.strerror}).", reason="unreadable") from exc
    fmt = format_of(task.path.name)
    if not stat.S_ISREG(info.st_mode):
        return fmt, None  # pipes and devices are left to the worker and its time limit
    if info.st_size == 0:
        raise IngestError("the file is empty.", reason="empty-file")
    limit = settings.max_file_mb * MIB
    if info.st_size > limit:
        size, most = sizes(info.st_size, limit)
        raise IngestError(
            f"the file is {size}, over the limit of {most} (setting ingest.max_file_mb).",
            reason="oversized",
        )
    return fmt, file_sha256(task.path)


def _parse_all(
    store, report, to_parse, settings, registry, seen, on_progress, done, total, executor
) -> None:
    owned = executor is None
    if owned:
        executor = ProcessExecutor(min(settings.workers, len(to_parse)))
    if isinstance(executor, ProcessExecutor):
        warm_up()  # load the language model before the workers fork, so they share it
    jobs = _parse_jobs(to_parse, settings, executor.shares_files)
    try:
        outcomes = executor.map(_parse_job, jobs, timeout=settings.file_timeout_s, ordered=True)
        for (task, _fmt), outcome in zip(to_parse, outcomes, strict=True):
            if outcome.error is None:
                _store_parsed(store, report, task, outcome.result, registry, seen)
            else:
                _skip(store, report, _parse_failure(task, outcome.error, settings))
            done += 1
            _notify(on_progress, task, done, total)
    finally:
        if owned:
            executor.close()


def _parse_jobs(
    to_parse: list[tuple[_Task, str]], settings: IngestSettings, shares_files: bool
) -> Iterator[tuple[str | bytes, str, int, int, ReadLimits]]:
    """One job per file, made when the executor asks for it (so at most its window of
    files' bytes is held at once): the file's path, or its bytes for workers that cannot see
    this machine's files."""
    limits = ReadLimits.of(settings)
    for task, fmt in to_parse:
        source: str | bytes = str(task.path)
        if not shares_files and task.path.is_file():
            with contextlib.suppress(OSError):  # unread: the worker reports why it cannot
                source = task.path.read_bytes()
        yield source, fmt, settings.passage_max_words, settings.passage_min_words, limits


def _parse_job(job: tuple[str | bytes, str, int, int, ReadLimits]) -> ParsedFile:
    """What a worker runs for one file."""
    return parse_file(*job)


def _parse_failure(task: _Task, error: BaseException, settings: IngestSettings) -> Skipped:
    """Why a file that a worker could not parse is skipped."""
    source, row = str(task.path), _row(task)
    if isinstance(error, TaskTimeout):
        return Skipped(
            source,
            "ingest",
            "timeout",
            f"parsing took longer than {settings.file_timeout_s:g} s and was stopped "
            "(setting ingest.file_timeout_s).",
            row,
        )
    if isinstance(error, WorkerCrashed):
        return Skipped(
            source,
            "ingest",
            "parser-crashed",
            f"the parser crashed on this file ({error}).",
            row,
        )
    if isinstance(error, ExecutionError):
        raise error  # the executor cannot run parsers at all: no file would fare better
    if isinstance(error, AccordError):
        return Skipped(source, "ingest", error.reason, error.message, row)
    # A bug must cost one file, not the run; the log has details.
    logger.error("Internal error on %s", task.path, exc_info=error)
    return Skipped(
        source,
        "ingest",
        "internal-error",
        f"Accord failed on this file (a bug; please report it): {type(error).__name__}: {error}",
        row,
    )


def _store_parsed(store, report, task, parsed: ParsedFile, registry, seen) -> None:
    if parsed.sha256 in seen and seen[parsed.sha256] != task.key:
        _skip(
            store,
            report,
            Skipped(
                str(task.path),
                "ingest",
                "duplicate-file",
                f"identical to {seen[parsed.sha256]}; stored once.",
                _row(task),
            ),
        )
        return
    seen[parsed.sha256] = task.key
    if store.document_by_sha(parsed.sha256) is not None:  # e.g. a pipe whose bytes we know
        report.unchanged += 1
        return
    document = _document(task, registry, parsed.sha256, parsed.format, parsed.file_title, store)
    if has_replacements(parsed.encoding):
        document = replace(document, flags=(*document.flags, "invalid-bytes-replaced"))
    version = store.add_document(
        document,
        parsed.pages,
        parsed.passages,
        languages=parsed.language.shares,
        is_mixed_language=parsed.language.is_mixed,
        detected_language=parsed.language.language,
        shingles=parsed.shingles,
        cleaning=asdict(parsed.cleaning),
        run_id=report.run_id,
        encoding=parsed.encoding,
    )
    report.added.append(str(task.path))
    if version > 1:
        report.new_versions.append(str(task.path))
    flags = list(document.flags) + (["mixed-language"] if parsed.language.is_mixed else [])
    if flags:
        report.flagged[str(task.path)] = flags
    report.n_passages += len(parsed.passages)
    report.n_words += sum(p.n_words for p in parsed.passages)


def _metadata_kept(task: _Task, stored) -> Skipped:
    return _skipped(
        task.path,
        "metadata-kept",
        f"identical to {stored['source']}, which a manifest describes ({stored['organisation']}, "
        f"{stored['year'] or 'no year'}); its metadata is kept, not replaced by inferred metadata.",
    )


def _document(task, registry, sha, fmt, file_title, store) -> Document:
    row = task.row
    organisation = row.organisation if row else "unknown"
    institution = registry.resolve(organisation)
    store.upsert_institution(institution)
    flags = list(row.flags) if row else ["no-manifest-row"]
    if not institution.is_known:
        flags.append("unknown-organisation")
    title = (row.title if row else None) or _infer_title(file_title, task.path)
    return Document(
        id=document_id_for(sha),
        key=task.key,
        institution_id=institution.id,
        organisation=organisation,
        title=title,
        year=row.year if row else None,
        document_type=row.document_type if row else None,
        language=row.language if row else None,
        source=str(task.path),
        format=fmt,
        sha256=sha,
        url=(row.url or row.meta.get("original_url")) if row else None,
        flags=tuple(sorted(set(flags))),
        meta=row.meta if row else {},
    )


def _infer_title(file_title: str | None, path: Path) -> str:
    """A file's own title when it looks like one, else its name made readable."""
    if (
        file_title
        and len(file_title.split()) >= 2
        and not re.search(r"[0-9a-f]{12,}|\.\w{2,4}$", file_title)
    ):
        return file_title.strip()
    return re.sub(r"[_\-]+", " ", path.stem).strip().capitalize() or path.name


def _refresh_near_duplicates(store: CorpusStore, threshold: float) -> None:
    samples = [
        (doc_id, np.frombuffer(blob, dtype=np.uint32)) for doc_id, blob in store.document_shingles()
    ]
    store.replace_near_duplicates(near_duplicates(samples, threshold))


def _skip(store: CorpusStore, report: IngestReport, skipped: Skipped) -> None:
    store.record_skipped(skipped, report.run_id)
    report.skipped.append(skipped)


def _row(task: _Task) -> int | None:
    return task.row.row if task.row else None


def _notify(callback: ProgressCallback | None, task: _Task, done: int, total: int) -> None:
    if callback is not None:
        callback(task.path.name, done, total)
