"""The measures a ranked domain is reported with: their definitions, once, and their values."""

from __future__ import annotations

from typing import Any, NamedTuple

import pandas as pd

from accord.model.rounding import rank_bounds
from accord.report.names import Names
from accord.report.tables import clean, number, text

LEADERS_PER_CATEGORY = 3


class Measure(NamedTuple):
    key: str  # the column of the domain table (with _low and _high for its interval)
    label: str
    kind: str  # "score", "count" or "share": how the value is printed
    meaning: str


MEASURES = (
    Measure(
        "opportunity",
        "Cooperation opportunity",
        "score",
        "The weighted sum of the five components below, each rescaled to 0–1 across the "
        "ranked domains.",
    ),
    Measure(
        "breadth", "Breadth", "count", "Institutions with enough text in the domain to address it."
    ),
    Measure(
        "alignment",
        "Alignment",
        "score",
        "How similar the institutions' approach and principle profiles are (1 = identical).",
    ),
    Measure(
        "alignment_approach",
        "Alignment of approaches",
        "score",
        "Similarity of the mix of regulatory, innovation and implementation measures.",
    ),
    Measure(
        "alignment_principle",
        "Alignment of principles",
        "score",
        "Similarity of the principles the institutions invoke.",
    ),
    Measure(
        "complementarity",
        "Complementarity",
        "score",
        "How far institutions cover different approach × principle combinations, a possible "
        "division of labour.",
    ),
    Measure(
        "cooperation",
        "Cooperation signals",
        "share",
        "Share of the domain's passages that call for international cooperation.",
    ),
    Measure(
        "security",
        "Security sensitivity",
        "share",
        "Share of the domain's passages touching security, defence or dual use; it lowers the "
        "opportunity.",
    ),
)


def _p_top(row: pd.Series, k: int, source: str = "joint") -> float | None:
    return number(row.get(f"p_top{k}_{source}"))


def _measure(row: pd.Series, key: str) -> dict[str, Any]:
    return {
        "value": number(row.get(key)),
        "low": number(row.get(f"{key}_low")),
        "high": number(row.get(f"{key}_high")),
    }


def domain_entry(row: pd.Series, names: Names, k: int) -> dict[str, Any]:
    """The numbers of one ranked domain, as the summary table and its section show them."""
    institutions = [i for i in text(row.get("institutions")).split(";") if i]
    low, high = rank_bounds(number(row.get("rank_low")), number(row.get("rank_high")))
    return {
        "domain": text(row["domain"]),
        "label": names.domain(text(row["domain"])),
        "anchor": f"domain-{text(row['domain'])}",
        "rank": int(row["rank"]),
        "rank_interval": [low, high],
        "p_top": {s: _p_top(row, k, s) for s in ("joint", "bootstrap", "weights")},
        "passages": int(number(row.get("passages")) or 0),
        "documents": int(number(row.get("documents")) or 0),
        "institutions": [{"id": i, "name": names.institution(i)} for i in institutions],
        "measures": [
            {"key": m.key, "label": m.label, "kind": m.kind, "meaning": m.meaning}
            | _measure(row, m.key)
            for m in MEASURES
        ],
    }


def measure_of(entry: dict[str, Any], key: str) -> dict[str, Any]:
    """One measure of a ``domain_entry`` by its key."""
    return next(m for m in entry["measures"] if m["key"] == key)


def leaders(
    profiles: pd.DataFrame, domain: str, dimension: str, names: Names
) -> list[dict[str, Any]]:
    """Per category of a dimension: its average share among the supported institutions and the
    institutions giving it the largest share (the mechanisms cooperation can build on)."""
    rows = profiles[(profiles["domain"] == domain) & (profiles["dimension"] == dimension)]
    result = []
    for category, group in rows.groupby("category", sort=True):
        top = group[group["share"] > 0].sort_values(
            ["share", "institution"], ascending=[False, True]
        )
        result.append(
            {
                "category": category,
                "label": names.category(dimension, category),
                "mean_share": clean(float(group["share"].mean())),
                "n_institutions": int((group["share"] > 0).sum()),
                "institutions": [
                    {
                        "id": r.institution,
                        "name": names.institution(r.institution),
                        "share": clean(r.share),
                    }
                    for r in top.head(LEADERS_PER_CATEGORY).itertuples(index=False)
                ],
            }
        )
    return sorted(result, key=lambda c: (-(c["mean_share"] or 0), c["category"]))
