from __future__ import annotations

import pytest

import accord
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
        "row 5: the row has more cells than the header has columns",
    ]


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
