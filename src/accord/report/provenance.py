"""What an analysis was made from, as the report describes it: the corpus, the codebook, the
validation of the coding, the settings and the software.

Each comes from the analysis result; the store is read only for what an older result does not
carry (``AnalysisResult.corpus``, ``codebook`` and ``validation`` left None).
"""

from __future__ import annotations

import os
import platform
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from accord.analysis.results import AnalysisResult
from accord.model.codebook import Codebook
from accord.report.measures import MEASURES
from accord.report.prose import caveats, corpus_sentence, digest_sentence
from accord.report.tables import table, table_dict
from accord.store.corpus_store import CorpusStore

CORPUS_KEYS = (
    "documents",
    "paraphrased_digests",
    "passages",
    "words",
    "by",
    "skipped",
    "near_duplicates",
    "unknown_organisations",
    "mixed_language",
)


def corpus_summary(result: AnalysisResult, store: CorpusStore | None) -> dict[str, Any] | None:
    if result.corpus is not None or store is None:
        return result.corpus
    from accord.store.summary import describe_corpus

    return describe_corpus(store)


def corpus_section(result: AnalysisResult, store: CorpusStore | None) -> dict[str, Any]:
    """What was read: counts by grouping, skipped files, near-duplicates, per-institution text."""
    institutions = table(result, "institutions").sort_values("institution")
    columns = [
        "institution_name",
        "family",
        "n_documents",
        "n_passages",
        "n_words",
        "supported_domains",
        "status",
    ]
    described = corpus_summary(result, store)
    section: dict[str, Any] = {
        "institutions": table_dict(institutions[columns].fillna({"status": "", "family": ""})),
        "available": described is not None,
    }
    if described is None:
        return section
    section.update({key: described.get(key) for key in CORPUS_KEYS})
    section["n_institutions"] = described["institutions"]
    return section


def _years(corpus: dict[str, Any]) -> list[int]:
    values = [row["value"] for row in (corpus.get("by") or {}).get("year", [])]
    return [int(v) for v in values if str(v).isdigit()]


def made_at(when: datetime | None = None) -> datetime:
    """When the report is made: ``when``, else the time ``SOURCE_DATE_EPOCH`` gives (the
    reproducible-builds convention, so that a rebuilt report has the same bytes), else now."""
    if when is not None:
        return when.astimezone(UTC)
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC)
    return datetime.now(UTC).replace(microsecond=0)


def header_section(
    result: AnalysisResult, corpus: dict[str, Any], when: datetime | None = None
) -> dict[str, Any]:
    """What the corpus is (documents, institutions, years, whether its texts are digests)
    and when the report was made."""
    if corpus.get("available"):
        documents, institutions = corpus["documents"], corpus["n_institutions"]
    else:  # the result's own tables still count documents and institutions
        rows = table(result, "institutions")
        documents, institutions = int(rows["n_documents"].fillna(0).sum()), len(rows)
    made = made_at(when)
    return {
        "corpus": corpus_sentence(documents, institutions, _years(corpus)),
        "digests": digest_sentence(corpus.get("paraphrased_digests") or 0, documents) or None,
        "made_at": made.isoformat().replace("+00:00", "Z"),
        "made_on": f"{made.day} {made:%B %Y}, {made:%H:%M} UTC",
    }


def _stored_codebook(result: AnalysisResult, store: CorpusStore | None) -> Codebook | None:
    if result.codebook is not None or store is None:
        return result.codebook
    from accord.coding.codebooks import parse_codebook
    from accord.store.coding_store import codebook_yaml

    text = codebook_yaml(store, result.stamp.codebook_digest)
    return parse_codebook(text, "stored codebook", check_patterns=False) if text else None


def codebook_section(result: AnalysisResult, store: CorpusStore | None) -> dict[str, Any]:
    """Name, version, hash and dimensions of the codebook the analysis used."""
    digest = result.stamp.codebook_digest
    codebook = _stored_codebook(result, store)
    if codebook is None:  # without the codebook, the result's labels still name every category
        return {
            "name": None,
            "version": None,
            "digest": digest,
            "dimensions": [
                {
                    "id": dimension,
                    "label": dimension.replace("_", " ").capitalize(),
                    "selection": None,
                    "description": "",
                    "categories": [
                        {"id": c, "label": label, "definition": ""} for c, label in labels.items()
                    ],
                }
                for dimension, labels in result.labels.items()
            ],
        }
    return {
        "name": codebook.name,
        "version": codebook.version,
        "digest": digest,
        "dimensions": [
            {
                "id": d.id,
                "label": d.label,
                "selection": d.selection,
                "description": " ".join(d.description.split()),
                "categories": [
                    {"id": c.id, "label": c.label, "definition": " ".join(c.definition.split())}
                    for c in d.categories
                ],
            }
            for d in codebook.dimensions
        ],
    }


