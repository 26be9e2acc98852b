"""Draw a stratified sample of stored passages for people to code (seeded)."""

from __future__ import annotations

import csv
import random
from collections import defaultdict
from pathlib import Path

from accord.errors import ValidationDataError
from accord.model.codebook import Codebook
from accord.store.corpus_store import CorpusStore

NONE = "(none)"


def draw_sample(
    store: CorpusStore,
    codebook: Codebook,
    n: int,
    *,
    stratify: str | None = "domain",
    coding: dict | None = None,
    seed: int = 20261125,
) -> list[dict[str, str]]:
    """``n`` passages spread evenly over the strata (the coded categories of ``stratify``,
    plus passages with none), with empty label columns for each dimension."""
    rows = store.db.execute(
        """SELECT p.id, p.text, p.page_start, d.title, d.year, i.name AS institution
           FROM passages p JOIN documents d ON d.id=p.document_id
           JOIN institutions i ON i.id=d.institution_id WHERE d.is_current=1
           ORDER BY p.id"""
    ).fetchall()
    if not rows:
        raise ValidationDataError("The store has no passages to sample; ingest a corpus first.")
    if stratify and stratify not in codebook.ids:
        raise ValidationDataError(
            f"Cannot stratify by '{stratify}': the codebook has no such dimension.",
            hint=f"Choose one of: {', '.join(codebook.ids)}, or none.",
        )
    strata: dict[str, list] = defaultdict(list)
    labels = _stratum_labels(store, stratify, coding) if stratify else {}
    for row in rows:
        for stratum in labels.get(row["id"], [NONE]):
            strata[stratum].append(row)
    rng = random.Random(seed)
    chosen: dict[str, tuple[str, object]] = {}
    names = sorted(strata)
    quota = max(1, n // len(names))
    for name in names:
        pool = [r for r in strata[name] if r["id"] not in chosen]
        for row in rng.sample(pool, min(quota, len(pool))):
            chosen[row["id"]] = (name, row)
    leftovers = [r for r in rows if r["id"] not in chosen]
    for row in rng.sample(leftovers, max(0, min(n - len(chosen), len(leftovers)))):
        chosen[row["id"]] = ("fill", row)
    picked = (
        sorted(chosen.values(), key=lambda v: v[1]["id"])[:n]
        if len(chosen) > n
        else sorted(chosen.values(), key=lambda v: v[1]["id"])
    )
    return [
        {
            "passage_id": row["id"],
            "institution": row["institution"],
            "title": row["title"],
            "year": str(row["year"] or ""),
            "page": str(row["page_start"]),
            "stratum": stratum,
            "text": row["text"],
            **{d.id: "" for d in codebook.dimensions},
            "coder": "",
            "notes": "",
        }
        for stratum, row in picked
    ]


def _stratum_labels(
    store: CorpusStore, dimension: str, coding: dict | None
) -> dict[str, list[str]]:
    if coding is None:
        raise ValidationDataError(
            f"Stratifying by {dimension} needs coded passages.",
            hint="Run `accord code` first, or pass --stratify none.",
        )
    found: dict[str, list[str]] = defaultdict(list)
    for passage_id, category in store.db.execute(
        "SELECT passage_id, category FROM assignments WHERE codebook_digest=? AND coder=?"
        " AND dimension=? ORDER BY passage_id, category",
        (coding["codebook_digest"], coding["coder"], dimension),
    ):
        found[passage_id].append(category)
    return found


def write_sample(rows: list[dict[str, str]], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
