"""Result tables as the report reads them, and values made JSON-safe.

Tables come either straight from the analysis or back from the store (JSON, so NaN is None and
empty tables have no columns); ``table`` gives both the same shape.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from accord.analysis.results import AnalysisResult

DIGITS = 4  # numbers in the context: enough for display, few enough to keep goldens stable
# The columns the report reads from each result table (added as empty when a table lacks them).
TABLE_COLUMNS = {
    "domains": [
        "domain", "label", "ranked", "reason", "rank", "rank_low", "rank_high", "opportunity",
        "opportunity_low", "opportunity_high", "passages", "documents", "institutions",
    ],
    "coverage": ["institution", "domain", "coverage", "n_passages", "supported"],
    "profiles": ["institution", "domain", "dimension", "category", "share"],
    "alignment_pairs": ["domain", "institution_a", "institution_b", "similarity"],
    "institution_similarity": ["scope", "institution_a", "institution_b", "similarity"],
    "force_mix": ["domain", "force", "share"],
    "rank_stability": ["source", "domain", "rank", "probability"],
    "trends": ["year", "domain", "share", "n_passages"],
    "trends_approach": ["year", "approach", "share", "n_passages"],
    "institutions": [
        "institution", "institution_name", "family", "n_documents", "n_passages", "n_words",
        "supported_domains", "status",
    ],
    "evidence": [
        "domain", "scope", "rank", "passage_id", "institution", "institution_name", "title",
        "year", "page_start", "page_end", "url", "approaches", "labels", "text",
    ],
    "discovery": ["theme", "top_terms", "n_passages"],
}  # fmt: skip


def clean(value: Any) -> Any:
    """A JSON-safe copy: numpy scalars to Python, NaN to None, floats rounded to DIGITS."""
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else round(value, DIGITS) + 0.0
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def table_dict(frame: pd.DataFrame) -> dict[str, Any]:
    """A frame as ``{"columns": [...], "rows": [[...], ...]}`` for templates and JSON."""
    return {
        "columns": [str(c) for c in frame.columns],
        "rows": [clean(list(row)) for row in frame.itertuples(index=False, name=None)],
    }


def table(result: AnalysisResult, name: str) -> pd.DataFrame:
    """A result table with the columns the report reads, whatever way it was loaded.

    Tables reloaded from the store come back from JSON: empty ones without columns, and
    numeric columns holding None as ``object``; both are normalised here.
    """
    frame = numeric_columns(result.tables.get(name, pd.DataFrame()))
    for column in TABLE_COLUMNS.get(name, []):
        if column not in frame.columns:
            frame[column] = np.nan
    return frame


def numeric_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose ``object`` columns holding only numbers and None are numeric again."""
    frame = frame.copy()
    for column in frame.columns:
        if frame[column].dtype == object:
            values = frame[column].dropna()
            if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
                frame[column] = pd.to_numeric(frame[column], errors="coerce")
    return frame


def number(value: Any) -> float | None:
    """A cleaned number, or None for anything else (missing values, text, booleans)."""
    value = clean(value)
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def text(value: Any) -> str:
    """A cleaned value as text; missing values as ''."""
    value = clean(value)
    return "" if value is None else str(value)


def ranked_domains(result: AnalysisResult) -> pd.DataFrame:
    """The ranked rows of the domain table, best first."""
    domains = table(result, "domains")
    ranked = domains[domains["ranked"].fillna(False).astype(bool)]
    return ranked.sort_values(["rank", "domain"])
