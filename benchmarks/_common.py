"""Shared helpers for the benchmark scripts (not part of the package)."""

from __future__ import annotations

import json
import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("ACCORD_SHARED", ROOT.parent / "shared"))
CORPUS = SHARED / "corpus"
RESULTS = ROOT / "benchmarks" / "results"
SHARED_STORE = RESULTS / "shared.db"  # the shared corpus run by `accord run`, kept between runs


def require_corpus() -> Path:
    if not (CORPUS / "manifest.csv").is_file():
        sys.exit(f"Benchmark needs the shared corpus at {CORPUS} (set ACCORD_SHARED).")
    return CORPUS


def run_shared_store():
    """`accord run` on the shared corpus texts into SHARED_STORE: builds the store the first
    time (about a minute with the default coder), afterwards only checks it is up to date."""
    import accord

    corpus = require_corpus()
    RESULTS.mkdir(parents=True, exist_ok=True)
    with accord.open_store(SHARED_STORE) as store:
        return accord.run(
            corpus / "texts",
            store=store,
            manifest=corpus / "manifest.csv",
            out=RESULTS / "shared-output",
        )


@contextmanager
def timer(label: str, into: dict):
    start = time.perf_counter()
    yield
    into[label] = round(time.perf_counter() - start, 3)


def save(name: str, result: dict) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2, sort_keys=True) + "\n")
    print(json.dumps(result, indent=2, sort_keys=True))
