"""Exports as other tools read them: tidy CSV (pandas, R, the csv module), Parquet and JSON
with lists and integer ranks, the analysis as real SQLite tables, and the store in Datasette."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import accord
from accord.analysis.pipeline import stored_result
from accord.cli import app
from accord.report.export import export_store
from accord.report.formats import EXPORT_FORMATS, TABLE_FORMATS
from accord.store.exports import STAMP_KEY, TABLE_PREFIX
from accord.store.migrations import SCHEMA_VERSION

R = shutil.which("Rscript")


@pytest.fixture(scope="module")
def exported(analysed, tmp_path_factory):
    """Every table format written once, into one folder per format."""
    store, _ = analysed
    root = tmp_path_factory.mktemp("export")
    for fmt in TABLE_FORMATS:
        export_store(store, root / fmt, fmt)
    return root


def _read(folder: Path, name: str, fmt: str) -> tuple[pd.DataFrame, dict]:
    path = folder / fmt / f"{name}.{fmt}"
    if fmt == "csv":
        sidecar = json.loads((folder / fmt / f"{name}.meta.json").read_text("utf-8"))
        return pd.read_csv(path, keep_default_na=False, na_values=[""]), sidecar["stamp"]
    if fmt == "json":
        document = json.loads(path.read_text("utf-8"))
        return pd.DataFrame(document["rows"]), document["stamp"]
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    return table.to_pandas(), json.loads(table.schema.metadata[STAMP_KEY])


@pytest.mark.parametrize("fmt", TABLE_FORMATS)
def test_every_table_is_written_with_its_stamp(analysed, exported, fmt):
    _, result = analysed
    names = {p.name.split(".")[0] for p in (exported / fmt).glob(f"*.{fmt}")}
    assert names == {"passages", "labels", "labels_wide", *result.tables}
    passages, stamp = _read(exported, "passages", fmt)
    assert stamp["codebook_digest"] == result.stamp.codebook_digest
    assert passages["passage_id"].is_unique
    wanted = {"family", "document_type", "year", "language", "url", "domain", "page_start"}
    assert wanted <= set(passages.columns)
    domains, table_stamp = _read(exported, "domains", fmt)
    assert table_stamp["seed"] == result.stamp.seed
    assert len(domains) == len(result["domains"])
    ranked = domains[domains["ranked"].astype(bool)]
    assert pd.api.types.is_integer_dtype(ranked["rank"]), "ranks are whole numbers"
    assert sorted(ranked["rank"]) == list(range(1, len(ranked) + 1))


def test_csv_is_plain_for_pandas_and_the_csv_module(analysed, exported):
    _, result = analysed
    for path in sorted((exported / "csv").glob("*.csv")):
        text = path.read_text("utf-8")
        assert not text.startswith(("#", "\ufeff")), f"{path.name} has a comment line or BOM"
        rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
        assert rows and all(len(r) == len(rows[0]) for r in rows), path.name
        frame = pd.read_csv(path)  # as it is: no skiprows, no comment=
        assert list(frame.columns) == rows[0] and len(frame) == len(rows) - 1
    sidecar = json.loads((exported / "csv" / "domains.meta.json").read_text("utf-8"))
    assert sidecar["file"] == "domains.csv"
    assert sidecar["stamp"]["corpus_digest"] == result.stamp.corpus_digest
    types = {c["name"]: c["type"] for c in sidecar["columns"]}
    assert types["rank"] == "integer" and types["opportunity"] == "number"
    assert types["ranked"] == "boolean" and types["domain"] == "string"
    hostile = pd.read_csv(exported / "csv" / "passages.csv")
    assert hostile["text"].str.contains("<script>alert(1)</script>", regex=False).any()


@pytest.mark.skipif(R is None, reason="R is not installed (Rscript not on PATH)")
def test_r_read_csv_reads_the_tables_as_they_are(exported):
    """R's read.csv with its defaults: same rows, columns and integer ranks as pandas."""
    script = (
        "for (name in commandArgs(TRUE)) {"
        " d <- read.csv(file.path('{folder}', paste0(name, '.csv')));"
        " cat(name, nrow(d), ncol(d), class(d$passage_id)[1],"
        " if (!is.null(d$rank)) class(d$rank) else 'none', '\\n') }"
    ).replace("{folder}", str(exported / "csv"))
    names = ["passages", "labels", "labels_wide", "domains", "evidence"]
    done = subprocess.run([R, "-e", script, *names], capture_output=True, text=True, check=True)
    lines = [r.split() for r in done.stdout.splitlines() if r.split() and r.split()[0] in names]
    for name, n_rows, n_cols, _, rank_class in lines:
        frame = pd.read_csv(exported / "csv" / f"{name}.csv")
        assert (int(n_rows), int(n_cols)) == frame.shape, name
        if name in ("domains", "evidence"):
            assert rank_class == "integer", name
    assert len(lines) == len(names)


