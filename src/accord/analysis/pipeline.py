"""accord analyse: coded store in, stamped tables out (store, Parquet, CSV, JSON)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path

from accord._version import __version__
from accord.analysis.frames import load_coded_corpus
from accord.analysis.results import (
    AnalysisResult,
    analyse_coded,
    category_labels,
    model_digest_of,
)
from accord.coding.codebooks import parse_codebook
from accord.config import AccordSettings, AnalysisSettings
from accord.model.provenance import RunStamp
from accord.store.coding_store import codebook_yaml
from accord.store.corpus_store import CorpusStore
from accord.store.exports import FORMATS, load_tables, save_tables, write_tables
from accord.store.runs import records_failure
from accord.store.summary import describe_corpus
from accord.store.validation_store import latest_validation

logger = logging.getLogger(__name__)


@records_failure
def analyse_store(
    store: CorpusStore,
    settings: AccordSettings,
    out_dir: Path | None = None,
    formats: tuple[str, ...] = FORMATS,
    command: str | None = None,
    reuse: bool = True,
    on_progress: Callable[[int, int | None], None] | None = None,
) -> AnalysisResult:
    """Analyse the latest coding of the store; save the tables there and, if asked, as files.

    With ``reuse``, tables already stored for the same corpus, codebook, coder and settings are
    returned as they are: the analysis is deterministic, so recomputing would give the same.
    ``on_progress(done, total)`` counts steps: reading the coded corpus, the measures with
    their bootstrap, each table, saving, writing (the total is known once the reading is done).
    """
    started = time.perf_counter()
    progress = on_progress or (lambda done, total: None)
    progress(0, None)
    run_id = store.start_run("analyse", command)
    corpus = load_coded_corpus(store, use_reviews=settings.analysis.use_reviews, lean=True)
    expected = RunStamp(
        __version__,
        corpus.corpus_digest,
        corpus.codebook_digest,
        settings.digest(),
        settings.analysis.seed,
        (corpus.coder,),
        model_digest_of(corpus),
        corpus.reviews_digest,
    )
    previous = stored_result(store) if reuse else None
    reused = previous is not None and previous.stamp == expected
    progress(1, None)  # the coded corpus is read
    after = (not reused) + (out_dir is not None)  # steps after the analysis: save, write
    own = [0]  # the analysis's own steps, as it counts them

    def analysis_step(done: int, steps: int) -> None:
        own[0] = steps
        progress(1 + done, 1 + steps + after)

    result = (
        previous
        if reused
        else with_inputs(
            analyse_coded(corpus, settings.analysis, settings.digest(), analysis_step), store
        )
    )
    total = 1 + own[0] + after
    progress(1 + own[0], total)
    stamp = asdict(result.stamp)
    if not reused:
        save_tables(store, result.tables, stamp, settings.analysis.model_dump(mode="json"))
        progress(2 + own[0], total)
    if out_dir is not None:
        write_tables(result.tables, Path(out_dir), formats, stamp)
        progress(total, total)
    elapsed = round(time.perf_counter() - started, 3)
    store.finish_run(
        run_id, {"elapsed_s": elapsed, "reused": reused, "tables": sorted(result.tables), **stamp}
    )
    logger.info("Analysis - Completed in %.1f s", time.perf_counter() - started)
    return result


def stored_result(store: CorpusStore) -> AnalysisResult | None:
    """The latest analysis saved in the store, without recomputing it, with its codebook and
    the store's corpus summary and latest validation of that codebook."""
    loaded = load_tables(store)
    if loaded is None:
        return None
    tables, stamp, settings = loaded
    stamp["coders"] = tuple(stamp.get("coders", ()))
    yaml_text = codebook_yaml(store, stamp["codebook_digest"])
    codebook = (
        parse_codebook(yaml_text, "stored codebook", check_patterns=False) if yaml_text else None
    )
    result = AnalysisResult(
        tables,
        RunStamp(**stamp),
        AnalysisSettings.model_validate(settings),
        category_labels(codebook) if codebook else {},
        codebook=codebook,
    )
    return with_inputs(result, store)


def with_inputs(result: AnalysisResult, store: CorpusStore) -> AnalysisResult:
    """The result with the store's corpus summary and latest validation of its codebook, so
    that the report and the web app need nothing else from the store."""
    return replace(
        result,
        corpus=describe_corpus(store),
        validation=latest_validation(store, result.stamp.codebook_digest),
    )
