"""`accord run` on the shared corpus, cold and warm, wall time per stage (target: warm < 15 s)."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import require_corpus, save


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


def main() -> None:
    corpus = require_corpus()
    with tempfile.TemporaryDirectory() as tmp:
        store, out = Path(tmp) / "run.db", Path(tmp) / "out"
        cold = run_once(corpus, store, out)
        warm = run_once(corpus, store, out)
    save("run", {"cold": cold, "warm": warm, "target_warm_s": 15})


if __name__ == "__main__":
    main()
