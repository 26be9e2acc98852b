"""Reviews close the loop: scored against coders, exported as gold, used by the analysis."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import accord
from accord.cli import app
from accord.config import load_settings
from accord.store import reviews
from accord.store.browse import current_coding
from accord.validation.gold import load_gold, resolve_texts
from accord.validation.reviews import coded_codebook, validate_reviews

SETTINGS = {
    "bootstrap_resamples": 20,
    "weight_draws": 20,
    "support": {"min_passages": 1, "min_domain_passages": 1},
}


@pytest.fixture
def reviewed(store, tiny_corpus):
    """The tiny corpus coded by rules; Ana confirms three passages' domains and Bo adds
    'health' to the same three (so the two reviewers disagree wherever health was absent)."""
    accord.ingest(store, tiny_corpus)
    accord.code(store, coder="rules")
    coding = current_coding(store)
    args = {"codebook_digest": coding.codebook_digest, "coder": coding.coder}
    ids = [r[0] for r in store.db.execute("SELECT id FROM passages ORDER BY id LIMIT 3")]
    for pid in ids:
        machine = [
            r[0]
            for r in store.db.execute(
                "SELECT category FROM assignments WHERE passage_id=? AND dimension='domain'"
                " AND codebook_digest=? AND coder=?",
                (pid, coding.codebook_digest, coding.coder),
            )
        ]
        reviews.record_review(store, pid, "domain", machine, reviewer="Ana", **args)
        reviews.record_review(store, pid, "domain", [*machine, "health"], reviewer="Bo", **args)
    return store, ids


def test_confirmed_machine_labels_score_perfectly(reviewed):
    store, ids = reviewed
    [report] = validate_reviews(store, coded_codebook(store))
    assert report.coder == "rules.v1" and report.n_items == len(ids)
    scores = report.dimensions["domain"]
    assert scores["accord"]["micro"]["f1"] == pytest.approx(1.0)  # Ana, the first reviewer
    assert scores["n_double_coded"] == len(ids)  # Bo's reviews give human-human agreement


def test_validate_reviews_command(reviewed):
    store, _ = reviewed
    result = CliRunner().invoke(app, ["--store", store.path, "validate", "--reviews", "--json"])
    assert result.exit_code == 0, result.output
    [report] = json.loads(result.output)
    assert report["gold"] == "reviews" and "domain" in report["dimensions"]
    plain = CliRunner().invoke(app, ["--store", store.path, "validate", "--reviews"])
    assert "upper bound" in " ".join(plain.output.split())
    nothing = CliRunner().invoke(app, ["--store", store.path, "validate"])
    assert nothing.exit_code == 2


def test_export_gold_round_trips_through_validate(reviewed, tmp_path):
    store, ids = reviewed
    result = CliRunner().invoke(
        app, ["--store", store.path, "export", "--format", "gold", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    lines = (tmp_path / "reviews.jsonl").read_text("utf-8").splitlines()
    assert len(lines) == 2 * len(ids)  # one record per passage and reviewer
    gold = resolve_texts(load_gold(tmp_path / "reviews.jsonl", coded_codebook(store)), store=store)
    assert gold.skipped == [] and {i.id for i in gold.items} == set(ids)
    assert all(set(i.coders) == {"Ana", "Bo"} for i in gold.items)
    via_file = accord.validate(tmp_path / "reviews.jsonl", store=store, coder="rules")
    [via_reviews] = validate_reviews(store, coded_codebook(store))
    assert via_file.dimensions["domain"]["accord"] == via_reviews.dimensions["domain"]["accord"]


def test_analysis_uses_reviews_only_when_asked_and_stamps_them(reviewed):
    store, ids = reviewed
    plain = accord.analyse(store, settings=load_settings(analysis=SETTINGS), formats=())
    used = accord.analyse(
        store, settings=load_settings(analysis={**SETTINGS, "use_reviews": True}), formats=()
    )
    assert plain.stamp.reviews_digest is None and used.stamp.reviews_digest is not None
    assert (
        "reviews_digest" in used.stamp.as_dict() and "reviews_digest" not in plain.stamp.as_dict()
    )
    health = {
        name: result["domains"].set_index("domain").loc["health", "passages"]
        for name, result in (("plain", plain), ("used", used))
    }
    machine_health = {
        r[0]
        for r in store.db.execute(
            "SELECT passage_id FROM assignments WHERE dimension='domain' AND category='health'"
        )
    }
    # The latest review of each reviewed passage is Bo's, which always includes health.
    assert health["plain"] == len(machine_health)
    assert health["used"] == len(machine_health | set(ids))
    machine = store.db.execute("SELECT count(*) FROM assignments").fetchone()[0]
    assert machine > 0  # reviews never replaced the machine's stored labels
