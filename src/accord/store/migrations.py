"""Schema versions: PRAGMA user_version N becomes N+1 by one function each."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from importlib import resources

from accord.errors import SchemaTooNew

SCHEMA_VERSION = 7


def _sql(name: str) -> str:
    return resources.files("accord.store").joinpath(name).read_text("utf-8")


def new_store_script() -> str:
    """Every table and view of a new store at SCHEMA_VERSION."""
    return f"{_sql('schema.sql')}\n{_sql('views.sql')}"


def _execute_file(db: sqlite3.Connection, name: str) -> None:
    statement = ""
    for line in _sql(name).splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            db.execute(statement)
            statement = ""


def _add_new_tables(db: sqlite3.Connection) -> None:
    """Versions that only add tables re-run schema.sql: every statement is IF NOT EXISTS."""
    _execute_file(db, "schema.sql")


def _assignments_keyed_by_codebook(db: sqlite3.Connection) -> None:
    """Version 4: the assignments' primary key starts with the codebook digest."""
    db.execute(
        """CREATE TABLE assignments_v4 (
            passage_id TEXT NOT NULL,
            codebook_digest TEXT NOT NULL,
            coder TEXT NOT NULL,
            dimension TEXT NOT NULL,
            category TEXT NOT NULL,
            score REAL NOT NULL,
            method TEXT NOT NULL,
            evidence TEXT NOT NULL,
            PRIMARY KEY (codebook_digest, coder, passage_id, dimension, category)
        )"""
    )
    db.execute(
        "INSERT INTO assignments_v4 SELECT passage_id, codebook_digest, coder, dimension,"
        " category, score, method, evidence FROM assignments ORDER BY codebook_digest, coder,"
        " passage_id, dimension, category"
    )
    db.execute("DROP TABLE assignments")
    db.execute("ALTER TABLE assignments_v4 RENAME TO assignments")
    _add_new_tables(db)  # the index on the new table


def _analysis_as_tables(db: sqlite3.Connection) -> None:
    """Version 5: each analysis table becomes a real SQLite table (it was Parquet bytes in
    `analysis_tables`), and the views for Datasette and sqlite3 are added."""
    import io

    import pandas as pd

    from accord.store.exports import save_table

    _add_new_tables(db)
    old = db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='analysis_tables'")
    if old.fetchone() is not None:
        rows = db.execute("SELECT name, stamp, settings, records FROM analysis_tables")
        for name, stamp, settings, records in rows.fetchall():
            frame = pd.read_parquet(io.BytesIO(records))
            save_table(db, name, frame, json.loads(stamp), json.loads(settings))
        db.execute("DROP TABLE analysis_tables")
    _execute_file(db, "views.sql")


def _runs_process_and_document_encoding(db: sqlite3.Connection) -> None:
    """Version 6: runs record their process (pid, host); documents the decoding of their text."""
    for table, column, kind in (
        ("runs", "pid", "INTEGER"),
        ("runs", "host", "TEXT"),
        ("documents", "encoding", "TEXT"),
    ):
        if column not in {r[1] for r in db.execute(f"PRAGMA table_info({table})")}:
            db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")


def _passages_indexed_by_their_writer(db: sqlite3.Connection) -> None:
    """Version 7: new passages enter the search index in one statement per document, written
    by the store, instead of a trigger per row."""
    db.execute("DROP TRIGGER IF EXISTS passages_after_insert")


# MIGRATIONS[n] upgrades a store at version n to n + 1.
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {
    1: _add_new_tables,
    2: _add_new_tables,
    3: _assignments_keyed_by_codebook,
    4: _analysis_as_tables,  # also adds the reviews table (schema.sql)
    5: _runs_process_and_document_encoding,
    6: _passages_indexed_by_their_writer,
}


def migrate(db: sqlite3.Connection, version: int, path: str) -> None:
    """Upgrade the store in place, one version at a time, each step in its own transaction."""
    if version > SCHEMA_VERSION:
        raise SchemaTooNew(
            f"{path} was written by a newer Accord (schema {version}, this one reads up to "
            f"{SCHEMA_VERSION}).",
            hint="Upgrade Accord: pip install -U accord.",
        )
    while version < SCHEMA_VERSION:
        db.execute("BEGIN IMMEDIATE")
        try:
            # Read again under the write lock: another process opening the store at the same
            # moment may have done this step already.
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version < SCHEMA_VERSION:
                MIGRATIONS[version](db)
                db.execute(f"PRAGMA user_version={version + 1}")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
        version = db.execute("PRAGMA user_version").fetchone()[0]