@pytest.mark.parametrize("fmt", ["parquet", "json"])
def test_labels_are_lists_not_joined_strings(analysed, exported, fmt):
    _, result = analysed
    passages, _ = _read(exported, "passages", fmt)
    domains = [list(v) for v in passages["domain"]]
    assert all(isinstance(v, list) for v in domains) and any(len(v) > 1 for v in domains)
    assert all(v == sorted(v) for v in domains)
    assert not any(";" in d for v in domains for d in v)
    ranking, _ = _read(exported, "domains", fmt)
    stored = result["domains"].set_index("domain")["institutions"]
    for domain, institutions in zip(ranking["domain"], ranking["institutions"], strict=True):
        assert list(institutions) == stored[domain].split(";")
    csv_passages, _ = _read(exported, "passages", "csv")
    joined = [";".join(v) if v else None for v in domains]
    assert [None if pd.isna(v) else v for v in csv_passages["domain"]] == joined


def test_long_and_wide_label_tables_agree(analysed, exported):
    store, _ = analysed
    long, _ = _read(exported, "labels", "csv")
    assert list(long.columns) == ["passage_id", "dimension", "label", "score", "method", "evidence"]
    stored = store.db.execute("SELECT count(*) FROM labels_with_passages").fetchone()[0]
    assert len(long) == stored > 0
    wide, _ = _read(exported, "labels_wide", "csv")
    pairs = {(p, f"{d}_{c}") for p, d, c in long[["passage_id", "dimension", "label"]].values}
    ones = {(p, c) for c in wide.columns[1:] for p in wide.loc[wide[c] == 1, "passage_id"]}
    assert ones == pairs
    assert set(wide.drop(columns="passage_id").stack().unique()) <= {0, 1}
    parquet_long, _ = _read(exported, "labels", "parquet")
    spans = {
        (r[0], r[1], r[2]): [cue for _, _, cue in json.loads(r[3])]
        for r in store.db.execute(
            "SELECT passage_id, dimension, label, evidence FROM labels_with_passages"
        )
    }
    cues = {
        (p, d, c): list(e)
        for p, d, c, e in parquet_long[["passage_id", "dimension", "label", "evidence"]].values
    }
    assert cues == spans and any(cues.values()), "each label lists the cues that gave it"


# ---------------------------------------------------------------- the store as SQLite tables


def test_analysis_tables_are_real_tables_and_read_back_identical(analysed):
    store, result = analysed
    names = {
        r[0]
        for r in store.db.execute("SELECT name FROM sqlite_master WHERE type='table'")
        if r[0].startswith(TABLE_PREFIX) and r[0] != "analysis_catalog"
    }
    assert names == {TABLE_PREFIX + n for n in result.tables}
    domains = pd.read_sql_query("SELECT * FROM analysis_domains ORDER BY rank", store.db)
    assert list(domains["domain"]) == list(result["domains"].sort_values("rank")["domain"])
    ranks = store.db.execute("SELECT DISTINCT typeof(rank) FROM analysis_domains").fetchall()
    assert {r[0] for r in ranks} <= {"integer", "null"}
    stored = stored_result(store)
    for name, frame in result.tables.items():
        pd.testing.assert_frame_equal(stored.tables[name], frame, check_exact=True)


