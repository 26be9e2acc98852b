"""A Datasette metadata file for the store: ``datasette accord.db -m accord.metadata.json``.

The store already holds everything as real SQLite tables and views (store/views.sql, and one
``analysis_<name>`` table per analysis table); this file adds what a reader of them needs:
a description of each table and view, the facets worth clicking, and the stamp (versions and
digests) of the coding and analysis the tables come from.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from accord._version import __version__
from accord.store.coding_store import latest_coding
from accord.store.corpus_store import CorpusStore
from accord.store.exports import TABLE_PREFIX, stored_catalog

METADATA_SUFFIX = ".metadata.json"

# Table or view -> (description, facets). Analysis tables are named without their prefix.
TABLES: dict[str, tuple[str, list[str]]] = {
    "documents_with_institutions": (
        "Current documents with their institution, family, year, type, language and size.",
        ["family", "institution", "year", "document_type", "language"],
    ),
    "passages_with_documents": (
        "Every passage of a current document, with the document and institution it is from.",
        ["family", "institution", "year", "document_type"],
    ),
    "labels_with_passages": (
        "Each label of the latest coding (dimension, label, score, method, evidence spans "
        "within the passage) with its passage, document and institution.",
        ["dimension", "label", "family", "institution", "method"],
    ),
    "domains": (
        "The cooperation-opportunity ranking: one row per domain with its rank, score, "
        "components and bootstrap intervals (docs/methods.md).",
        ["ranked"],
    ),
    "coverage": (
        "How much of each institution's text addresses each domain, with intervals.",
        ["domain", "institution", "supported"],
    ),
    "profiles": (
        "Per institution and domain: the share of passages in each category of the other "
        "dimensions (approach, principle, security, cooperation, force).",
        ["dimension", "domain", "institution"],
    ),
    "alignment_pairs": (
        "Per domain: how alike two institutions' profiles are (1 - Jensen-Shannon distance).",
        ["domain"],
    ),
    "institution_similarity": (
        "How alike two institutions are overall and per scope.",
        ["scope"],
    ),
    "force_mix": ("Per domain: the share of passages of each binding force.", ["domain"]),
    "rank_stability": (
        "How often each domain took each rank across resamples (bootstrap, weights, joint).",
        ["source", "domain"],
    ),
    "trends": ("Each domain's share of passages by year.", ["domain"]),
    "trends_approach": ("Each approach's share of passages by year.", ["approach"]),
    "institutions": (
        "Institutions with their documents, passages, words and domains addressed.",
        ["family", "status"],
    ),
    "evidence": (
        "The passages cited as evidence for each domain and institution, best first.",
        ["domain", "scope", "institution"],
    ),
    "discovery": (
        "Themes among passages no domain captures (a codebook aid).",
        [],
    ),
}
# Binary caches: nothing a reader can use in a browser.
HIDDEN = ("embeddings",)


def metadata_path(store: CorpusStore) -> Path:
    """accord.db -> accord.metadata.json, beside the store."""
    path = Path(store.path)
    return path.with_name(path.stem + METADATA_SUFFIX)


def write_metadata(store: CorpusStore, path: Path | None = None) -> Path:
    path = Path(path) if path is not None else metadata_path(store)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(build_metadata(store), indent=1, sort_keys=True, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    return path


def build_metadata(store: CorpusStore) -> dict[str, Any]:
    catalog = stored_catalog(store)
    stamp = _stamp(store, catalog)
    analysis = catalog[0] if catalog else []
    tables: dict[str, Any] = {}
    for name in ["documents_with_institutions", "passages_with_documents"]:
        tables[name] = _table(name)
    if stamp.get("coder"):
        tables["labels_with_passages"] = _table("labels_with_passages")
    for name in analysis:
        tables[TABLE_PREFIX + name] = _table(name)
    for name in HIDDEN:
        tables[name] = {"hidden": True}
    stamp_text = "; ".join(f"{k} {v}" for k, v in sorted(stamp.items()))
    description = (
        "Policy documents on AI, their passages, the labels of the latest coding and the "
        f"analysis tables, written by Accord. Stamp: {stamp_text}."
    )
    return {
        "title": "Accord store",
        "description": description,
        "source": f"Accord {__version__}",
        "databases": {Path(store.path).stem: {"description": description, "tables": tables}},
    }


def _table(name: str) -> dict[str, Any]:
    description, facets = TABLES.get(name, (f"Analysis table '{name}' (see docs/methods.md).", []))
    entry: dict[str, Any] = {"description": description}
    if facets:
        entry["facets"] = facets
    return entry


def _stamp(store: CorpusStore, catalog: tuple[list[str], dict] | None) -> dict[str, Any]:
    """The analysis stamp when an analysis is stored, else the latest coding's."""
    if catalog is not None:
        stamp = dict(catalog[1])
        stamp["coder"] = ", ".join(stamp.pop("coders", []) or [])
        return {k: v for k, v in stamp.items() if v is not None}
    coding = latest_coding(store) or {}
    found = {
        "accord_version": __version__,
        "corpus_digest": store.corpus_digest(),
        "codebook_digest": coding.get("codebook_digest"),
        "coder": coding.get("coder"),
    }
    return {k: v for k, v in found.items() if v is not None}
