"""Tables to open files (CSV, Parquet, JSON) and to the store, each carrying its stamp.

Files are written so that the same tables give the same bytes: sorted keys, fixed float
rounding (done by the caller), no timestamps.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from accord.errors import AccordError
from accord.store.corpus_store import CorpusStore

FORMATS = ("csv", "parquet", "json")
STAMP_KEY = b"accord_stamp"


def write_table(
    frame: pd.DataFrame, name: str, out_dir: Path, fmt: str, stamp: dict[str, Any]
) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{name}.{fmt}"
    stamp_text = json.dumps(stamp, sort_keys=True)
    if fmt == "csv":
        with path.open("w", encoding="utf-8", newline="") as fh:
            fh.write(f"# {stamp_text}\n")
            frame.to_csv(fh, index=False, lineterminator="\n")
    elif fmt == "json":
        records = json.loads(frame.to_json(orient="records", double_precision=10))
        document = {"table": name, "stamp": stamp, "rows": records}
        path.write_text(
            json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
            encoding="utf-8",
        )
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


def save_tables(
    store: CorpusStore,
    tables: dict[str, pd.DataFrame],
    stamp: dict[str, Any],
    settings: dict[str, Any],
) -> None:
    """Keep the tables in the store as Parquet: columns and types come back exactly."""
    with store.transaction() as db:
        db.execute("DELETE FROM analysis_tables")
        db.executemany(
            "INSERT INTO analysis_tables(name, stamp, settings, records) VALUES (?,?,?,?)",
            [
                (
                    name,
                    json.dumps(stamp, sort_keys=True),
                    json.dumps(settings, sort_keys=True),
                    _parquet_bytes(frame),
                )
                for name, frame in sorted(tables.items())
            ],
        )


def load_tables(store: CorpusStore) -> tuple[dict[str, pd.DataFrame], dict, dict] | None:
    rows = store.db.execute("SELECT name, stamp, settings, records FROM analysis_tables").fetchall()
    if not rows:
        return None
    tables = {r[0]: pd.read_parquet(io.BytesIO(r[3])) for r in rows}
    return tables, json.loads(rows[0][1]), json.loads(rows[0][2])


def _parquet_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()
