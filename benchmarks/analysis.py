"""Analysis speed: the coded shared corpus, 1,000 bootstrap resamples (target < 10 s)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from _common import require_corpus, save, timer

import accord


def main() -> None:
    corpus = require_corpus()
    times: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        store = accord.open_store(Path(tmp) / "bench.db")
        accord.ingest(store, corpus / "texts", manifest=corpus / "manifest.csv")
        accord.code(store, coder="rules")
        settings = accord.load_settings()
        from accord.analysis.pipeline import analyse_store

        with timer("analyse_s", times):
            result = analyse_store(store, settings, reuse=False)
        with timer("analyse_with_exports_s", times):
            analyse_store(store, settings, Path(tmp) / "out", reuse=False)
    save(
        "analysis",
        {
            "bootstrap_resamples": settings.analysis.bootstrap_resamples,
            "weight_draws": settings.analysis.weight_draws,
            **times,
            "ranked_domains": int(result["domains"]["ranked"].sum()),
            "target_s": 10,
        },
    )


if __name__ == "__main__":
    main()
