"""What users see at the command line: summaries, exit codes, one-line errors."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from accord.cli import app

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args))


def test_ingest_summary_and_info_json(tmp_path, tiny_corpus):
    db = str(tmp_path / "a.db")
    result = invoke("--store", db, "ingest", str(tiny_corpus))
    assert result.exit_code == 0, result.output
    assert "5 documents" in result.output
    info = json.loads(invoke("--store", db, "info", "--json").output)
    assert info["documents"] == 5
    assert {row["value"] for row in info["by"]["family"]} == {"UN system", "OECD"}
    hits = json.loads(invoke("--store", db, "search", "qualified doctor", "--json").output)
    assert hits[0]["citation"].startswith("World Health Organization")
    assert "**doctor**" in hits[0]["snippet"]


def test_nothing_ingested_is_an_error_without_traceback(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    result = invoke("--store", str(tmp_path / "a.db"), "ingest", str(tmp_path / "empty.txt"))
    assert result.exit_code == 1
    assert "Error: Nothing could be ingested: 1 file(s) skipped." in result.output
    assert "Traceback" not in result.output


def test_strict_fails_on_any_skip(tmp_path, tiny_corpus):
    (tiny_corpus / "notes.xlsx").write_bytes(b"x")
    result = invoke("--store", str(tmp_path / "a.db"), "ingest", str(tiny_corpus), "--strict")
    assert result.exit_code == 1
    assert "unsupported-format" in result.output


def test_missing_source_and_bad_arguments(tmp_path):
    result = invoke("--store", str(tmp_path / "a.db"), "ingest", str(tmp_path / "nope"))
    assert result.exit_code == 1
    assert "Error: No such file or directory" in result.output
    assert invoke("ingest", "--workers", "zero").exit_code == 2


def test_search_without_store(tmp_path):
    result = invoke("--store", str(tmp_path / "none.db"), "search", "health")
    assert result.exit_code == 1
    assert "No store at" in result.output and "accord ingest" in result.output


def test_bad_year_range(tmp_path, tiny_corpus):
    db = str(tmp_path / "a.db")
    invoke("--store", db, "ingest", str(tiny_corpus))
    result = invoke("--store", db, "search", "health", "--year", "soon")
    assert result.exit_code == 2  # a wrong argument, like any other
    assert "'soon' is not a year" in result.output


def test_error_details_go_to_a_private_per_user_log(tmp_path, monkeypatch):
    import stat
    import tempfile
    from pathlib import Path

    from accord.cli._console import write_error_log

    monkeypatch.setenv("ACCORD_CACHE_DIR", str(tmp_path / "cache"))
    path = write_error_log("Traceback: details")
    assert path.is_relative_to(tmp_path / "cache")
    assert path != Path(tempfile.gettempdir()) / "accord-error.log"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert path.read_text() == "Traceback: details"


def test_store_is_accepted_after_the_subcommand(tmp_path, tiny_corpus):
    db = tmp_path / "after.db"
    result = invoke("ingest", str(tiny_corpus), "--store", str(db))
    assert result.exit_code == 0, result.output
    assert db.is_file()
    info = json.loads(invoke("info", f"--store={db}", "--json").output)
    assert info["documents"] == 5


def test_classify_missing_file_is_one_line(tmp_path):
    result = invoke("classify", str(tmp_path / "nope.jsonl"))
    assert result.exit_code == 1
    assert "Cannot read" in result.output and "bug" not in result.output