def _stored_validation(result: AnalysisResult, store: CorpusStore | None) -> dict | None:
    if result.validation is not None or store is None:
        return result.validation
    from accord.store.validation_store import latest_validation

    return latest_validation(store, result.stamp.codebook_digest)


def validation_section(result: AnalysisResult, store: CorpusStore | None) -> dict[str, Any] | None:
    """The latest stored validation of this codebook, one row of headline scores per dimension."""
    report = _stored_validation(result, store)
    if not report:
        return None
    rows = []
    for dimension, scores in sorted(report.get("dimensions", {}).items()):
        accord, humans = scores.get("accord") or {}, scores.get("humans") or {}
        rows.append(
            {
                "dimension": dimension,
                "n_items": accord.get("n_items"),
                "f1": accord.get("macro_f1"),
                "kappa": accord.get("mean_kappa", accord.get("kappa")),
                "alpha": accord.get("mean_alpha", accord.get("alpha")),
                "human_kappa": humans.get("mean_kappa", humans.get("kappa")),
                "n_double_coded": scores.get("n_double_coded"),
            }
        )
    return {
        "gold": report.get("gold"),
        "coder": report.get("coder"),
        "n_items": report.get("n_items"),
        "dimensions": rows,
    }


def card_section(result: AnalysisResult) -> dict[str, Any] | None:
    """The packaged codebook's validation card, for the coder this analysis used: how that
    coder did against people on held-out documents (None for another codebook)."""
    from accord.coding.cards import validation_card

    card = validation_card(result.stamp.codebook_digest)
    if card is None:
        return None
    coder = next((c for c in result.stamp.coders if c in card["coders"]), None)
    scores = card["coders"].get(coder, {}) if coder else {}
    return {
        "codebook": card["codebook"],
        "version": card["codebook_version"],
        "coder": coder,
        "coders_measured": sorted(card["coders"]),
        "passages": card["test"]["passages"],
        "documents": card["test"]["documents"],
        "description": card["description"],
        "source": card["source"],
        "dimensions": [
            {
                "dimension": dimension,
                "metric": human["metric"],
                "value": scores.get(dimension, {}).get("value"),
                "low": (scores.get(dimension, {}).get("interval") or [None, None])[0],
                "high": (scores.get(dimension, {}).get("interval") or [None, None])[1],
                "humans": human["value"],
            }
            for dimension, human in card["humans"].items()
        ],
    }


def methods_section(
    result: AnalysisResult,
    store: CorpusStore | None,
    sections: list[dict[str, Any]],
    unranked: list[dict[str, Any]],
    corpus: dict[str, Any],
) -> dict[str, Any]:
    settings = result.settings
    codebook = codebook_section(result, store)
    validation = validation_section(result, store)
    card = card_section(result) if validation is None else None
    return {
        "codebook": codebook,
        "coders": list(result.stamp.coders),
        "validation": validation,
        "card": card,
        "weighting": settings.weighting,
        "opportunity_weights": settings.opportunity_weights.model_dump(),
        "alignment_weights": dict(sorted(settings.alignment_weights.items())),
        "support": settings.support.model_dump(),
        "uncertainty": {
            "bootstrap_resamples": settings.bootstrap_resamples,
            "weight_draws": settings.weight_draws,
            "weight_concentration": settings.weight_concentration,
            "confidence": settings.confidence,
            "top_k": settings.top_k,
            "seed": settings.seed,
        },
        "evidence": {
            "per_domain": settings.evidence_per_domain,
            "per_institution": settings.evidence_per_institution,
        },
        "measures": [{"key": m.key, "label": m.label, "meaning": m.meaning} for m in MEASURES],
        "caveats": caveats(
            result, sections, unranked, corpus, codebook, validation is not None, card
        ),
    }


def versions() -> dict[str, str]:
    """The libraries the numbers and the page depend on."""
    import jinja2
    import plotly

    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "plotly": plotly.__version__,
        "jinja2": jinja2.__version__,
    }


def reproducibility_section(result: AnalysisResult, command: str | None) -> dict[str, Any]:
    return {
        **result.stamp.as_dict(),
        "coders": list(result.stamp.coders),
        "command": command,
        "versions": versions(),
    }
