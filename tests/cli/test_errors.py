"""What a first-time user's mistakes produce: one clear error naming what is allowed."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from accord.cli import app
from accord.config import AnalysisSettings, load_settings
from accord.errors import ConfigError

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args))


@pytest.fixture
def ingested(tmp_path, tiny_corpus):
    db = str(tmp_path / "a.db")
    assert invoke("--store", db, "ingest", str(tiny_corpus)).exit_code == 0
    return db


def test_help_shows_flags_without_a_type():
    for args in (["--help"], ["ingest", "--help"], ["codebook", "check", "--help"]):
        result = invoke(*args)
        assert result.exit_code == 0, result.output
        assert "<bool>" not in result.output
    ingest = invoke("ingest", "--help").output
    assert re.search(r"--strict +Fail", ingest)  # a plain flag: no value, no type
    assert "<path>" in ingest  # options that take a value still say what kind
    assert re.search(r"--refresh +--no-refresh", invoke("collect", "--help").output)


def test_summaries_in_the_command_list_are_not_cut_mid_sentence():
    text = invoke("--help").output
    # "security and a" used to end a line, with "cooperation-opportunity ranking" on its own
    assert "cooperation-opportunity" in text.replace("\n", " ")
    assert not re.search(r"security and a +│\n│ +cooperation", text)


def test_empty_folder_names_the_extensions_read(tmp_path):
    (tmp_path / "empty").mkdir()
    result = invoke("--store", str(tmp_path / "a.db"), "ingest", str(tmp_path / "empty"))
    assert result.exit_code == 1
    assert "no file with an extension Accord reads (" in result.output
    from accord.ingestion.readers import FORMATS

    assert all(extension in result.output for extension in FORMATS)


@pytest.mark.parametrize(
    ("option", "value", "suggestion", "known"),
    [
        ("--family", "oced", "OECD", "UN system"),
        ("--organisation", "unseco", "unesco", "who (World Health Organization)"),
        ("--type", "resolutoin", "resolution", "guidance"),
    ],
)
def test_unknown_filter_values_name_the_known_ones(ingested, option, value, suggestion, known):
    result = invoke("--store", ingested, "search", "health", option, value)
    assert result.exit_code == 1
    assert f"'{value}'; did you mean '{suggestion}'?" in result.output
    assert "Known " in result.output and known in result.output


def test_a_known_filter_value_still_searches(ingested):
    result = invoke("--store", ingested, "search", "doctor", "--family", "un system")
    assert result.exit_code == 0 and "World Health Organization" in result.output


def test_settings_typos_each_get_a_suggestion_and_the_allowed_keys(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(
        "[analysis]\nbootstrap_resample = 40\nweight_drws = 3\n[ingst]\nworkers = 2\n", "utf-8"
    )
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    message, hint = info.value.message, info.value.hint or ""
    assert message.splitlines() == [
        f"{path}: 3 problems:",
        "  setting 'analysis.bootstrap_resample': unknown key; did you mean 'bootstrap_resamples'?",
        "  setting 'analysis.weight_drws': unknown key; did you mean 'weight_draws'?",
        "  setting 'ingst': unknown key; did you mean 'ingest'?",
    ]
    # the allowed keys are read from the schema: a new setting shows up by itself
    assert f"Allowed in [analysis]: {', '.join(AnalysisSettings.model_fields)};" in hint
    assert "allowed sections: ingest, coding, analysis, cache." in hint
    result = invoke("--store", str(tmp_path / "x.db"), "analyse", "--settings", str(path))
    assert result.exit_code == 1
    assert "3 problems" in result.output and "more" not in result.output


def test_a_bad_setting_value_is_shown_with_what_was_given(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("analysis:\n  confidence: high\n", "utf-8")
    with pytest.raises(ConfigError, match=r"'analysis.confidence': .*number.*\(got 'high'\)\."):
        load_settings(path)


def test_sample_hint_names_the_file_written(ingested, tmp_path):
    out = tmp_path / "to code.csv"
    result = invoke(
        "--store", ingested, "sample", "--n", "3", "--stratify", "none", "--out", str(out)
    )
    assert result.exit_code == 0, result.output
    assert "{out}" not in result.output
    assert f"accord validate '{out}'" in " ".join(result.output.split())


def test_sample_by_an_unknown_dimension(ingested):
    result = invoke("--store", ingested, "sample", "--stratify", "domian")
    assert result.exit_code == 1
    assert "no such dimension" in result.output and "domain, approach" in result.output


def test_validating_an_unfilled_sample_says_so(ingested, tmp_path):
    out = tmp_path / "s.csv"
    invoke("--store", ingested, "sample", "--n", "3", "--stratify", "none", "--out", str(out))
    result = invoke("--store", ingested, "validate", str(out), "--coder", "rules")
    assert result.exit_code == 1
    assert "holds no human-labelled passage" in result.output


def test_ingest_with_nothing_to_ingest_is_a_wrong_argument():
    result = invoke("ingest")
    assert result.exit_code == 2
    assert "give a corpus folder, files, or --manifest" in result.output


def test_a_corpus_too_small_to_rank_says_so_instead_of_an_empty_table(tmp_path):
    (tmp_path / "one.txt").write_text("Hospitals shall keep records of every patient.\n", "utf-8")
    db = str(tmp_path / "a.db")
    assert invoke("--store", db, "ingest", str(tmp_path / "one.txt")).exit_code == 0
    assert invoke("--store", db, "code", "--coder", "rules").exit_code == 0
    result = invoke("--store", db, "analyse")
    assert result.exit_code == 0, result.output
    assert "No domain has enough coded passages to be ranked" in result.output
    assert "Cooperation opportunity by domain" not in result.output
