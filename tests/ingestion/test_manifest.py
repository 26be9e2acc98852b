from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import accord
from accord.cli import app
from accord.errors import ManifestError
from accord.ingestion.manifest import read_manifest
from fixtures.texts import HEALTH


def test_missing_columns_are_named(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("file_name,org\na.txt,OECD\n")
    with pytest.raises(ManifestError, match=r"missing column\(s\) path \(or url\), title, year"):
        read_manifest(path)


def test_fallback_to_path_when_chosen_column_is_empty(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text(
        "path,original_path,organisation,title,year\n"
        "t/a.txt,o/a.pdf,OECD,A,2020\nt/b.txt,,OECD,B,2021\n"
    )
    manifest = read_manifest(path, path_column="original_path")
    assert [r.file.name for r in manifest.rows] == ["a.pdf", "b.txt"]
    assert manifest.rows[1].flags == ("file-column-fallback",)
    # Both file columns are known to the manifest, so neither file becomes an orphan.
    assert {p.name for p in manifest.mentioned_files()} == {"a.txt", "a.pdf", "b.txt"}


def test_malformed_rows_are_problems_with_row_numbers(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text(
        "path,organisation,title,year\na.txt,OECD,A,2020\nb.txt,,B,2020\n"
        "c.txt,OECD,C,MMXX\nd.txt,OECD,D,2020,extra\n"
    )
    manifest = read_manifest(path)
    assert [r.file.name for r in manifest.rows] == ["a.txt"]
    assert [p.message for p in manifest.problems] == [
        "row 3: organisation is empty",
        "row 4: year 'MMXX' is not a year between 1900 and 2100",
        "row 5: 5 cell(s) where the header has 4 column(s), so its cells cannot be matched to "
        "columns (a missing cell, or a comma in an unquoted cell)",
    ]
    assert [p.reason for p in manifest.problems][-1] == "manifest-cell-count"


def test_an_unclosed_quote_is_an_error_naming_its_line(store, tmp_path):
    """Issue 11, item 6: the rows after an unclosed quote are not silently swallowed."""
    (tmp_path / "a.txt").write_text(HEALTH, "utf-8")
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(
        'path,organisation,title,year\na.txt,OECD,"Unclosed title,2024\n'
        "b.txt,UNESCO,B,2023\nc.txt,UNESCO,C,2022\n",
        "utf-8",
    )
    with pytest.raises(ManifestError, match="line 2"):
        accord.ingest(store, manifest=manifest)


def test_a_column_given_twice_is_an_error(store, tmp_path):
    (tmp_path / "a.txt").write_text(HEALTH, "utf-8")
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("path,organisation,title,year,file\na.txt,OECD,A,2024,b.txt\n", "utf-8")
    with pytest.raises(ManifestError, match="path given more than once"):
        accord.ingest(store, manifest=manifest)


def test_a_row_with_a_missing_cell_is_skipped_not_guessed(tmp_path):
    """Issue 11, item 6: a short row was read with its last columns empty (title inferred,
    year dropped) and no word about it."""
    path = tmp_path / "m.csv"
    path.write_text("path,organisation,title,year\na.txt,OECD,A,2020\nb.txt,UNESCO,B\n")
    manifest = read_manifest(path)
    assert [r.row for r in manifest.rows] == [2]
    assert [(p.row, p.reason) for p in manifest.problems] == [(3, "manifest-cell-count")]
    assert manifest.problems[0].message.startswith("row 3: 3 cell(s) where the header has 4")


def test_the_same_id_twice_is_a_problem_not_a_hidden_version(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("id,path,organisation,title,year\nx,a.txt,OECD,A,2020\nx,b.txt,OECD,B,2021\n")
    manifest = read_manifest(path)
    assert [r.file.name for r in manifest.rows] == ["a.txt"]
    assert [p.message for p in manifest.problems] == ["row 3: id 'x' is already used by row 2"]


def test_blank_spreadsheet_rows_are_not_rows(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("path,organisation,title,year\na.txt,OECD,A,2020\n,,,\n\n")
    manifest = read_manifest(path)
    assert len(manifest.rows) == 1 and manifest.problems == []


MALFORMED = (
    "id,path,organisation,title,year\n"
    "a,a.txt,OECD,Health note,2020\n"  # row 2: ingested
    "b,b.txt,UNESCO,Short row\n"  # row 3: a cell missing
    "c,c.txt,UNESCO,Long, row,2021\n"  # row 4: an unquoted comma
    "a,d.txt,OECD,Same id,2022\n"  # row 5: id of row 2 again
    "e,e.txt,OECD,Bad year,20x1\n"  # row 6
    "f,missing.txt,OECD,Gone,2023\n"  # row 7: no such file
)


def test_every_manifest_row_is_ingested_or_skipped_and_strict_fails(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in "abcde":
        (corpus / f"{name}.txt").write_text(f"{HEALTH}\n\nDocument {name}.", "utf-8")
    (corpus / "manifest.csv").write_text(MALFORMED, "utf-8")
    runner = CliRunner()
    store = str(tmp_path / "s.db")
    result = runner.invoke(app, ["--store", store, "ingest", "-m", str(corpus / "manifest.csv")])
    assert result.exit_code == 0, result.output
    summary = json.loads(runner.invoke(app, ["--store", store, "info", "--json"]).output)
    skipped = {s["row"]: s["reason"] for s in summary["skipped"]}
    assert skipped == {
        3: "manifest-cell-count",
        4: "manifest-cell-count",
        5: "bad-manifest-row",
        6: "bad-manifest-row",
        7: "missing-file",
    }
    assert summary["documents"] == 1  # rows 2..7: one ingested, five listed as skipped
    strict = runner.invoke(
        app, ["--store", store, "ingest", "-m", str(corpus / "manifest.csv"), "--strict"]
    )
    assert strict.exit_code == 1
    assert "--strict: 5 input(s) skipped (bad-manifest-row 2, manifest-cell-count 2, " in (
        strict.output
    )
