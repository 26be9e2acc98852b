"""Accord: where international organisations already agree on AI, domain by domain.

The public API mirrors the command line::

    import accord

    store = accord.open_store("accord.db")
    report = accord.ingest(store, "corpus/", manifest="corpus/manifest.csv")
    hits = accord.search(store, "health data", family="UN system")

Heavy dependencies load only when the function that needs them runs.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from accord._version import __version__
from accord.config import AccordSettings, load_settings
from accord.errors import AccordError
from accord.store.corpus_store import CorpusStore, open_store

if TYPE_CHECKING:
    from accord.ingestion.collect import CollectReport
    from accord.ingestion.pipeline import IngestReport
    from accord.store.search import SearchHit

__all__ = [
    "AccordError",
    "AccordSettings",
    "CorpusStore",
    "__version__",
    "collect",
    "info",
    "ingest",
    "load_settings",
    "open_store",
    "search",
]


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
) -> IngestReport:
    """Ingest files, folders and/or a manifest into the store (see ``accord ingest``)."""
    from accord.ingestion.institutions import load_registry
    from accord.ingestion.pipeline import ingest_corpus

    settings = settings or load_settings()
    return ingest_corpus(
        _store(store, create=True),
        sources,
        manifest=manifest,
        path_column=path_column,
        settings=settings.ingest,
        registry=load_registry(institutions),
        command=command,
        on_progress=on_progress,
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
