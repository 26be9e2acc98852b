"""Coded corpora built directly as tables, with a small codebook, for analysis tests."""

from __future__ import annotations

import pandas as pd

from accord.analysis.frames import CodedCorpus
from accord.model.codebook import Codebook


def _dimension(dim_id, ids, single=False):
    return {
        "id": dim_id,
        "label": dim_id.title(),
        "selection": "single" if single else "multi",
        **({"default": ids[-1]} if single else {}),
        "categories": [
            {"id": c, "label": c.title(), "definition": f"The category {c} here.", "patterns": [c]}
            for c in ids
        ],
    }


CODEBOOK = Codebook.model_validate(
    {
        "name": "synthetic",
        "version": "1",
        "dimensions": [
            _dimension("domain", ["alpha", "beta", "gamma", "delta"]),
            _dimension("approach", ["regulatory", "innovation", "implementation"]),
            _dimension("principle", ["fairness", "privacy", "safety", "openness"]),
            _dimension("security", ["security_sensitive"]),
            _dimension("cooperation", ["international_cooperation"]),
            _dimension("force", ["binding", "recommendation", "descriptive"], single=True),
        ],
    }
)


def build(documents: list[dict]) -> CodedCorpus:
    """``documents``: dicts with id, institution, year and ``passages``: a list of label dicts
    {dimension: [ids]} (one per passage)."""
    doc_rows, passage_rows, label_rows = [], [], []
    for doc in documents:
        doc_rows.append(
            {
                "document_id": doc["id"],
                "institution_id": doc["institution"],
                "institution": doc["institution"].upper(),
                "family": "other",
                "organisation": doc["institution"],
                "title": f"Title {doc['id']}",
                "year": doc.get("year", 2024),
                "document_type": "report",
                "language": "en",
                "url": None,
                "source": doc["id"],
                "n_passages": len(doc["passages"]),
                "n_words": 30 * len(doc["passages"]),
            }
        )
        for k, labels in enumerate(doc["passages"]):
            passage_id = f"{doc['id']}:{k:05d}"
            words = " ".join(f"w{doc['id']}x{k}y{j}" for j in range(30))
            passage_rows.append(
                {
                    "passage_id": passage_id,
                    "document_id": doc["id"],
                    "ordinal": k,
                    "page_start": 1,
                    "page_end": 1,
                    "n_words": 30,
                    "text": words,
                }
            )
            for dimension, categories in labels.items():
                for category in categories:
                    label_rows.append(
                        {
                            "passage_id": passage_id,
                            "dimension": dimension,
                            "category": category,
                            "score": 1.0,
                            "evidence": "[]",
                        }
                    )
    return CodedCorpus(
        pd.DataFrame(doc_rows),
        pd.DataFrame(passage_rows),
        pd.DataFrame(
            label_rows, columns=["passage_id", "dimension", "category", "score", "evidence"]
        ),
        CODEBOOK,
        "rules.v1",
        "corpus-digest",
    )


def passage(
    domain=(), approach=(), principle=(), security=False, cooperation=False, force="descriptive"
) -> dict:
    return {
        "domain": list(domain),
        "approach": list(approach),
        "principle": list(principle),
        "security": ["security_sensitive"] if security else [],
        "cooperation": ["international_cooperation"] if cooperation else [],
        "force": [force],
    }
