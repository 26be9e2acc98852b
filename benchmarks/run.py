"""`accord run` on the shared corpus, cold and warm, wall time per stage (target: warm < 15 s).

A cold run embeds all 28,000 passages (about 12 minutes on two cores), so it is measured only
with --cold (results in run-cold.json); by default the warm run is measured on a copy of the
warm store benchmarks/results/shared.db that findings.py leaves, each in a fresh process.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import RESULTS, require_corpus, save


def run_once(corpus: Path, store: Path, out: Path) -> dict:
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "accord",
            "--quiet",
            "--store",
            str(store),
            "run",
            str(corpus / "texts"),
            "--manifest",
            str(corpus / "manifest.csv"),
            "--out",
            str(out),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    total = time.perf_counter() - started
    import sqlite3

    db = sqlite3.connect(store)
    stages = {}
    for stage, stats in db.execute("SELECT stage, stats FROM runs ORDER BY rowid DESC LIMIT 3"):
        stages[stage] = json.loads(stats).get("elapsed_s")
    db.close()
    return {"total_s": round(total, 2), "stages_s": stages}


WARM_RUNS = 3


def main() -> None:
    corpus = require_corpus()
    with tempfile.TemporaryDirectory() as tmp:
        store, out = Path(tmp) / "run.db", Path(tmp) / "out"
        if "--cold" in sys.argv:
            cold = run_once(corpus, store, out)
            save("run-cold", {"cold": cold})
        elif (RESULTS / "shared.db").exists():
            shutil.copy(RESULTS / "shared.db", store)
            run_once(corpus, store, out)  # bring the copy up to date first
        else:
            sys.exit("No warm store: run benchmarks/findings.py first, or pass --cold.")
        warm = [run_once(corpus, store, out) for _ in range(WARM_RUNS)]
    best = min(warm, key=lambda r: r["total_s"])
    save(
        "run",
        {"warm": best, "warm_runs_total_s": [r["total_s"] for r in warm], "target_warm_s": 15},
    )


if __name__ == "__main__":
    main()
