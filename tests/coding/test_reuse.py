"""After a codebook edit, only the dimensions that changed are coded again, and the stored
codes equal those of coding from scratch with the edited codebook."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import pytest

import accord
from accord.coding.codebooks import load_codebook
from accord.coding.embedding import is_available
from accord.model.codebook import Codebook

DEMO = Path(str(files("accord") / "data" / "demo"))
FIXTURE_CODEBOOK = Path(__file__).parents[1] / "fixtures" / "codebook.yaml"


def with_pattern(codebook: Codebook, dimension_id: str, category_id: str, pattern: str):
    """The codebook with one more pattern on one category: one dimension changes."""
    data = codebook.model_dump()
    (dimension,) = [d for d in data["dimensions"] if d["id"] == dimension_id]
    (category,) = [c for c in dimension["categories"] if c["id"] == category_id]
    category["patterns"] = [*category["patterns"], pattern]
    return Codebook.model_validate({**data, "version": data["version"] + "-edited"})


def stored(store, codebook: Codebook, coder: str) -> list[tuple]:
    return store.db.execute(
        "SELECT passage_id, dimension, category, score, method, evidence FROM assignments"
        " WHERE codebook_digest=? AND coder=? ORDER BY 1, 2, 3",
        (codebook.digest(), coder),
    ).fetchall()


def edit_then_compare(tmp_path, corpus, codebook, edited, coder):
    with accord.open_store(tmp_path / "edited.db") as store:
        accord.ingest(store, corpus)
        accord.code(store, codebook, coder=coder)
        report = accord.code(store, edited, coder=coder)
        assert report.n_coded == report.n_passages
        reused = stored(store, edited, coder)
        notes = " ".join(report.notes)
    with accord.open_store(tmp_path / "scratch.db") as store:
        accord.ingest(store, corpus)
        accord.code(store, edited, coder=coder)
        assert reused == stored(store, edited, coder)
    return notes


def test_rules_edit_of_one_dimension(tmp_path):
    codebook = load_codebook()
    edited = with_pattern(codebook, "domain", "agriculture_food", "seed bank*")
    notes = edit_then_compare(tmp_path, DEMO, codebook, edited, "rules")
    assert "re-coded domain." in notes
    assert "approach, principle, security, cooperation, force" in notes


def test_version_change_alone_codes_nothing_again(tmp_path):
    codebook = load_codebook()
    edited = codebook.model_copy(update={"version": "9.9"})
    notes = edit_then_compare(tmp_path, DEMO, codebook, edited, "rules")
    assert "re-coded no dimension." in notes


def test_gate_change_codes_everything_again(store, tiny_corpus):
    codebook = load_codebook()
    gate = codebook.non_substantive.model_copy(update={"min_matches": 5})
    edited = codebook.model_copy(update={"non_substantive": gate})
    accord.ingest(store, tiny_corpus)
    accord.code(store, codebook, coder="rules")
    assert not accord.code(store, edited, coder="rules").notes


@pytest.mark.skipif(not is_available(), reason="the 'embed' extra is not installed")
def test_ensemble_edit_of_one_dimension(tmp_path, tiny_corpus):
    codebook = load_codebook(FIXTURE_CODEBOOK)
    edited = with_pattern(codebook, "security", "security_sensitive", "surveillance")
    notes = edit_then_compare(tmp_path, tiny_corpus, codebook, edited, "ensemble")
    assert "re-coded security." in notes
