"""Tables to open files (CSV, Parquet, JSON) and to the store, each carrying its stamp.

Files are written so that the same tables give the same bytes: sorted keys, fixed float
rounding (done by the caller), no timestamps. They are tidy, so that pandas, R and
spreadsheets read them as they are:

- CSV is plain RFC 4180 (a header row, no comment lines, UTF-8 without a byte-order mark);
  its stamp goes in a sidecar ``<table>.meta.json`` with the column types;
- whole numbers that the analysis keeps as floats (ranks, NaN when unranked) are integers;
- values that are lists are lists in Parquet and JSON, and ';'-joined in CSV.

In the store each analysis table is a real SQLite table ``analysis_<name>``, so sqlite3 and
Datasette can query it; ``analysis_catalog`` keeps its stamp, settings and column types, so
that it reads back as exactly the DataFrame that was saved.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from accord.errors import AccordError, StoreError
from accord.store.corpus_store import CorpusStore

if TYPE_CHECKING:  # pandas is imported where tables are handled: `accord --help` stays fast
    import pandas as pd

FORMATS = ("csv", "parquet", "json")
STAMP_KEY = b"accord_stamp"
SIDECAR_SUFFIX = ".meta.json"
LIST_SEPARATOR = ";"
TABLE_PREFIX = "analysis_"
# Columns the analysis writes as one string of joined values, with their separator.
LIST_COLUMNS = {"institutions": ";", "approaches": ";", "examples": ";", "top_terms": ", "}
# Whole numbers the analysis keeps as floats because some rows have none.
INTEGER_COLUMNS = ("rank",)


def write_table(
    frame: pd.DataFrame, name: str, out_dir: Path, fmt: str, stamp: dict[str, Any]
) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{name}.{fmt}"
    frame = tidy_frame(frame, as_lists=fmt != "csv")
    stamp_text = json.dumps(stamp, sort_keys=True)
    if fmt == "csv":
        frame.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
        sidecar = {"table": name, "file": path.name, "stamp": stamp, "columns": _types(frame)}
        _write_json(out_dir / f"{name}{SIDECAR_SUFFIX}", sidecar)
    elif fmt == "json":
        records = json.loads(frame.to_json(orient="records", double_precision=10))
        _write_json(path, {"table": name, "stamp": stamp, "rows": records})
    elif fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pandas(frame, preserve_index=False)
        table = table.replace_schema_metadata(
            {**(table.schema.metadata or {}), STAMP_KEY: stamp_text.encode()}
        )
        pq.write_table(table, path)
    else:
        raise AccordError(f"Unknown export format '{fmt}'.", hint=f"Use one of {FORMATS}.")
    return path


def write_tables(
    tables: dict[str, pd.DataFrame], out_dir: Path, formats: Iterable[str], stamp: dict[str, Any]
) -> list[Path]:
    return [
        write_table(frame, name, out_dir, fmt, stamp)
        for name, frame in sorted(tables.items())
        for fmt in formats
    ]


def tidy_frame(frame: pd.DataFrame, *, as_lists: bool) -> pd.DataFrame:
    """The frame as files hold it: integer ranks; joined values as lists (``as_lists``) or
    list values joined by ';' (for CSV)."""
    import pandas as pd

    frame = frame.copy()
    for column in frame.columns:
        values = frame[column]
        if column in INTEGER_COLUMNS and pd.api.types.is_float_dtype(values):
            whole = values.dropna()
            if (whole == whole.round()).all():
                frame[column] = values.astype("Int64")
        elif as_lists and column in LIST_COLUMNS and _is_text(values):
            separator = LIST_COLUMNS[column]
            frame[column] = [
                [] if not isinstance(v, str) or not v else v.split(separator) for v in values
            ]
        elif not as_lists and any(isinstance(v, list | tuple) for v in values):
            frame[column] = [
                LIST_SEPARATOR.join(map(str, v)) if isinstance(v, list | tuple) else v
                for v in values
            ]
    return frame


def _is_text(values: pd.Series) -> bool:
    return all(isinstance(v, str) for v in values.dropna())


def _types(frame: pd.DataFrame) -> list[dict[str, str]]:
    """Column names and types for the CSV sidecar, in words any reader understands."""
    import pandas as pd

    def kind(series: pd.Series) -> str:
        if pd.api.types.is_bool_dtype(series):
            return "boolean"
        if pd.api.types.is_integer_dtype(series):
            return "integer"
        if pd.api.types.is_float_dtype(series):
            return "number"
        return "string"

    return [{"name": str(c), "type": kind(frame[c])} for c in frame.columns]


def _write_json(path: Path, document: dict[str, Any]) -> None:
    path.write_text(
        json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )


# ---------------------------------------------------------------- the store


def save_tables(
    store: CorpusStore,
    tables: dict[str, pd.DataFrame],
    stamp: dict[str, Any],
    settings: dict[str, Any],
) -> None:
    """Replace the stored analysis: one SQLite table per analysis table, in one transaction."""
    with store.transaction() as db:
        drop_tables(db)
        for name, frame in sorted(tables.items()):
            save_table(db, name, frame, stamp, settings)


def drop_tables(db: sqlite3.Connection) -> None:
    for (table,) in db.execute("SELECT table_name FROM analysis_catalog").fetchall():
        db.execute(f"DROP TABLE IF EXISTS {_quote(table)}")
    db.execute("DELETE FROM analysis_catalog")


def save_table(
    db: sqlite3.Connection,
    name: str,
    frame: pd.DataFrame,
    stamp: dict[str, Any],
    settings: dict[str, Any],
) -> None:
    table = TABLE_PREFIX + name
    columns = [(str(c), str(frame[c].dtype)) for c in frame.columns]
    declared = ", ".join(f"{_quote(c)} {_sql_type(c, frame[c])}" for c, _ in columns)
    db.execute(f"CREATE TABLE {_quote(table)} ({declared})")
    marks = ", ".join("?" * len(columns))
    db.executemany(
        f"INSERT INTO {_quote(table)} VALUES ({marks})",
        [tuple(map(_sql_value, row)) for row in frame.itertuples(index=False, name=None)],
    )
    db.execute(
        "INSERT INTO analysis_catalog(name, table_name, columns, stamp, settings)"
        " VALUES (?, ?, ?, ?, ?)",
        (
            name,
            table,
            json.dumps(columns),
            json.dumps(stamp, sort_keys=True),
            json.dumps(settings, sort_keys=True),
        ),
    )


def load_tables(store: CorpusStore) -> tuple[dict[str, pd.DataFrame], dict, dict] | None:
    rows = store.db.execute(
        "SELECT name, table_name, columns, stamp, settings FROM analysis_catalog ORDER BY name"
    ).fetchall()
    if not rows:
        return None
    tables = {r[0]: _read_table(store.db, r[1], json.loads(r[2])) for r in rows}
    return tables, json.loads(rows[0][3]), json.loads(rows[0][4])


def stored_catalog(store: CorpusStore) -> tuple[list[str], dict[str, Any]] | None:
    """The names and stamp of the stored analysis tables, without reading them."""
    rows = store.db.execute("SELECT name, stamp FROM analysis_catalog ORDER BY name").fetchall()
    return ([r[0] for r in rows], json.loads(rows[0][1])) if rows else None


def _read_table(db: sqlite3.Connection, table: str, columns: list[list[str]]) -> pd.DataFrame:
    import pandas as pd

    records = db.execute(f"SELECT * FROM {_quote(table)} ORDER BY rowid").fetchall()
    frame = pd.DataFrame.from_records(
        [tuple(r) for r in records], columns=[name for name, _ in columns]
    )
    try:
        return frame.astype(dict(map(tuple, columns)))  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise StoreError(f"The stored analysis table {table} cannot be read ({exc}).") from exc


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _sql_type(name: str, series: pd.Series) -> str:
    kind = series.dtype.kind
    if kind == "f" and name in INTEGER_COLUMNS:
        whole = series.dropna()
        if (whole == whole.round()).all():
            return "INTEGER"  # SQLite keeps 3.0 as 3: ranks read as whole numbers in Datasette
    return {"b": "INTEGER", "i": "INTEGER", "u": "INTEGER", "f": "REAL"}.get(kind, "TEXT")


def _sql_value(value: Any) -> Any:
    """A cell as SQLite stores it: NaN and missing as NULL, numpy scalars as Python ones."""
    if hasattr(value, "item"):  # a numpy scalar
        value = value.item()
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if type(value).__name__ in ("NAType", "NaTType"):  # pandas' missing markers
        return None
    return value