def test_version_4_store_moves_parquet_tables_into_sqlite(analysed, tmp_path):
    """A store of schema 4 kept each table as Parquet bytes; upgrading gives the same frames."""
    store, result = analysed
    path = tmp_path / "v4.db"
    with sqlite3.connect(path) as copy:
        store.db.backup(copy)
    db = sqlite3.connect(path)
    db.execute(
        "CREATE TABLE analysis_tables (name TEXT PRIMARY KEY, stamp TEXT NOT NULL,"
        " settings TEXT NOT NULL, records BLOB NOT NULL)"
    )
    for name, table_name, stamp, settings in db.execute(
        "SELECT name, table_name, stamp, settings FROM analysis_catalog"
    ).fetchall():
        buffer = io.BytesIO()
        result.tables[name].to_parquet(buffer, index=False)
        db.execute(
            "INSERT INTO analysis_tables VALUES (?,?,?,?)",
            (name, stamp, settings, buffer.getvalue()),
        )
        db.execute(f'DROP TABLE "{table_name}"')
    db.executescript(
        """DROP TABLE analysis_catalog; DROP VIEW labels_with_passages;
        DROP VIEW passages_with_documents; DROP VIEW documents_with_institutions;
        PRAGMA user_version=4;"""
    )
    db.close()
    with accord.open_store(path) as upgraded:
        assert upgraded.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        gone = upgraded.db.execute("SELECT name FROM sqlite_master WHERE name='analysis_tables'")
        assert gone.fetchone() is None
        again = stored_result(upgraded)
        for name, frame in result.tables.items():
            pd.testing.assert_frame_equal(again.tables[name], frame, check_exact=True)
        assert upgraded.db.execute("SELECT count(*) FROM labels_with_passages").fetchone()[0]


def test_views_join_passages_documents_institutions_and_labels(analysed):
    store, _ = analysed
    row = store.db.execute(
        "SELECT * FROM labels_with_passages WHERE dimension='domain' AND label='health'"
        " ORDER BY passage_id LIMIT 1"
    ).fetchone()
    passage = store.passage(row["passage_id"])
    assert row["text"] == passage.text and row["institution"] == "World Health Organization"
    assert row["family"] == "UN system" and row["document_title"] == "Medical imaging note"
    counts = store.db.execute(
        "SELECT (SELECT count(*) FROM passages_with_documents),"
        " (SELECT count(*) FROM documents_with_institutions)"
    ).fetchone()
    assert tuple(counts) == (17, store.count_documents())


# ---------------------------------------------------------------- Datasette


def test_datasette_serves_the_store_with_its_metadata(analysed, tmp_path):
    from datasette.app import Datasette

    store, result = analysed
    db_path = tmp_path / "accord.db"
    with sqlite3.connect(db_path) as copy:
        store.db.backup(copy)
    runner = CliRunner()
    done = runner.invoke(app, ["--store", str(db_path), "export", "--format", "datasette"])
    assert done.exit_code == 0, done.output
    metadata_file = tmp_path / "accord.metadata.json"
    assert "datasette" in done.output and metadata_file.is_file()
    metadata = json.loads(metadata_file.read_text("utf-8"))
    tables = metadata["databases"]["accord"]["tables"]
    assert {TABLE_PREFIX + n for n in result.tables} | {"labels_with_passages"} <= set(tables)
    described = [t.get("description", "") for t in tables.values() if not t.get("hidden")]
    assert all(described) and not any(d.startswith("Analysis table '") for d in described)
    assert result.stamp.codebook_digest in metadata["databases"]["accord"]["description"]

    async def query() -> tuple[dict, list, str]:
        datasette = Datasette(files=[str(db_path)], metadata=metadata)
        view = await datasette.client.get(
            "/accord/labels_with_passages.json?dimension=domain&label=health&_shape=objects"
        )
        sql = await datasette.client.get(
            "/accord.json?_shape=array&sql="
            "select+domain,+rank+from+analysis_domains+where+ranked+order+by+rank"
        )
        page = await datasette.client.get("/accord")
        return view.json(), sql.json(), page.text

    view, ranked, page = asyncio.run(query())
    assert view["rows"] and {r["label"] for r in view["rows"]} == {"health"}
    assert {r["institution"] for r in view["rows"]} >= {"World Health Organization"}
    assert set(view["facet_results"]) >= {"institution", "family", "method"}
    expected = result["domains"][result["domains"]["ranked"]].sort_values("rank")
    assert [r["domain"] for r in ranked] == list(expected["domain"])
    assert [r["rank"] for r in ranked] == list(range(1, len(expected) + 1))
    assert "Policy documents on AI" in page and result.stamp.corpus_digest in page


def test_export_formats_are_declared_once_for_the_command_line():
    from accord.cli.report import ExportFormat, ReportFormat
    from accord.report.formats import REPORT_FORMATS
    from accord.report.render import FORMATS

    assert [f.value for f in ExportFormat] == list(EXPORT_FORMATS)
    assert [f.value for f in ReportFormat] == list(REPORT_FORMATS) == list(FORMATS)
