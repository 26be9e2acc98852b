"""accord analyse: coded store in, stamped tables out (store, Parquet, CSV, JSON)."""

from __future__ import annotations

import logging
import time
from dataclasses import asdict
from pathlib import Path

from accord._version import __version__
from accord.analysis.frames import load_coded_corpus
from accord.analysis.results import AnalysisResult, analyse_coded
from accord.config import AccordSettings
from accord.model.provenance import RunStamp
from accord.store.corpus_store import CorpusStore
from accord.store.exports import FORMATS, load_tables, save_tables, write_tables
from accord.store.runs import records_failure

logger = logging.getLogger(__name__)


@records_failure
def analyse_store(
    store: CorpusStore,
    settings: AccordSettings,
    out_dir: Path | None = None,
    formats: tuple[str, ...] = FORMATS,
    command: str | None = None,
    reuse: bool = True,
) -> AnalysisResult:
    """Analyse the latest coding of the store; save the tables there and, if asked, as files.

    With ``reuse``, tables already stored for the same corpus, codebook, coder and settings are
    returned as they are: the analysis is deterministic, so recomputing would give the same.
    """
    started = time.perf_counter()
    run_id = store.start_run("analyse", command)
    corpus = load_coded_corpus(store)
    expected = RunStamp(
        __version__,
        corpus.corpus_digest,
        corpus.codebook_digest,
        settings.digest(),
        settings.analysis.seed,
        (corpus.coder,),
    )
    previous = stored_result(store) if reuse else None
    reused = previous is not None and previous.stamp == expected
    result = previous if reused else analyse_coded(corpus, settings.analysis, settings.digest())
    stamp = asdict(result.stamp)
    if not reused:
        save_tables(store, result.tables, stamp, settings.analysis.model_dump(mode="json"))
    if out_dir is not None:
        write_tables(result.tables, Path(out_dir), formats, stamp)
    elapsed = round(time.perf_counter() - started, 3)
    store.finish_run(
        run_id, {"elapsed_s": elapsed, "reused": reused, "tables": sorted(result.tables), **stamp}
    )
    logger.info("Analysis - Completed in %.1f s", time.perf_counter() - started)
    return result


def stored_result(store: CorpusStore) -> AnalysisResult | None:
    """The latest analysis saved in the store, without recomputing it."""
    from accord.coding.codebooks import parse_codebook
    from accord.config import AnalysisSettings
    from accord.store.coding_store import codebook_yaml

    loaded = load_tables(store)
    if loaded is None:
        return None
    tables, stamp, settings = loaded
    stamp["coders"] = tuple(stamp.get("coders", ()))
    yaml_text = codebook_yaml(store, stamp["codebook_digest"])
    labels = {}
    if yaml_text:
        codebook = parse_codebook(yaml_text, "stored codebook", check_patterns=False)
        labels = {d.id: {c.id: c.label for c in d.categories} for d in codebook.dimensions}
    return AnalysisResult(
        tables, RunStamp(**stamp), AnalysisSettings.model_validate(settings), labels
    )
