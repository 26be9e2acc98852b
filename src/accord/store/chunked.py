"""Queries over many ids, a bounded number at a time (SQLite limits the variables a statement
may bind, and long IN lists are slow to plan)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

IDS_PER_QUERY = 900  # under SQLite's default limit of 999 variables, leaving room for others


def rows_for_ids(
    db: sqlite3.Connection, sql: str, ids: Sequence[Any], params: Sequence[Any] = ()
) -> Iterator[tuple]:
    """The rows of ``sql`` for every id: ``sql`` holds one ``{ids}`` where the IN list of a
    chunk of ids goes, after the ``params`` it binds first."""
    for start in range(0, len(ids), IDS_PER_QUERY):
        chunk = list(ids[start : start + IDS_PER_QUERY])
        marks = ",".join("?" * len(chunk))
        yield from db.execute(sql.format(ids=marks), [*params, *chunk])
