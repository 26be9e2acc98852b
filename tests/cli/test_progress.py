"""Progress with counts and time left: one line per step when stderr is not a terminal, nothing
with --quiet, and no output of the libraries while a model loads."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from accord.cli._console import LOG_EVERY_S, StageProgress, _StageLog

DEMO = Path(__file__).parents[2] / "src" / "accord" / "data" / "demo"
STRAY = ("Loading weights", "LOAD REPORT", "it/s", "Warning", "Traceback", "\r")


def accord(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess:
    """The real command in its own process, its output captured by pipes (not a terminal)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    env.pop("TQDM_DISABLE", None)  # the command must turn library bars off by itself
    return subprocess.run(
        [sys.executable, "-m", "accord", *args],
        cwd=cwd,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_stage_log_writes_a_line_per_tenth_and_every_few_seconds():
    log = _StageLog("Coding passages", "passages", started=100.0)
    lines = [log.line(done, 1000, 100.0 + done / 100) for done in range(0, 1001, 25)]
    written = [line for line in lines if line]
    assert written[0] == "Coding passages: 0/1,000 passages (0%), 0.0 s elapsed"
    assert "Coding passages: 500/1,000 passages (50%), 5.0 s elapsed, ETA 5.0 s" in written
    assert written[-1] == "Coding passages: 1,000/1,000 passages (100%) in 10.0 s"
    assert len(written) == 11  # 0%, 10%, ..., 100%
    slow = _StageLog("Analysing", "steps", started=0.0)
    assert slow.line(1, 1000, 1.0)  # the first line
    assert slow.line(2, 1000, 2.0) is None  # nothing new to say yet
    assert "ETA" in slow.line(3, 1000, 1.0 + LOG_EVERY_S)  # a few seconds on: a line anyway


def test_quiet_shows_nothing(capsys):
    with StageProgress(quiet=True, terminal=False) as progress:
        progress.update("ingest", 1, 2, "a.pdf")
    assert capsys.readouterr().err == ""


def test_run_logs_each_stage_with_counts_and_eta(tmp_path):
    settings = tmp_path / "fast.toml"
    settings.write_text("[analysis]\nbootstrap_resamples = 300\nweight_draws = 100\n", "utf-8")
    args = ["--store", "a.db", "run", str(DEMO), "--out", "out", "--settings", str(settings)]
    first = accord(*args, "--coder", "rules", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    lines = first.stderr.splitlines()
    assert re.search(r"^Reading documents: (\d+)/\1 files \(100%\) in ", first.stderr, re.M)
    assert any(
        re.fullmatch(r"Reading documents: \d+/\d+ files \(\d+%\), .* elapsed, ETA .*", x)
        for x in lines
    )
    assert re.search(r"^Coding passages: (\d[\d,]*)/\1 passages \(100%\) in ", first.stderr, re.M)
    analysing = [x for x in lines if x.startswith("Analysing: ")]
    assert re.fullmatch(r"Analysing: (\d+)/\1 steps \(100%\) in .* s", analysing[-1])
    assert any("ETA" in x for x in analysing)  # the bootstrap is counted in chunks
    assert not any(s in first.stderr for s in STRAY)
    assert "Reading documents" not in first.stdout and "Open the report" in first.stdout
    again = accord("--quiet", *args, "--coder", "rules", "--json", cwd=tmp_path)
    assert again.returncode == 0 and again.stderr == ""
    assert json.loads(again.stdout)["coded"]["n_coded"] == 0


def test_loading_the_embedding_model_prints_nothing(tmp_path):
    from accord.coding.embedding import is_available

    if not is_available():
        pytest.skip("needs the embed extra")
    line = json.dumps({"id": "a", "text": "Hospitals may use AI to read medical images."})
    result = accord("classify", "--coder", "embedding", "-", cwd=tmp_path, stdin=line + "\n")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "health" in json.loads(result.stdout)["labels"]["domain"]
