"""Read a corpus manifest (CSV or YAML): one row per document, row numbers kept for errors.

Columns: ``path`` (relative to the manifest) or ``url``, ``organisation``, ``title``, ``year``;
optional ``id``, ``document_type``, ``language``; any other column is kept as metadata.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from accord.errors import ManifestError
from accord.ingestion.readers.decoding import decode_text
from accord.model.provenance import Skipped

KNOWN_COLUMNS = ("id", "path", "url", "organisation", "title", "year", "document_type", "language")
# Spelling variants people use for the same column.
COLUMN_ALIASES = {
    "organization": "organisation",
    "org": "organisation",
    "publisher": "organisation",
    "file": "path",
    "filename": "path",
    "type": "document_type",
    "doc_type": "document_type",
    "lang": "language",
}
FILE_COLUMNS_HINT = "path"
_YEAR = re.compile(r"^\s*(\d{4})(?:\.0)?\s*$")


@dataclass(frozen=True, slots=True)
class ManifestRow:
    row: int  # as a spreadsheet shows it: the header is row 1 (CSV) / item number (YAML)
    file: Path | None
    url: str | None
    organisation: str
    title: str | None
    year: int | None
    id: str | None = None
    document_type: str | None = None
    language: str | None = None
    meta: dict[str, str] = field(default_factory=dict)
    flags: tuple[str, ...] = ()
    mentioned_files: tuple[Path, ...] = ()  # every file any file column names


@dataclass
class Manifest:
    path: Path
    rows: list[ManifestRow]
    problems: list[Skipped]

    def mentioned_files(self) -> set[Path]:
        return {f for row in self.rows for f in row.mentioned_files}


def read_manifest(path: str | Path, path_column: str = "path") -> Manifest:
    """Parse a manifest; malformed rows become ``Skipped`` problems, not exceptions, so that
    every row is either a ``ManifestRow`` or a problem naming its row number.

    Raises:
        ManifestError: the file cannot be read, lacks required columns, names a column twice
            or is not valid CSV (an unclosed quote).
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ManifestError(f"Cannot read manifest {path}: {exc.strerror}.") from exc
    records = _records(path, decode_text(data))
    if not records:
        raise ManifestError(f"{path}: the manifest has no rows.")
    columns = set().union(*(r.keys() for r in records.values())) - {_CELLS}
    _check_columns(path, columns, path_column)
    rows: list[ManifestRow] = []
    problems: list[Skipped] = []
    first_with_id: dict[str, int] = {}
    for number, record in records.items():
        try:
            row = _row(path, number, record, path_column)
            if row.id is not None and row.id in first_with_id:
                # The same id twice would make the second row a new version of the first,
                # hiding the first from every analysis.
                raise _RowProblem(f"id '{row.id}' is already used by row {first_with_id[row.id]}")
        except _RowProblem as exc:
            problems.append(
                Skipped(f"{path}#row{number}", "ingest", exc.reason, f"row {number}: {exc}", number)
            )
            continue
        if row.id is not None:
            first_with_id[row.id] = number
        rows.append(row)
    return Manifest(path, rows, problems)


class _RowProblem(ValueError):
    """Why one manifest row cannot be used; ``reason`` is its skip reason."""

    def __init__(self, message: str, reason: str = "bad-manifest-row"):
        super().__init__(message)
        self.reason = reason


# Key of a record whose cells do not match the header: "<cells>/<columns>".
_CELLS = "__cells__"


def _records(path: Path, text: str) -> dict[int, dict[str, str]]:
    if path.suffix.lower() in {".yaml", ".yml"}:
        return _yaml_records(path, text)
    # strict: an unclosed quote is an error, not a field that swallows the rows after it
    reader = csv.reader(io.StringIO(text), strict=True)
    records: dict[int, dict[str, str]] = {}
    start = 1
    try:
        header = next(reader, [])
        _check_unique(path, header)
        names = [_column(h) for h in header]
        while True:
            start = reader.line_num + 1
            cells = next(reader, None)
            if cells is None:
                break
            if not any(c.strip() for c in cells):
                continue  # a blank line, or a spreadsheet's empty row: not a row
            record = {n: c.strip() for n, c in zip(names, cells, strict=False) if n}
            if len(cells) != len(header):
                record[_CELLS] = f"{len(cells)}/{len(header)}"
            records[start] = record
    except csv.Error as exc:
        raise ManifestError(
            f"{path}: line {start}: not valid CSV ({exc}); nothing was ingested from it.",
            hint="Look for an unclosed quote at or after that line.",
        ) from exc
    if not header:
        raise ManifestError(f"{path}: the manifest is empty.")
    return records


