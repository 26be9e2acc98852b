"""What the store holds: counts by institution, family, year, type and language; skipped
files; near-duplicate pairs; unknown organisations; runs that did not finish."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from accord.store.corpus_store import CorpusStore
from accord.store.runs import unfinished_runs

# A manifest's `content` column (kept in the documents' metadata) saying that a text is not the
# original document but a paraphrase of it, as in the demo corpus; reports say so plainly.
DIGEST_CONTENT = "paraphrased digest"
GROUPINGS = {
    "institution": "i.name",
    "family": "i.family",
    "year": "coalesce(CAST(d.year AS TEXT), 'unknown')",
    "document_type": "coalesce(d.document_type, 'unknown')",
    "language": "coalesce(d.language, 'unknown')",
}
# How a text-like file's bytes were decoded; PDF and DOCX carry their text's encoding inside.
DECODING = "coalesce(d.encoding, 'in the file (' || d.format || ')')"


def describe_corpus(store: CorpusStore) -> dict[str, Any]:
    """A JSON-ready description of the current corpus."""
    db = store.db
    totals = db.execute(
        "SELECT count(*), coalesce(sum(n_passages), 0), coalesce(sum(n_words), 0),"
        " count(DISTINCT institution_id) FROM documents WHERE is_current=1"
    ).fetchone()
    summary: dict[str, Any] = {
        "store": store.path,
        "corpus_digest": store.corpus_digest(),
        "documents": totals[0],
        "passages": totals[1],
        "words": totals[2],
        "institutions": totals[3],
        "by": {name: _grouped(store, expression) for name, expression in GROUPINGS.items()},
        "decodings": _grouped(store, DECODING),
        "skipped": [asdict(s) for s in store.skipped()],
        "near_duplicates": _near_duplicates(store),
        "unknown_organisations": [
            r[0]
            for r in db.execute(
                "SELECT DISTINCT d.organisation FROM documents d JOIN institutions i"
                " ON i.id=d.institution_id WHERE d.is_current=1 AND i.is_known=0 ORDER BY 1"
            )
        ],
        "paraphrased_digests": db.execute(
            "SELECT count(*) FROM documents WHERE is_current=1"
            " AND lower(trim(json_extract(meta, '$.content'))) = ?",
            (DIGEST_CONTENT,),
        ).fetchone()[0],
        "mixed_language": [
            r[0]
            for r in db.execute(
                "SELECT title FROM documents WHERE is_current=1 AND is_mixed_language=1 ORDER BY 1"
            )
        ],
        "last_ingest": _last_run(store, "ingest"),
        "interrupted_runs": unfinished_runs(db),
    }
    return summary


def _grouped(store: CorpusStore, expression: str) -> list[dict[str, Any]]:
    rows = store.db.execute(
        f"SELECT {expression} AS value, count(*) AS documents, sum(d.n_passages) AS passages,"
        " sum(d.n_words) AS words FROM documents d JOIN institutions i ON i.id=d.institution_id"
        " WHERE d.is_current=1 GROUP BY value ORDER BY documents DESC, value"
    )
    return [dict(r) for r in rows]


def _near_duplicates(store: CorpusStore) -> list[dict[str, Any]]:
    rows = store.db.execute(
        "SELECT a.title AS title_a, a.year AS year_a, b.title AS title_b, b.year AS year_b,"
        " n.document_a, n.document_b, n.containment, n.jaccard FROM near_duplicates n"
        " JOIN documents a ON a.id=n.document_a JOIN documents b ON b.id=n.document_b"
        " ORDER BY n.containment DESC"
    )
    return [dict(r) for r in rows]


def _last_run(store: CorpusStore, stage: str) -> dict[str, Any] | None:
    row = store.db.execute(
        "SELECT id, started_at, finished_at, status, accord_version, stats FROM runs"
        " WHERE stage=? ORDER BY started_at DESC, id DESC LIMIT 1",
        (stage,),
    ).fetchone()
    return dict(row) if row else None
