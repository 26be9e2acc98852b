"""What the explorer keeps between requests: where the store is, and the analysis it holds.

Each request opens its own connection (SQLite connections are not shared across threads);
the analysis, its report context and its figures are built once and rebuilt only when the
store's analysis or coding changes. Reviews are read from the store by the pages that show
them.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from accord.analysis.pipeline import stored_result
from accord.analysis.results import AnalysisResult
from accord.coding.codebooks import parse_codebook
from accord.model.codebook import Codebook
from accord.report import Chart, Names, build_context, chart_specs
from accord.report.render import figure_json
from accord.store.browse import (
    Coding,
    LabelIndex,
    analysis_version,
    current_coding,
    data_version,
    label_index,
)
from accord.store.coding_store import codebook_yaml
from accord.store.corpus_store import CorpusStore, open_store


@dataclass
class Snapshot:
    """The analysis as the pages show it, for one version of the store."""

    version: tuple
    coding: Coding | None
    codebook: Codebook | None
    result: AnalysisResult | None
    names: Names | None = None
    context: dict[str, Any] | None = None
    charts: dict[str, Chart] = field(default_factory=dict)
    figures: dict[str, str] = field(default_factory=dict)  # chart id -> script-safe JSON
    labels: LabelIndex = field(default_factory=dict)  # passage rowid -> labels, for facets
    pages: dict[tuple, Any] = field(default_factory=dict)  # see memo

    def memo(self, key: tuple, build: Callable[[], Any]) -> Any:
        """The data of a page that depends on the analysis alone, built once per snapshot.
        (Two threads may build it at once; both get equal data, so no lock is needed.)"""
        if key not in self.pages:
            self.pages[key] = build()
        return self.pages[key]

    def figure(self, chart_id: str) -> str | None:
        if chart_id not in self.figures and chart_id in self.charts:
            self.figures[chart_id] = figure_json(self.charts[chart_id])
        return self.figures.get(chart_id)


class ExplorerState:
    def __init__(self, store_path: str | Path, *, review: bool = False):
        self.store_path = str(store_path)
        self.review = review
        # Review forms carry this token: another web page cannot post reviews on your behalf.
        self.form_token = secrets.token_urlsafe(24)
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        # Fail now, with a clear message, if the store is missing or of an older schema (only a
        # store opened for writing is upgraded).
        with self.store(write=review) as store:
            self.snapshot(store)

    @contextmanager
    def store(self, *, write: bool = False) -> Iterator[CorpusStore]:
        opened = open_store(self.store_path, create=False, read_only=not (write and self.review))
        try:
            yield opened
        finally:
            opened.close()

    def version(self) -> tuple:
        """The store's data version (what the response cache keys answers on)."""
        with self.store() as store:
            return data_version(store)

    def snapshot(self, store: CorpusStore) -> Snapshot:
        # Not data_version: a saved review must not rebuild the analysis (seconds on a large
        # store, after every review); pages read reviews from the store directly.
        version = analysis_version(store)
        with self._lock:
            if self._snapshot is None or self._snapshot.version != version:
                self._snapshot = _build(store, version)
            return self._snapshot


def _build(store: CorpusStore, version: tuple) -> Snapshot:
    coding = current_coding(store)
    codebook = None
    if coding is not None:
        text = codebook_yaml(store, coding.codebook_digest)
        codebook = parse_codebook(text, "stored codebook", check_patterns=False) if text else None
    result = stored_result(store)
    snapshot = Snapshot(version, coding, codebook, result, labels=label_index(store, coding))
    if result is not None:
        snapshot.names = Names(result)
        charts = chart_specs(result, snapshot.names)
        snapshot.charts = {chart.id: chart for chart in charts}
        snapshot.context = build_context(result, charts=charts)
    return snapshot