def _check_unique(path: Path, fieldnames: list[str]) -> None:
    """Two columns that mean the same (path and file, or path twice) would hide one."""
    names = [_column(f) for f in fieldnames if f]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ManifestError(
            f"{path}: column(s) {', '.join(twice)} given more than once "
            f"(header: {', '.join(fieldnames)}).",
            hint="Keep one column of each name (file and filename are read as path).",
        )


def _yaml_records(path: Path, text: str) -> dict[int, dict[str, str]]:
    try:
        loaded: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ManifestError(f"{path}: not valid YAML ({exc}).") from exc
    if isinstance(loaded, dict):
        loaded = loaded.get("documents")
    if not isinstance(loaded, list):
        raise ManifestError(
            f"{path}: expected a list of documents (or a 'documents:' key holding one)."
        )
    records = {}
    for number, item in enumerate(loaded, start=1):
        if not isinstance(item, dict):
            item = {"__extra__": str(item)}
        records[number] = {
            _column(str(k)): "" if v is None else str(v).strip() for k, v in item.items()
        }
    return records


def _column(name: str) -> str:
    key = name.strip().lower().replace(" ", "_").lstrip("\ufeff")
    return COLUMN_ALIASES.get(key, key)


def _check_columns(path: Path, columns: set[str], path_column: str) -> None:
    missing = [c for c in ("organisation", "title", "year") if c not in columns]
    if path_column not in columns and "url" not in columns:
        missing.insert(0, f"{path_column} (or url)")
    if missing:
        raise ManifestError(
            f"{path}: missing column(s) {', '.join(missing)}.",
            hint=f"Columns found: {', '.join(sorted(columns))}. "
            "Use --path-column to name the file column.",
        )


def _row(manifest: Path, number: int, record: dict[str, str], path_column: str) -> ManifestRow:
    if _CELLS in record:
        cells, columns = record[_CELLS].split("/")
        raise _RowProblem(
            f"{cells} cell(s) where the header has {columns} column(s), so its cells cannot be "
            "matched to columns (a missing cell, or a comma in an unquoted cell)",
            reason="manifest-cell-count",
        )
    if record.get("__extra__"):
        raise _RowProblem("the item is not a mapping of column names to values")
    base = manifest.parent
    flags: list[str] = []
    file_value = record.get(path_column, "")
    if not file_value and path_column != "path" and record.get("path"):
        file_value = record["path"]
        flags.append("file-column-fallback")
    url = record.get("url") or None
    if not file_value and not url:
        raise _RowProblem(f"no file ('{path_column}') and no url")
    organisation = record.get("organisation", "")
    if not organisation:
        raise _RowProblem("organisation is empty")
    year = _year(record.get("year", ""))
    title = record.get("title") or None
    if title is None:
        flags.append("title-inferred")
    mentioned = tuple(
        resolved(base / value)
        for key, value in record.items()
        if value and (key == path_column or key == "path" or key.endswith("_path"))
    )
    meta = {k: v for k, v in record.items() if k not in KNOWN_COLUMNS and v}
    return ManifestRow(
        row=number,
        file=resolved(base / file_value) if file_value else None,
        url=url,
        organisation=organisation,
        title=title,
        year=year,
        id=record.get("id") or None,
        document_type=record.get("document_type") or None,
        language=record.get("language") or None,
        meta=meta,
        flags=tuple(flags),
        mentioned_files=mentioned,
    )


def resolved(path: Path) -> Path:
    """The absolute path with symlinks followed; a symlink loop stays as written (the
    pipeline skips it as symlink-loop)."""
    try:
        return path.resolve()
    except (RuntimeError, OSError):
        return path.absolute()


def _year(value: str) -> int | None:
    if not value:
        return None
    match = _YEAR.match(value)
    if not match or not 1900 <= int(match.group(1)) <= 2100:
        raise _RowProblem(f"year '{value}' is not a year between 1900 and 2100")
    return int(match.group(1))
