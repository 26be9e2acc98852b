"""`make bench`: every benchmark, one after the other; results in benchmarks/results/."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# findings.py first: it leaves the warm store that coding.py and run.py time re-runs on.
# trained_models.py (about 30 minutes) compares the coder options; validation.py scores the
# shipped one. serve.py loads the explorer on the same warm store. scale.py, last, runs the
# whole job cold at 1, 3 and 10 M words in four configurations (well over an hour on 2 cores).
BENCHMARKS = [
    "ingest.py",
    "findings.py",
    "coding.py",
    "analysis.py",
    "validation.py",
    "trained_models.py",
    "run.py",
    "report_size.py",
    "serve.py",
    "scale.py",
]

if __name__ == "__main__":
    failed = [
        name
        for name in BENCHMARKS
        if subprocess.run([sys.executable, str(HERE / name)], cwd=HERE).returncode
    ]
    sys.exit(f"failed: {', '.join(failed)}" if failed else 0)
