"""`--json` on every command that reports something, with the keys of the Python API's result
objects (both come from the result's ``as_dict()``); short reprs; the public names of `accord`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import accord
from accord.cli import app

runner = CliRunner()
CODEBOOK = Path(__file__).parents[1] / "fixtures" / "codebook.yaml"
FAST = "[analysis]\nbootstrap_resamples = 20\nweight_draws = 20\n"
FAST += "[analysis.support]\nmin_passages = 1\nmin_domain_passages = 1\n"


def cli_json(*args: str):
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def assert_same_shape(cli: dict, api: dict) -> None:
    """Same keys, and the same keys in every nested mapping that is a record (not data keyed
    by category or table name)."""
    assert set(cli) == set(api)
    for key, value in api.items():
        if isinstance(value, dict) and key in ("ingested", "coded", "analysis", "stamp"):
            assert_same_shape(cli[key], value)


@pytest.fixture
def coded(tmp_path, tiny_corpus):
    db = tmp_path / "a.db"
    settings = tmp_path / "fast.toml"
    settings.write_text(FAST, "utf-8")
    ingested = cli_json("--store", str(db), "ingest", str(tiny_corpus), "--json")
    assert ingested["added"] == 5
    assert_same_shape(ingested, accord.ingest(db, tiny_corpus).as_dict())
    code = cli_json(
        "--store", str(db), "code", "--coder", "rules", "--codebook", str(CODEBOOK), "--json"
    )
    assert code["n_coded"] == code["n_passages"] > 0
    assert_same_shape(code, accord.code(db, CODEBOOK, coder="rules").as_dict())
    return db, settings


def test_ingest_code_analyse_report_export_json(coded, tmp_path):
    db, settings = coded
    cli = cli_json("--store", str(db), "analyse", "--settings", str(settings), "--json")
    api = accord.analyse(db, settings=settings).as_dict()
    assert_same_shape(cli, api)
    assert cli["domains"] == api["domains"] and cli["stamp"] == api["stamp"]
    assert cli["tables"]["domains"] == len(cli["domains"])
    report = cli_json(
        "--store", str(db), "report", "--out", str(tmp_path / "r.md"), "-f", "md", "--json"
    )
    assert report == {"report": str(tmp_path / "r.md"), "format": "md"}
    assert (tmp_path / "r.md").is_file()
    export = cli_json(
        "--store", str(db), "export", "-f", "csv", "-o", str(tmp_path / "x"), "--json"
    )
    assert export["tables"] is True and all(Path(p).is_file() for p in export["files"])


def test_search_info_sample_json(coded, tmp_path):
    db, _ = coded
    hits = cli_json("--store", str(db), "search", "doctor", "--json")
    assert hits == [hit.as_dict() for hit in accord.search(db, "doctor")]
    assert cli_json("--store", str(db), "info", "--json") == json.loads(
        json.dumps(accord.info(db), default=str)
    )
    sample = cli_json(
        "--store", str(db), "sample", "--n", "4", "--out", str(tmp_path / "s.csv"), "--json"
    )
    assert sample["passages"] == 4 and sum(sample["strata"].values()) == 4


def test_run_json_has_every_stage(tmp_path, tiny_corpus):
    settings = tmp_path / "fast.toml"
    settings.write_text(FAST, "utf-8")
    args = ["run", str(tiny_corpus), "--out", str(tmp_path / "out"), "--coder", "rules"]
    args += ["--codebook", str(CODEBOOK), "--settings", str(settings)]
    cli = cli_json("--quiet", "--store", str(tmp_path / "a.db"), *args, "--json")
    api = accord.run(
        tiny_corpus,
        store=tmp_path / "a.db",
        out=tmp_path / "out",
        settings=settings,
        coder="rules",
        codebook=CODEBOOK,
    ).as_dict()
    assert_same_shape(cli, api)
    assert cli["ingested"]["added"] == 5 and api["ingested"]["unchanged"] == 5
    assert cli["analysis"]["domains"] == api["analysis"]["domains"]


def test_validate_train_codebook_json(tmp_path):
    sys.path.insert(0, str(Path(__file__).parents[1]))
    from fixtures.training import write_training_gold

    gold = write_training_gold(tmp_path / "gold.jsonl")
    store = str(tmp_path / "none.db")
    cli = cli_json(
        "--store",
        store,
        "validate",
        str(gold),
        "--coder",
        "rules",
        "--codebook",
        str(CODEBOOK),
        "--json",
    )
    api = accord.validate(gold, coder="rules", codebook=CODEBOOK).as_dict()
    assert cli == json.loads(json.dumps(api))
    trained = cli_json(
        "--store",
        store,
        "train",
        str(gold),
        "--codebook",
        str(CODEBOOK),
        "--out",
        str(tmp_path / "m"),
        "--min-positives",
        "4",
        "--json",
    )
    again = accord.train(gold, tmp_path / "m2", codebook=CODEBOOK, min_positives=4).as_dict()
    assert set(trained) == set(again)
    assert trained["model_sha256"] == again["model_sha256"]  # the same data, the same model
    check = cli_json("codebook", "check", str(CODEBOOK), "--json")
    assert check["digest"] == accord.load_codebook(CODEBOOK).digest() and check["errors"] == 0
    shown = cli_json("codebook", "show", str(CODEBOOK), "--dimension", "force", "--json")
    assert [d["id"] for d in shown["dimensions"]] == ["force"]


def test_collect_json(tmp_path, tiny_corpus):
    cli = cli_json(
        "collect", str(tiny_corpus / "manifest.csv"), "--into", str(tmp_path / "c"), "--json"
    )
    api = accord.collect(tiny_corpus / "manifest.csv", tmp_path / "c2").as_dict()
    assert set(cli) == set(api) and cli["local"] == api["local"] == 5


def test_results_have_short_reprs(coded, tmp_path):
    db, settings = coded
    results = [
        accord.ingest(db, db.parent / "corpus"),
        accord.code(db, CODEBOOK, coder="rules"),
        accord.analyse(db, settings=settings),
        accord.search(db, "doctor")[0],
        accord.load_codebook(),
        accord.collect(db.parent / "corpus" / "manifest.csv", tmp_path / "c"),
    ]
    for result in results:
        text = repr(result)
        assert text.startswith(type(result).__name__ + "(") and len(text) < 160, text
        assert str(result) == text


def test_dir_shows_the_public_api_and_result_types_import_lazily():
    assert dir(accord) == sorted(accord.__all__)
    assert not any(name.startswith("_") and name != "__version__" for name in dir(accord))
    for name in ("IngestReport", "CodingReport", "AnalysisResult", "ValidationReport"):
        assert name in accord.__all__
    from accord import AnalysisResult, Codebook, RunSummary, SearchHit, TrainReport

    assert AnalysisResult.__module__ == "accord.analysis.results"
    assert {Codebook.__name__, RunSummary.__name__, SearchHit.__name__, TrainReport.__name__}
    with pytest.raises(AttributeError, match="has no attribute 'nothing'"):
        accord.nothing  # noqa: B018
    code = (
        "import sys, accord; heavy = {'numpy', 'pandas', 'torch', 'sklearn'} & set(sys.modules);"
        "assert not heavy, heavy; accord.IngestReport; assert 'numpy' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
