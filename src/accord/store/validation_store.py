"""Stored validations, as the analysis result and the report read them."""

from __future__ import annotations

import json
from typing import Any

from accord.store.corpus_store import CorpusStore


def latest_validation(
    store: CorpusStore, codebook_digest: str | None = None
) -> dict[str, Any] | None:
    """The most recent stored validation (of this codebook, when given), as saved by
    ``accord validate`` (``ValidationReport.as_dict``)."""
    query = "SELECT results FROM validation_results"
    params: tuple = ()
    if codebook_digest:
        query += " WHERE codebook_digest=?"
        params = (codebook_digest,)
    row = store.db.execute(query + " ORDER BY created_at DESC LIMIT 1", params).fetchone()
    return json.loads(row[0]) if row else None
