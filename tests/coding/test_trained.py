"""The trained coder: training, the model format, evidence, stamps and re-coding."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import accord
from accord.cli import app
from accord.coding.codebooks import load_codebook
from accord.coding.registry import make_coder
from accord.coding.testing import check_coder
from accord.coding.trained import (
    MODEL_FILE,
    WEIGHTS_FILE,
    ModelError,
    TrainedModel,
    model_folder,
)
from accord.coding.training import TrainSettings
from accord.errors import TrainingDataError
from accord.model.coding import CodingUnit
from accord.validation.training import train
from conftest import TRAIN_SETTINGS as SETTINGS
from fixtures.texts import PARAGRAPHS
from fixtures.training import training_records, write_training_gold

CODEBOOK = Path(__file__).parents[1] / "fixtures" / "codebook.yaml"


@pytest.fixture
def trained(trained_model):
    return trained_model


def test_training_writes_a_safe_model_and_a_codebook_naming_it(trained):
    report, codebook = trained
    folder = Path(report.model_dir)
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["codebook.yaml", MODEL_FILE, WEIGHTS_FILE]
    )
    document = json.loads((folder / MODEL_FILE).read_text())  # plain JSON, no pickle
    assert document["training"]["data_sha256"] == report.data_sha256
    assert document["training"]["n_items"] == len(training_records())
    assert codebook.model.sha256 == report.model_sha256
    assert set(report.cv) == {"domain", "security", "force"}
    assert 0.0 <= report.cv["domain"]["macro_f1"] <= 1.0


def test_trained_coder_keeps_the_contract(trained):
    _, codebook = trained
    check_coder(make_coder("trained", codebook))


def test_labels_learned_and_explained(trained):
    _, codebook = trained
    text = "Clinics may use software to read scans of patients before a physician decides."
    (coding,) = make_coder("trained", codebook).code([CodingUnit("p", text)])
    assert coding.labels().get("domain") == ["health"]
    evidence = next(a for a in coding.assignments if a.category == "health").evidence
    spans = [text[e.char_start : e.char_end] for e in evidence if e.char_end > e.char_start]
    assert spans, "n-gram evidence inside the passage"
    assert all(e.char_end <= len(text) for e in evidence)
    nearest = [e.trigger for e in evidence if e.trigger.startswith("nearest labelled passage")]
    assert nearest and nearest[0].split()[3].startswith("t"), nearest


def test_training_is_deterministic(trained, tmp_path):
    report, _ = trained
    gold = write_training_gold(tmp_path / "gold.jsonl")
    again = train([gold], load_codebook(CODEBOOK), tmp_path / "model", settings=SETTINGS)
    assert again.model_sha256 == report.model_sha256


def test_too_few_positives_is_refused_naming_the_categories(tmp_path):
    gold = write_training_gold(tmp_path / "gold.jsonl")
    with pytest.raises(TrainingDataError, match=r"health \(10\).*security_sensitive \(14\)"):
        train(
            [gold],
            load_codebook(CODEBOOK),
            tmp_path / "m",
            settings=TrainSettings(min_positives=15),
        )
    result = CliRunner().invoke(
        app, ["train", str(gold), "--codebook", str(CODEBOOK), "--out", str(tmp_path / "c")]
    )
    assert result.exit_code == 0, result.output  # 8 positives is the default minimum
    assert "Cross-validated" in result.output
    refused = CliRunner().invoke(
        app,
        [
            "train",
            str(gold),
            "--codebook",
            str(CODEBOOK),
            "--out",
            str(tmp_path / "d"),
            "--min-positives",
            "30",
        ],
    )
    assert refused.exit_code == 1
    assert "Traceback" not in refused.output and "defence_military" in refused.output


def test_a_changed_model_is_refused_until_the_codebook_names_it(trained, tmp_path):
    report, _ = trained
    copy = tmp_path / "model"
    copy.mkdir()
    for name in ("codebook.yaml", MODEL_FILE, WEIGHTS_FILE):
        (copy / name).write_bytes((Path(report.model_dir) / name).read_bytes())
    model = TrainedModel.load(copy)
    model.cue_weight = 0.5
    model.save(copy)
    with pytest.raises(ModelError, match="has changed"):
        make_coder("trained", load_codebook(copy / "codebook.yaml"))


def test_codebook_without_model_codes_with_rules_and_says_so(store, tiny_corpus):
    accord.ingest(store, tiny_corpus)
    report = accord.code(store, CODEBOOK)
    assert report.coder == "rules.v1"
    assert any("no trained model" in note for note in report.notes)
    with pytest.raises(ModelError, match="no trained model"):
        accord.code(store, CODEBOOK, coder="trained")


def test_incremental_coding_and_a_new_model_recodes(trained, store, tiny_corpus, tmp_path):
    _, codebook = trained
    accord.ingest(store, tiny_corpus)
    first = accord.code(store, codebook)
    assert first.coder == "trained.v1" and first.n_coded == first.n_passages > 0
    assert accord.code(store, codebook).n_coded == 0  # nothing new
    gold = tmp_path / "fewer.jsonl"
    records = training_records()[:-2]
    gold.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    retrained = train([gold], load_codebook(CODEBOOK), tmp_path / "m2", settings=SETTINGS)
    new_codebook = load_codebook(retrained.codebook_path)
    assert new_codebook.digest() != codebook.digest()
    assert accord.code(store, new_codebook).n_coded == first.n_passages


def test_classify_with_the_trained_codebook(trained):
    report, _ = trained
    results = accord.classify(PARAGRAPHS[:3], codebook=report.codebook_path)
    assert [r["labels"].get("domain") for r in results][:1] == [["health"]]
    assert results[2]["labels"].get("security") == ["security_sensitive"]


def test_a_saved_model_codes_exactly_as_the_trained_one(tmp_path):
    from accord.coding.trained import TrainedCoder
    from accord.coding.training import fit_model
    from accord.validation.gold import load_gold, resolve_texts
    from accord.validation.training import training_set

    codebook = load_codebook(CODEBOOK)
    gold = resolve_texts(load_gold(write_training_gold(tmp_path / "g.jsonl"), codebook))
    model, _ = fit_model(training_set(gold.items, codebook), codebook, SETTINGS)
    model.save(tmp_path / "m")
    units = [CodingUnit(str(k), text, "report") for k, text in enumerate(PARAGRAPHS)]
    fresh = TrainedCoder(codebook, model=model).code(units)
    loaded = TrainedCoder(codebook, model=TrainedModel.load(tmp_path / "m")).code(units)
    assert fresh == loaded


def test_an_edited_copy_of_the_codebook_still_finds_its_model(trained):
    _, codebook = trained
    edited = codebook.model_copy(update={"version": "edited in memory"})
    rebuilt = type(codebook).model_validate(codebook.model_dump())
    for copy in (edited, rebuilt):
        (coding,) = make_coder("trained", copy).code([CodingUnit("p", PARAGRAPHS[0])])
        assert coding.labels().get("domain") == ["health"]


def test_a_worker_installed_elsewhere_finds_its_own_copy_of_the_shipped_model(tmp_path):
    """A codebook sent to a cluster worker names the client's model folder; a worker whose
    Accord is installed at another path uses its own copy of the same shipped model."""
    shipped = load_codebook()
    elsewhere = shipped.model_copy().located(str(tmp_path / "client-venv" / "codebooks"))
    assert not Path(elsewhere.model_dir).exists()
    assert model_folder(elsewhere) == Path(shipped.model_dir)


def test_a_missing_trained_model_names_the_machine_and_what_to_do(trained, tmp_path):
    _, codebook = trained
    moved = codebook.model_copy().located(str(tmp_path / "not-here"))
    with pytest.raises(ModelError, match="is missing on") as missing:
        model_folder(moved)
    assert "path the client uses" in missing.value.hint and "docs/scaling.md" in missing.value.hint
