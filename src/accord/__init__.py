"""Accord: where international organisations already agree on AI, domain by domain.

The public API mirrors the command line::

    import accord

    store = accord.open_store("accord.db")
    report = accord.ingest(store, "corpus/", manifest="corpus/manifest.csv")
    hits = accord.search(store, "health data", family="UN system")

Heavy dependencies load only when the function that needs them runs, and the result types
(``accord.IngestReport``, ``accord.AnalysisResult``, ...) only when they are first named. Every
result has a short repr and an ``as_dict()`` giving what the command's ``--json`` prints.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from accord._version import __version__
from accord.config import AccordSettings, load_settings
from accord.errors import AccordError
from accord.store.corpus_store import CorpusStore, open_store

if TYPE_CHECKING:  # what type checkers see of the names ``__getattr__`` imports on first use
    from accord.analysis.results import AnalysisResult as AnalysisResult
    from accord.coding.pipeline import CodingReport as CodingReport
    from accord.ingestion.collect import CollectReport as CollectReport
    from accord.ingestion.pipeline import IngestReport as IngestReport
    from accord.model.codebook import Codebook as Codebook
    from accord.model.provenance import RunStamp as RunStamp
    from accord.model.provenance import Skipped as Skipped
    from accord.parallel import Executor
    from accord.store.search import SearchHit as SearchHit
    from accord.store.vector_cache import CacheInfo
    from accord.validation.runner import ValidationReport as ValidationReport
    from accord.validation.training import TrainReport as TrainReport

# Result types, imported on first use: `import accord` stays fast (no numpy, pandas, torch).
_LAZY = {
    "AnalysisResult": "accord.analysis.results",
    "Codebook": "accord.model.codebook",
    "CodingReport": "accord.coding.pipeline",
    "CollectReport": "accord.ingestion.collect",
    "IngestReport": "accord.ingestion.pipeline",
    "RunStamp": "accord.model.provenance",
    "SearchHit": "accord.store.search",
    "Skipped": "accord.model.provenance",
    "TrainReport": "accord.validation.training",
    "ValidationReport": "accord.validation.runner",
}

__all__ = [
    "AccordError",
    "AccordSettings",
    "CorpusStore",
    "RunSummary",
    "__version__",
    "analyse",
    "cache_info",
    "classify",
    "clear_cache",
    "code",
    "collect",
    "info",
    "ingest",
    "load_codebook",
    "load_settings",
    "open_store",
    "run",
    "search",
    "train",
    "validate",
    "write_report",
    *_LAZY,
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value  # found directly from now on
        return value
    raise AttributeError(f"module 'accord' has no attribute '{name}'")


def __dir__() -> list[str]:
    """The public API only (what `dir(accord)` and tab completion show)."""
    return sorted(__all__)


def _store(store: CorpusStore | str | Path, *, create: bool = False) -> CorpusStore:
    return store if isinstance(store, CorpusStore) else open_store(store, create=create)


def ingest(
    store: CorpusStore | str | Path,
    *sources: str | Path,
    manifest: str | Path | None = None,
    path_column: str = "path",
    settings: AccordSettings | None = None,
    institutions: str | Path | None = None,
    on_progress: Callable[[str, int, int], None] | None = None,
    command: str | None = None,
    scheduler: str | Executor | None = None,
) -> IngestReport:
    """Ingest files, folders and/or a manifest into the store (see ``accord ingest``).

    ``scheduler`` says where files are parsed: ``"local:2"`` (a Dask LocalCluster of two
    workers), a Dask scheduler's address, ``"processes:N"``, ``"in-process"`` or an Executor;
    default ``ACCORD_SCHEDULER``, else ``settings.ingest.workers`` local processes.
    """
    from accord.ingestion.institutions import load_registry
    from accord.ingestion.pipeline import ingest_corpus
    from accord.parallel import executor_scope

    settings = settings or load_settings()
    with executor_scope(scheduler) as executor:
        return ingest_corpus(
            _store(store, create=True),
            sources,
            manifest=manifest,
            path_column=path_column,
            settings=settings.ingest,
            registry=load_registry(institutions),
            command=command,
            on_progress=on_progress,
            executor=executor,
        )


def search(
    store: CorpusStore | str | Path,
    query: str,
    *,
    organisation: str | None = None,
    family: str | None = None,
    years: str | None = None,
    document_type: str | None = None,
    limit: int = 10,
) -> list[SearchHit]:
    """BM25 search over current passages, with citations (see ``accord search``)."""
    from accord.store.search import SearchFilters, parse_years, search_passages

    filters = SearchFilters(organisation, family, parse_years(years), document_type)
    return search_passages(_store(store), query, filters, limit)


def info(store: CorpusStore | str | Path) -> dict[str, Any]:
    """Counts by institution, family, year, type and language; skipped files; near-duplicates."""
    from accord.store.summary import describe_corpus

    return describe_corpus(_store(store))


def collect(manifest: str | Path, into: str | Path, **options: Any) -> CollectReport:
    """Download the manifest rows that have a URL into a folder, ready for ingest."""
    from accord.ingestion.collect import collect_manifest

    return collect_manifest(Path(manifest), Path(into), **options)


def cache_info(settings: AccordSettings | str | Path | None = None) -> CacheInfo:
    """Where the per-user vector cache is, what it holds, and its cap (see ``accord cache``)."""
    from accord.store.vector_cache import VectorFile

    if not isinstance(settings, AccordSettings):
        settings = load_settings(Path(settings) if settings else None)
    return VectorFile(max_mb=settings.cache.max_mb).info()


def clear_cache() -> int:
    """Drop every vector of the per-user cache; returns how many were dropped."""
    from accord.store.vector_cache import VectorFile

    return VectorFile().clear()


def load_codebook(path: str | Path | None = None) -> Codebook:
    """Read and validate a codebook YAML file; the packaged default when ``path`` is None."""
    from accord.coding.codebooks import load_codebook as _load

    return _load(path)


def code(
    store: CorpusStore | str | Path,
    codebook: Codebook | str | Path | None = None,
    *,
    coder: str | None = None,
    settings: AccordSettings | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    command: str | None = None,
    scheduler: str | Executor | None = None,
) -> CodingReport:
    """Code passages not yet coded with this codebook and coder (see ``accord code``).

    ``scheduler``: where partitions of passages are coded, as for ``ingest``; default
    ``ACCORD_SCHEDULER``, else one local process per core (this process for one partition).
    """
    from accord.coding.pipeline import code_store
    from accord.parallel import executor_scope

    book = codebook if not isinstance(codebook, str | Path | None) else load_codebook(codebook)
    settings = settings or load_settings()
    with executor_scope(scheduler) as executor:
        return code_store(
            _store(store),
            book,
            coder,
            settings=settings.coding,
            command=command,
            on_progress=on_progress,
            executor=executor,
            cache_mb=settings.cache.max_mb,
        )


def classify(
    texts: list[str] | list[tuple[str, str]],
    *,
    codebook: Codebook | str | Path | None = None,
    coder: str | None = None,
    document_type: str | None = None,
) -> list[dict[str, Any]]:
    """Code texts without a store: labels, scores and evidence for each.

    Example:
        >>> import accord
        >>> accord.classify(["States shall keep human control over weapon systems."],
        ...                 coder="rules")[0]["labels"]["domain"]
        ['defence_military']
    """
    from accord.coding.pipeline import classify_texts

    book = codebook if not isinstance(codebook, str | Path | None) else load_codebook(codebook)
    items = [t if isinstance(t, tuple) else (str(i), t) for i, t in enumerate(texts)]
    return classify_texts(items, book, coder, document_type)


def validate(
    gold: str | Path,
    *,
    store: CorpusStore | str | Path | None = None,
    codebook: Codebook | str | Path | None = None,
    coder: str | None = None,
    corpus: str | Path | None = None,
) -> ValidationReport:
    """Compare a coder with human coding (see ``accord validate``)."""
    from accord.validation.runner import validate_gold

    book = codebook if not isinstance(codebook, str | Path | None) else load_codebook(codebook)
    return validate_gold(
        gold,
        book,
        coder=coder,
        store=_store(store) if store is not None else None,
        corpus=Path(corpus) if corpus else None,
    )


def train(
    gold: str | Path | list[str | Path],
    out: str | Path,
    *,
    codebook: Codebook | str | Path | None = None,
    store: CorpusStore | str | Path | None = None,
    corpus: str | Path | None = None,
    splits: str | Path | None = None,
    use: tuple[str, ...] = ("train",),
    min_positives: int = 8,
) -> TrainReport:
    """Train the trained coder's classifiers on human-coded passages (see ``accord train``);
    the model and a codebook naming it are written to ``out``."""
    from accord.coding.training import TrainSettings
    from accord.validation.training import train as train_model

    book = codebook if not isinstance(codebook, str | Path | None) else load_codebook(codebook)
    return train_model(
        [gold] if isinstance(gold, str | Path) else gold,
        book,
        out,
        store=_store(store) if store is not None else None,
        corpus=Path(corpus) if corpus else None,
        splits_path=Path(splits) if splits else None,
        use=use,
        settings=TrainSettings(min_positives=min_positives),
    )


def analyse(
    store: CorpusStore | str | Path,
    *,
    settings: AccordSettings | str | Path | None = None,
    out: str | Path | None = None,
    formats: tuple[str, ...] = ("parquet", "csv", "json"),
    command: str | None = None,
    on_progress: Callable[[int, int | None], None] | None = None,
) -> AnalysisResult:
    """Coverage, alignment, complementarity, security, opportunity ranking with uncertainty,
    trends, evidence and discovery for the latest coding (see ``accord analyse``).

    Returns the tables as DataFrames (``result["domains"]``); they are also saved in the store
    and, with ``out``, written as Parquet, CSV and JSON. ``on_progress(done, total)`` counts
    the analysis's steps.
    """
    from accord.analysis.pipeline import analyse_store

    if not isinstance(settings, AccordSettings):
        settings = load_settings(Path(settings) if settings else None)
    return analyse_store(
        _store(store),
        settings,
        Path(out) if out else None,
        formats,
        command,
        on_progress=on_progress,
    )


def run(
    corpus: str | Path,
    *,
    store: CorpusStore | str | Path = "accord.db",
    manifest: str | Path | None = None,
    out: str | Path = "accord-output",
    settings: AccordSettings | str | Path | None = None,
    coder: str | None = None,
    codebook: str | Path | None = None,
    on_stage: Callable[[str, int, int | None], None] | None = None,
    command: str | None = None,
    scheduler: str | Executor | None = None,
) -> RunSummary:
    """Ingest, code, analyse and report in one call (see ``accord run``).

    Every stage reuses what the store already holds, so a second run on the same corpus only
    checks that nothing changed. ``on_stage(stage, done, total)`` reports progress.
    ``scheduler``: as for ``ingest``; one cluster serves both ingest and coding.
    """
    from accord.parallel import executor_scope
    from accord.report.render import write_report as render_report

    notify = on_stage or (lambda stage, done, total: None)
    if not isinstance(settings, AccordSettings):
        settings = load_settings(Path(settings) if settings else None)
    opened = _store(store, create=True)
    out_dir = Path(out)
    with executor_scope(scheduler) as executor:  # one cluster for both stages, closed after
        ingested = ingest(
            opened,
            corpus,
            manifest=manifest,
            settings=settings,
            on_progress=lambda name, done, total: notify("ingest", done, total),
            command=command,
            scheduler=executor,
        )
        if ingested.n_ingested == 0:
            why, hint = ingested.why_nothing()
            raise AccordError(f"Nothing could be ingested from {corpus}: {why}.", hint=hint)
        coded = code(
            opened,
            codebook,
            coder=coder,
            settings=settings,
            on_progress=lambda done, total: notify("code", done, total),
            command=command,
            scheduler=executor,
        )
    result = analyse(
        opened,
        settings=settings,
        out=out_dir / "tables",
        command=command,
        on_progress=lambda done, total: notify("analyse", done, total),
    )
    notify("report", 0, 1)
    report_path = render_report(result, opened, out_dir / "report.html", "html", command)
    notify("report", 1, 1)
    return RunSummary(ingested, coded, result, report_path, out_dir / "tables", opened.path)


@dataclass
class RunSummary:
    """What ``accord run`` did and where its outputs are."""

    ingested: IngestReport
    coded: CodingReport
    result: AnalysisResult
    report: Path
    tables: Path
    store: str

    def __repr__(self) -> str:
        return (
            f"RunSummary({self.ingested!r}, {self.coded.n_passages} passages, "
            f"report at {self.report})"
        )

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data: what `accord run --json` prints."""
        return {
            "ingested": self.ingested.as_dict(),
            "coded": self.coded.as_dict(),
            "analysis": self.result.as_dict(),
            "report": str(self.report),
            "tables": str(self.tables),
            "store": self.store,
        }


