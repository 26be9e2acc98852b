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


def require_corpus() -> Path:
    if not (CORPUS / "manifest.csv").is_file():
        sys.exit(f"Benchmark needs the shared corpus at {CORPUS} (set ACCORD_SHARED).")
    return CORPUS


@contextmanager
def timer(label: str, into: dict):
    start = time.perf_counter()
    yield
    into[label] = round(time.perf_counter() - start, 3)


def save(name: str, result: dict) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2, sort_keys=True) + "\n")
    print(json.dumps(result, indent=2, sort_keys=True))
