"""The short version of the reliability campaign (benchmarks/reliability.py --quick): kill -9
during ingest and coding, the issue's malformed inputs with tiny limits, a few seconds of
mutation fuzzing of the readers, two writers at once. The full campaign's results are in
docs/reliability.md."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def test_the_quick_reliability_campaign_finds_no_failure():
    sys.path.insert(0, str(BENCHMARKS))
    try:
        reliability = importlib.import_module("reliability")
    finally:
        sys.path.remove(str(BENCHMARKS))
    summary = reliability.campaign(reliability.parse_options(["--quick"]))
    sections = {s["name"]: s for s in summary["sections"]}
    assert set(sections) == {"kill", "malformed", "fuzz", "writers"}
    failures = [f for s in summary["sections"] for f in s["failures"]]
    assert failures == [] and summary["undocumented_reasons"] == []
    assert sections["kill"]["notes"]["killed_before_finishing"] >= 1  # a kill really landed
    assert sections["malformed"]["trials"] == len(reliability.MALFORMED_CHECKS) - 1
    assert sections["fuzz"]["trials"] >= 20 and sections["writers"]["trials"] == 1