def write_report(
    result_or_store: AnalysisResult | CorpusStore | str | Path,
    out: str | Path,
    fmt: str = "html",
    *,
    store: CorpusStore | str | Path | None = None,
    command: str | None = None,
    explorer_url: str | None = None,
) -> Path:
    """Write the report of an analysis: "html" (one self-contained page), "md", "json" or "pdf".

    Given a store (or its path), the report uses the analysis stored there; given a result,
    pass ``store`` too for the corpus, codebook and validation sections (see ``accord report``).
    With ``explorer_url`` (where `accord serve` runs), evidence passages link to their pages
    in the explorer instead of to their source documents.

    Example:
        >>> accord.write_report("accord.db", "report.html")  # doctest: +SKIP
    """
    from accord.analysis.pipeline import stored_result
    from accord.analysis.results import AnalysisResult
    from accord.errors import ReportError
    from accord.report.render import write_report as _write

    if isinstance(result_or_store, AnalysisResult):
        result, source = result_or_store, _store(store) if store is not None else None
    else:
        source = _store(result_or_store)
        result = stored_result(source)
        if result is None:
            raise ReportError(
                "The store holds no analysis to report.", hint="Run `accord analyse` first."
            )
    return _write(result, source, Path(out), fmt, command, explorer_url=explorer_url)
