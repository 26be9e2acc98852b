"""An analysis result (and its store) as the plain, JSON-safe dict every report format renders.

The context holds numbers, not formatted text, except for the plain-language paragraphs,
which are generated here from the numbers so that HTML, Markdown and JSON say the same thing.
Charts are described here too (their data, title and caption); ``charts.py`` draws them.
"""

from __future__ import annotations

import math
import platform
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pandas as pd

from accord.analysis.results import AnalysisResult
from accord.report.charts import NETWORK_THRESHOLD
from accord.store.corpus_store import CorpusStore

DIGITS = 4  # numbers in the context: enough for display, few enough to keep goldens stable
TREND_LINES = 8  # more lines than this make a trend chart unreadable
LEADERS_PER_CATEGORY = 3
EVIDENCE_PER_SECTION = 8
# Words for numbers in the paragraphs, highest threshold first. The cut-offs are reading aids,
# printed next to the numbers they describe, not statistical tests.
ALIGNMENT_WORDS = (
    (0.75, "closely aligned"),
    (0.5, "broadly aligned"),
    (0.25, "partly aligned"),
    (-math.inf, "far apart"),
)
SECURITY_WORDS = ((0.3, "high"), (0.1, "moderate"), (-math.inf, "low"))
CERTAINTY_WORDS = (
    (0.9, "almost certainly"),
    (0.6, "probably"),
    (0.3, "possibly"),
    (-math.inf, "unlikely to be"),
)
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
        "year", "page_start", "page_end", "url", "approaches", "text",
    ],
    "discovery": ["theme", "top_terms", "n_passages"],
}  # fmt: skip
MEASURES = (
    (
        "opportunity",
        "Cooperation opportunity",
        "score",
        "The weighted sum of the five components below, each rescaled to 0–1 across the "
        "ranked domains.",
    ),
    ("breadth", "Breadth", "count", "Institutions with enough text in the domain to address it."),
    (
        "alignment",
        "Alignment",
        "score",
        "How similar the institutions' approach and principle profiles are (1 = identical).",
    ),
    (
        "alignment_approach",
        "Alignment of approaches",
        "score",
        "Similarity of the mix of regulatory, innovation and implementation measures.",
    ),
    (
        "alignment_principle",
        "Alignment of principles",
        "score",
        "Similarity of the principles the institutions invoke.",
    ),
    (
        "complementarity",
        "Complementarity",
        "score",
        "How far institutions cover different approach × principle combinations, a possible "
        "division of labour.",
    ),
    (
        "cooperation",
        "Cooperation signals",
        "share",
        "Share of the domain's passages that call for international cooperation.",
    ),
    (
        "security",
        "Security sensitivity",
        "share",
        "Share of the domain's passages touching security, defence or dual use; it lowers the "
        "opportunity.",
    ),
)


@dataclass(frozen=True)
class Chart:
    """One chart: the tidy frame its figure is drawn from, and a table a reader can check."""

    id: str
    kind: str
    title: str
    caption: str
    frame: pd.DataFrame
    table: pd.DataFrame

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "title": self.title,
            "caption": self.caption,
            "table": table_dict(self.table),
        }


# ---------------------------------------------------------------- values and tables


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


def _number(value: Any) -> float | None:
    value = clean(value)
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def _text(value: Any) -> str:
    value = clean(value)
    return "" if value is None else str(value)


def passage_anchor(passage_id: str) -> str:
    """The HTML id of a cited passage (ids hold ':' which CSS selectors would need escaped).

    Example:
        >>> passage_anchor("d-0123456789ab:00007")
        'passage-d-0123456789ab-00007'
    """
    return "passage-" + re.sub(r"[^A-Za-z0-9_-]", "-", passage_id)


def safe_url(url: Any) -> str | None:
    """The URL when it is a web address; anything else (javascript:, data:, paths) is dropped
    because autoescaping does not stop a hostile scheme in an href.

    Example:
        >>> safe_url("javascript:alert(1)") is None
        True
    """
    text = _text(url).strip()
    parts = urlsplit(text)
    return text if parts.scheme in ("http", "https") and parts.netloc else None


def pages(start: Any, end: Any) -> str:
    """A page reference for a citation.

    Example:
        >>> pages(3, 4)
        'pp. 3–4'
    """
    first, last = _number(start), _number(end)
    if first is None:
        return ""
    if last is None or int(last) == int(first):
        return f"p. {int(first)}"
    return f"pp. {int(first)}–{int(last)}"


class Names:
    """Display names for ids: institutions from the result, categories from the codebook."""

    def __init__(self, result: AnalysisResult):
        institutions = table(result, "institutions")
        self.institutions = {
            _text(row.institution): _text(row.institution_name) or _text(row.institution)
            for row in institutions.itertuples(index=False)
        }
        self.labels = result.labels
        domains = table(result, "domains")
        self.domains = {
            **self.labels.get("domain", {}),
            **{_text(r.domain): _text(r.label) for r in domains.itertuples() if _text(r.label)},
        }

    def institution(self, institution_id: str) -> str:
        return self.institutions.get(institution_id, institution_id)

    def domain(self, domain_id: str) -> str:
        return self.domains.get(domain_id, domain_id)

    def category(self, dimension: str, category_id: str) -> str:
        return self.labels.get(dimension, {}).get(category_id, category_id.replace("_", " "))


# ---------------------------------------------------------------- domains and paragraphs


def ranked_domains(result: AnalysisResult) -> pd.DataFrame:
    domains = table(result, "domains")
    ranked = domains[domains["ranked"].fillna(False).astype(bool)]
    return ranked.sort_values(["rank", "domain"])


def _p_top(row: pd.Series, k: int, source: str = "joint") -> float | None:
    return _number(row.get(f"p_top{k}_{source}"))


def _measure(row: pd.Series, key: str) -> dict[str, Any]:
    return {
        "value": _number(row.get(key)),
        "low": _number(row.get(f"{key}_low")),
        "high": _number(row.get(f"{key}_high")),
    }


def domain_entry(row: pd.Series, names: Names, k: int) -> dict[str, Any]:
    """The numbers of one ranked domain, as the summary table and its section show them."""
    institutions = [i for i in _text(row.get("institutions")).split(";") if i]
    low, high = _number(row.get("rank_low")), _number(row.get("rank_high"))
    return {
        "domain": _text(row["domain"]),
        "label": names.domain(_text(row["domain"])),
        "anchor": f"domain-{_text(row['domain'])}",
        "rank": int(row["rank"]),
        "rank_interval": [
            math.floor(low) if low is not None else None,
            math.ceil(high) if high is not None else None,
        ],
        "p_top": {s: _p_top(row, k, s) for s in ("joint", "bootstrap", "weights")},
        "passages": int(_number(row.get("passages")) or 0),
        "documents": int(_number(row.get("documents")) or 0),
        "institutions": [{"id": i, "name": names.institution(i)} for i in institutions],
        "measures": [
            {"key": key, "label": label, "kind": kind, "meaning": meaning, **_measure(row, key)}
            for key, label, kind, meaning in MEASURES
        ],
    }


def _measure_of(entry: dict[str, Any], key: str) -> dict[str, Any]:
    return next(m for m in entry["measures"] if m["key"] == key)


def _listing(items: list[str], limit: int = 4) -> str:
    """'A', 'A and B', 'A, B and C', 'A, B, C and 3 others'."""
    if len(items) > limit:
        items = [*items[: limit - 1], f"{len(items) - limit + 1} others"]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _grade(value: float, scale: tuple[tuple[float, str], ...]) -> str:
    """The word of the first threshold the value reaches (scales end with -inf).

    Example:
        >>> _grade(0.6, ALIGNMENT_WORDS)
        'broadly aligned'
    """
    return next(word for threshold, word in scale if value >= threshold)


def _varies(measure: dict[str, Any]) -> bool:
    """Whether an interval is worth printing (resampling ran and moved the value)."""
    return (
        measure["low"] is not None
        and measure["high"] is not None
        and (measure["high"] - measure["low"] > 10**-DIGITS)
    )


def _interval(measure: dict[str, Any], confidence: float, show: Callable[[float], str]) -> str:
    """ "95% interval 0.41–0.58", or "" when resampling did not move the value."""
    if not _varies(measure):
        return ""
    return f"{confidence:.0%} interval {show(measure['low'])}–{show(measure['high'])}"


def _alignment_sentence(alignment: dict[str, Any], confidence: float) -> str:
    value = alignment["value"]
    if value is None:
        return "Their profiles could not be compared (no approach or principle coding)."
    words = _grade(value, ALIGNMENT_WORDS)
    interval = _interval(alignment, confidence, "{:.2f}".format)
    interval = f", {interval}" if interval else ""
    return f"Their approaches and principles are {words} (alignment {value:.2f}{interval})."


def _approach_sentence(leaders: list[dict[str, Any]]) -> str:
    if not leaders:
        return ""
    first = leaders[0]
    text = f"{first['label']} measures lead the approach mix ({_percent(first['mean_share'])}"
    text += " on average"
    if len(leaders) > 1 and leaders[1]["mean_share"]:
        second = leaders[1]
        text += f", ahead of {second['label'].lower()} at {_percent(second['mean_share'])}"
    owners = [
        f"{c['institutions'][0]['name']} on {c['label'].lower()}"
        for c in leaders[:3]
        if c["institutions"]
    ]
    text += ")."
    if owners:
        text += f" The largest shares: {_listing(owners, 3)}."
    return text


def _security_sentence(security: dict[str, Any], confidence: float) -> str:
    value = security["value"]
    if value is None:
        return ""
    level = _grade(value, SECURITY_WORDS)
    interval = _interval(security, confidence, _percent)
    interval = f" ({interval})" if interval else ""
    return (
        f"Security sensitivity is {level}: {_percent(value)} of its passages touch security"
        f"{interval}."
    )


def _certainty_sentence(entry: dict[str, Any], n_ranked: int, k: int) -> str:
    low, high = entry["rank_interval"]
    span = f"rank interval {low}–{high}" if low is not None else "no resampling interval"
    p = entry["p_top"]["joint"]
    if n_ranked <= k or p is None:
        return f"How sure: {span}."
    words = _grade(p, CERTAINTY_WORDS)
    return (
        f"How sure: {span}; it is {words} among the top {k} "
        f"({_percent(p)} of bootstrap resamples and weight draws)."
    )


def describe_domain(
    entry: dict[str, Any], leaders: list[dict[str, Any]], n_ranked: int, k: int, confidence: float
) -> str:
    """A plain-language paragraph, generated from the numbers, about one ranked domain."""
    names = [i["name"] for i in entry["institutions"]]
    cooperation = _measure_of(entry, "cooperation")["value"]
    who = ""
    if names:
        count = (
            "One institution addresses" if len(names) == 1 else f"{len(names)} institutions address"
        )
        who = f"{count} it: {_listing(names)}."
    sentences = [
        f"{entry['label']} ranks {_ordinal(entry['rank'])} of {n_ranked} ranked domains.",
        who,
        _alignment_sentence(_measure_of(entry, "alignment"), confidence),
        _approach_sentence(leaders),
        _security_sentence(_measure_of(entry, "security"), confidence),
        f"{_percent(cooperation)} of its passages call for international cooperation."
        if cooperation is not None
        else "",
        _certainty_sentence(entry, n_ranked, k),
    ]
    return " ".join(s for s in sentences if s)


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


# ---------------------------------------------------------------- evidence


def evidence_items(
    result: AnalysisResult, domain: str, names: Names, seen: set[str]
) -> list[dict[str, Any]]:
    """The domain's diverse evidence list (scope 'domain'), each passage with its citation.

    A passage cited under several domains gets its anchor only the first time (ids must be
    unique); later copies link back to it.
    """
    evidence = table(result, "evidence")
    rows = evidence[(evidence["domain"] == domain) & (evidence["scope"] == "domain")]
    items = []
    for row in rows.sort_values("rank").head(EVIDENCE_PER_SECTION).itertuples(index=False):
        passage_id = _text(row.passage_id)
        anchor = passage_anchor(passage_id)
        year = _number(row.year)
        items.append(
            {
                "passage_id": passage_id,
                "anchor": None if anchor in seen else anchor,
                "href": f"#{anchor}",
                "institution": _text(row.institution),
                "institution_name": _text(row.institution_name)
                or names.institution(_text(row.institution)),
                "title": _text(row.title),
                "year": int(year) if year is not None else None,
                "pages": pages(row.page_start, row.page_end),
                "url": safe_url(row.url),
                "approaches": [
                    names.category("approach", a) for a in _text(row.approaches).split(";") if a
                ],
                "text": _text(row.text),
            }
        )
        seen.add(anchor)
    return items


def citation(item: dict[str, Any]) -> str:
    """'WHO, Medical imaging note (2021), p. 3'."""
    year = f" ({item['year']})" if item["year"] else ""
    where = f", {item['pages']}" if item["pages"] else ""
    return f"{item['institution_name']}, {item['title']}{year}{where}"


# ---------------------------------------------------------------- charts


def _chart_frames(result: AnalysisResult, names: Names) -> dict[str, pd.DataFrame]:
    domains = table(result, "domains")
    order = [names.domain(d) for d in domains["domain"]]
    ranked = ranked_domains(result)
    frames: dict[str, pd.DataFrame] = {}

    def by_domain_order(frame: pd.DataFrame) -> pd.DataFrame:
        position = {label: k for k, label in enumerate(order)}
        return frame.sort_values("domain", key=lambda s: s.map(position), kind="stable")

    coverage = table(result, "coverage").dropna(subset=["coverage"])
    if len(coverage):
        coverage = coverage.assign(
            domain=coverage["domain"].map(names.domain),
            institution=coverage["institution"].map(names.institution),
        ).sort_values("institution", kind="stable")
        frames["coverage"] = by_domain_order(
            coverage[["domain", "institution", "coverage", "n_passages"]]
        )
    profiles = table(result, "profiles")
    approach = profiles[profiles["dimension"] == "approach"]
    if len(approach):
        mix = approach.groupby(["domain", "category"], sort=False)["share"].mean().reset_index()
        mix = mix.assign(
            domain=mix["domain"].map(names.domain),
            approach=mix["category"].map(lambda c: names.category("approach", c)),
        )
        frames["approach_mix"] = by_domain_order(mix[["domain", "approach", "share"]])
    force = table(result, "force_mix").dropna(subset=["share"])
    force = force[force.groupby("domain")["share"].transform("sum") > 0]
    if len(force):
        force = force.assign(
            domain=force["domain"].map(names.domain),
            force=force["force"].map(lambda c: names.category("force", c)),
        )
        frames["force_mix"] = by_domain_order(force[["domain", "force", "share"]])
    if len(ranked):
        columns = ["opportunity", "security"]
        scatter = ranked[
            ["domain"] + [f"{c}{s}" for c in columns for s in ("", "_low", "_high")]
        ].assign(domain=ranked["domain"].map(names.domain))
        frames["opportunity_security"] = scatter.reset_index(drop=True)
    stability = table(result, "rank_stability")
    source = next(
        (s for s in ("joint", "bootstrap", "weights") if (stability["source"] == s).any()), None
    )
    if source and len(ranked):
        rows = stability[stability["source"] == source]
        rank_of = dict(zip(ranked["domain"], ranked["rank"], strict=True))
        rows = rows[rows["domain"].isin(rank_of)]
        rows = rows.assign(order=rows["domain"].map(rank_of)).sort_values(["order", "rank"])
        frames["rank_stability"] = rows.assign(
            domain=rows["domain"].map(names.domain), rank=rows["rank"].astype(int)
        )[["domain", "rank", "probability"]]
    trends = table(result, "trends").dropna(subset=["year"])
    if len(trends):
        chosen = _trend_domains(result, trends)
        trends = trends[trends["domain"].isin(chosen)]
        trends = trends.assign(
            order=trends["domain"].map({d: k for k, d in enumerate(chosen)}),
            domain=trends["domain"].map(names.domain),
            year=trends["year"].astype(int),
        ).sort_values(["order", "year"])
        frames["trends"] = trends[["year", "domain", "share"]]
    approach_trends = table(result, "trends_approach").dropna(subset=["year"])
    if len(approach_trends):
        frames["trends_approach"] = approach_trends.assign(
            approach=approach_trends["approach"].map(lambda c: names.category("approach", c)),
            year=approach_trends["year"].astype(int),
        )[["year", "approach", "share"]]
    similarity = table(result, "institution_similarity")
    overall = similarity[similarity["scope"] == "overall"].dropna(subset=["similarity"])
    if len(overall):
        frames["network"] = overall.assign(
            institution_a=overall["institution_a"].map(names.institution),
            institution_b=overall["institution_b"].map(names.institution),
        )[
            ["institution_a", "institution_b", "similarity"]
        ].sort_values(
            ["similarity", "institution_a", "institution_b"], ascending=[False, True, True]
        )
    return frames


def _trend_domains(result: AnalysisResult, trends: pd.DataFrame) -> list[str]:
    """The ranked domains best first, else the most discussed ones, at most TREND_LINES."""
    ranked = list(ranked_domains(result)["domain"])
    if ranked:
        return ranked[:TREND_LINES]
    volume = (
        trends.groupby("domain")["n_passages"].sum().sort_values(ascending=False, kind="stable")
    )
    return list(volume.index[:TREND_LINES])


def _pivot(frame: pd.DataFrame, index: str, columns: str, values: str) -> pd.DataFrame:
    order_index = list(dict.fromkeys(frame[index]))
    order_columns = list(dict.fromkeys(frame[columns]))
    grid = frame.pivot_table(index=index, columns=columns, values=values, aggfunc="first")
    grid = grid.reindex(index=order_index, columns=order_columns)
    grid.columns = [str(c) for c in grid.columns]
    return grid.reset_index()


CHART_TEXT = {
    "opportunity_security": (
        "Opportunity and security sensitivity of the ranked domains",
        "Each point is a ranked domain: its cooperation-opportunity score (vertical) against the "
        "share of its passages that are security-sensitive (horizontal). Bars show the "
        "{confidence} bootstrap intervals. Domains towards the top left are the easier places "
        "to start.",
    ),
    "rank_stability": (
        "How stable the ranking is",
        "Probability of each rank for each ranked domain, over {draws} combined bootstrap "
        "resamples and random draws of the opportunity weights. A single bright cell means a "
        "stable rank; a spread row means the rank depends on the sample or on the weights.",
    ),
    "coverage": (
        "Coverage of domains by institution",
        "Share of each institution's text that addresses each domain ({weighting} weighting). "
        "Lighter cells mean more text; the colour scale (cividis) is readable with colour-vision "
        "deficiencies.",
    ),
    "approach_mix": (
        "Approach mix by domain",
        "Average share of regulatory, innovation and implementation measures among the "
        "institutions that address each domain.",
    ),
    "force_mix": (
        "Binding force by domain",
        "Share of each domain's passages by the force of their language.",
    ),
    "trends": (
        "Domains over time",
        "Share of the text of each year's documents that addresses each domain; {which}. Years "
        "with few documents swing widely.",
    ),
    "trends_approach": (
        "Approaches over time",
        "Average approach mix of each year's documents (documents with at least one coded "
        "measure).",
    ),
    "network": (
        "Which institutions cover the same domains",
        "Institutions on a circle (alphabetical, clockwise from the top), joined when the "
        "similarity of their domain coverage profiles is at least {threshold:.2f} (1 minus the "
        "Jensen–Shannon distance); thicker lines are more similar. The table lists every pair.",
    ),
}


def _display_table(kind: str, frame: pd.DataFrame) -> pd.DataFrame:
    if kind == "coverage":
        return _pivot(frame, "domain", "institution", "coverage")
    if kind == "approach_mix":
        return _pivot(frame, "domain", "approach", "share")
    if kind == "force_mix":
        return _pivot(frame, "domain", "force", "share")
    if kind == "rank_stability":
        return _pivot(frame, "domain", "rank", "probability").fillna(0.0)
    if kind == "trends":
        return _pivot(frame, "year", "domain", "share")
    if kind == "trends_approach":
        return _pivot(frame, "year", "approach", "share")
    return frame.reset_index(drop=True)


def chart_specs(result: AnalysisResult, names: Names | None = None) -> list[Chart]:
    """Every chart the report shows: the overview charts, then one alignment matrix per ranked
    domain (id ``alignment-<domain>``). Charts without data are left out."""
    names = names or Names(result)
    settings = result.settings
    ranked = list(ranked_domains(result)["domain"])
    fill = {
        "confidence": f"{settings.confidence:.0%}",
        "draws": settings.bootstrap_resamples * max(settings.weight_draws, 1),
        "weighting": settings.weighting,
        "threshold": NETWORK_THRESHOLD,
        "which": "the ranked domains, best first"
        if ranked
        else f"the {TREND_LINES} domains with most passages",
    }
    charts = []
    for kind, frame in _chart_frames(result, names).items():
        title, caption = CHART_TEXT[kind]
        caption = caption.format(**fill)
        if kind == "network":
            drawn = int((frame["similarity"] >= NETWORK_THRESHOLD).sum())
            caption += f" {drawn} of {len(frame)} pairs reach the threshold."
        charts.append(
            Chart(
                kind,
                kind,
                title,
                caption,
                frame.reset_index(drop=True),
                _display_table(kind, frame),
            )
        )
    pairs = table(result, "alignment_pairs").dropna(subset=["similarity"])
    for domain in ranked:
        rows = pairs[pairs["domain"] == domain]
        if rows.empty:
            continue
        frame = rows.assign(
            institution_a=rows["institution_a"].map(names.institution),
            institution_b=rows["institution_b"].map(names.institution),
        )[["institution_a", "institution_b", "similarity"]].reset_index(drop=True)
        charts.append(
            Chart(
                f"alignment-{domain}",
                "alignment",
                f"Who agrees with whom on {names.domain(domain).lower()}",
                "Alignment of each pair of institutions' approach and principle profiles in "
                "this domain (1 = identical mix). Lighter cells are closer pairs.",
                frame,
                frame,
            )
        )
    return charts


# ---------------------------------------------------------------- sections


def summary_section(
    result: AnalysisResult, sections: list[dict[str, Any]], charts: dict[str, Chart]
) -> dict[str, Any]:
    domains = table(result, "domains")
    k = result.settings.top_k
    n_ranked = len(sections)
    if n_ranked:
        top = _listing([s["label"] for s in sections[:3]], 3)
        headline = (
            f"Of {len(domains)} domains in the codebook, {n_ranked} have enough evidence to be "
            f"ranked. The strongest opportunities for cooperation are in {top}."
        )
    else:
        headline = (
            f"None of the {len(domains)} domains in the codebook has enough coded evidence to "
            "be ranked; the section on unranked domains says what each one lacks."
        )
    return {
        "headline": headline,
        "top_k": k,
        "confidence": result.settings.confidence,
        "ranked": [
            {key: s[key] for key in ("domain", "label", "anchor", "rank", "rank_interval")}
            | {
                "opportunity": _measure_of(s, "opportunity"),
                "breadth": _measure_of(s, "breadth")["value"],
                "alignment": _measure_of(s, "alignment")["value"],
                "security": _measure_of(s, "security")["value"],
                "p_top": s["p_top"]["joint"],
            }
            for s in sections
        ],
        "paragraphs": [
            {
                "domain": s["domain"],
                "label": s["label"],
                "anchor": s["anchor"],
                "text": s["paragraph"],
                "cite": (
                    {"href": s["evidence"][0]["href"], "text": citation(s["evidence"][0])}
                    if s["evidence"]
                    else None
                ),
            }
            for s in sections[:k]
        ],
        "charts": [
            charts[c].as_dict() for c in ("opportunity_security", "rank_stability") if c in charts
        ],
    }


def domain_sections(result: AnalysisResult, names: Names) -> list[dict[str, Any]]:
    """One section per ranked domain, best first."""
    ranked = ranked_domains(result)
    profiles = table(result, "profiles")
    force = table(result, "force_mix")
    settings = result.settings
    seen: set[str] = set()
    sections = []
    for _, row in ranked.iterrows():
        entry = domain_entry(row, names, settings.top_k)
        domain = entry["domain"]
        approaches = leaders(profiles, domain, "approach", names)
        entry["approaches"] = approaches
        entry["principles"] = leaders(profiles, domain, "principle", names)
        entry["force"] = [
            {
                "category": r.force,
                "label": names.category("force", r.force),
                "share": clean(r.share),
            }
            for r in force[force["domain"] == domain].itertuples(index=False)
            if _number(r.share)
        ]
        entry["paragraph"] = describe_domain(
            entry, approaches, len(ranked), settings.top_k, settings.confidence
        )
        entry["evidence"] = evidence_items(result, domain, names, seen)
        sections.append(entry)
    return sections


def unranked_domains(result: AnalysisResult, names: Names) -> list[dict[str, Any]]:
    domains = table(result, "domains")
    rows = domains[~domains["ranked"].fillna(False).astype(bool)].sort_values("domain")
    return [
        {
            "domain": _text(r.domain),
            "label": names.domain(_text(r.domain)),
            "reason": _text(r.reason),
            "passages": int(_number(r.passages) or 0),
            "documents": int(_number(r.documents) or 0),
            "institutions": len([i for i in _text(r.institutions).split(";") if i]),
        }
        for r in rows.itertuples(index=False)
    ]


def corpus_section(result: AnalysisResult, store: CorpusStore | None) -> dict[str, Any]:
    """What was read: counts by grouping, skipped files, near-duplicates, per-institution text."""
    institutions = table(result, "institutions").sort_values("institution")
    section: dict[str, Any] = {
        "institutions": table_dict(
            institutions[
                [
                    "institution_name",
                    "family",
                    "n_documents",
                    "n_passages",
                    "n_words",
                    "supported_domains",
                    "status",
                ]
            ].fillna({"status": "", "family": ""})
        ),
        "available": store is not None,
    }
    if store is None:
        return section
    from accord.store.summary import describe_corpus

    described = describe_corpus(store)
    section.update(
        {
            key: described[key]
            for key in (
                "documents",
                "passages",
                "words",
                "by",
                "skipped",
                "near_duplicates",
                "unknown_organisations",
                "mixed_language",
            )
        }
    )
    section["n_institutions"] = described["institutions"]
    return section


def _codebook(result: AnalysisResult, store: CorpusStore | None) -> dict[str, Any]:
    """Name, version, hash and dimensions of the codebook the analysis used."""
    digest = result.stamp.codebook_digest
    codebook = None
    if store is not None:
        from accord.coding.codebooks import parse_codebook
        from accord.store.coding_store import codebook_yaml

        text = codebook_yaml(store, digest)
        codebook = parse_codebook(text, "stored codebook", check_patterns=False) if text else None
    if codebook is None:  # without the store, the result's labels still name every category
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


def _validation(store: CorpusStore | None, digest: str) -> dict[str, Any] | None:
    """The latest stored validation of this codebook, one row of headline scores per dimension."""
    if store is None:
        return None
    from accord.validation.runner import latest_validation

    report = latest_validation(store, digest)
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


def caveats(
    result: AnalysisResult,
    sections: list[dict[str, Any]],
    unranked: list[dict[str, Any]],
    corpus: dict[str, Any],
    codebook: dict[str, Any],
    validated: bool,
) -> list[str]:
    """Limitations that follow from this corpus and run, worded for a reader of the report."""
    notes = []
    thin = table(result, "institutions")
    thin = thin[thin["status"].fillna("").astype(str).str.len() > 0]
    if len(thin):
        names = sorted(_text(n) for n in thin["institution_name"])
        notes.append(
            f"{_listing(names, 6)} {'has' if len(names) == 1 else 'have'} too little coded text "
            f"to address any domain (at least {result.settings.support.min_passages} passages "
            "in a domain are needed), so they count in no domain's breadth or alignment."
        )
    if unranked:
        notes.append(
            f"{len(unranked)} domain{'s are' if len(unranked) != 1 else ' is'} not ranked for "
            "lack of evidence; absence from the ranking does not mean absence of cooperation."
        )
    n = len(sections)
    wide = [
        s["label"]
        for s in sections
        if s["rank_interval"][0] is not None
        and s["rank_interval"][1] - s["rank_interval"][0] >= max(3, math.ceil(n / 3))
    ]
    if wide:
        notes.append(
            f"The rank of {_listing(wide, 6)} is uncertain (wide rank interval); read "
            "neighbouring ranks as ties."
        )
    if result.settings.bootstrap_resamples == 0:
        notes.append("Bootstrap resampling was off, so no intervals are shown.")
    dimensions = {d["id"] for d in codebook["dimensions"]}
    missing = sorted({"approach", "principle", "security", "cooperation"} - dimensions)
    if missing:
        notes.append(
            f"The codebook has no {', '.join(missing)} dimension; the measures built on "
            f"{'it' if len(missing) == 1 else 'them'} are empty."
        )
    if corpus.get("skipped"):
        notes.append(
            f"{len(corpus['skipped'])} input file(s) could not be read and are not analysed "
            "(listed in the corpus section)."
        )
    if corpus.get("near_duplicates"):
        notes.append(
            f"{len(corpus['near_duplicates'])} pair(s) of documents are near-duplicates; shared "
            "text counts twice."
        )
    if any(c.startswith("rules") for c in result.stamp.coders):
        notes.append(
            "Passages were coded by keyword rules, which miss paraphrases and can fire on "
            "words used in another sense."
        )
    if not validated:
        notes.append(
            "No agreement with human coding is stored for this codebook, so the coding's "
            "accuracy on this corpus is unmeasured."
        )
    return notes


def methods_section(
    result: AnalysisResult,
    store: CorpusStore | None,
    sections: list[dict[str, Any]],
    unranked: list[dict[str, Any]],
    corpus: dict[str, Any],
) -> dict[str, Any]:
    settings = result.settings
    codebook = _codebook(result, store)
    validation = _validation(store, result.stamp.codebook_digest)
    return {
        "codebook": codebook,
        "coders": list(result.stamp.coders),
        "validation": validation,
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
        "measures": [
            {"key": key, "label": label, "meaning": meaning} for key, label, _, meaning in MEASURES
        ],
        "caveats": caveats(result, sections, unranked, corpus, codebook, validation is not None),
    }


def _versions() -> dict[str, str]:
    import jinja2
    import plotly

    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "plotly": plotly.__version__,
        "jinja2": jinja2.__version__,
    }


def discovery_section(result: AnalysisResult) -> list[dict[str, Any]]:
    frame = table(result, "discovery").dropna(subset=["theme"])
    return [
        {
            "theme": int(r.theme),
            "top_terms": _text(r.top_terms),
            "n_passages": int(_number(r.n_passages) or 0),
        }
        for r in frame.itertuples(index=False)
    ]


def build_context(
    result: AnalysisResult,
    store: CorpusStore | None = None,
    command: str | None = None,
    charts: list[Chart] | None = None,
) -> dict[str, Any]:
    """The whole report as plain data (JSON-safe; see ``render.write_report`` for formats).

    Args:
        result: the analysis to report.
        store: the store it came from; adds the corpus description, the codebook's
            definitions and validation scores. Without it those parts are left out.
        command: the command line that produced the report, for the reproducibility stamp.
        charts: chart specs already built (``chart_specs``), to avoid building them twice.
    """
    names = Names(result)
    charts = charts if charts is not None else chart_specs(result, names)
    by_id = {c.id: c for c in charts}
    sections = domain_sections(result, names)
    for section in sections:
        chart = by_id.get(f"alignment-{section['domain']}")
        section["chart"] = chart.as_dict() if chart else None
    unranked = unranked_domains(result, names)
    corpus = corpus_section(result, store)
    overview = ("coverage", "approach_mix", "force_mix", "trends", "trends_approach", "network")
    context = {
        "title": "Accord report: where international organisations already agree on AI",
        "summary": summary_section(result, sections, by_id),
        "overview": {"charts": [by_id[c].as_dict() for c in overview if c in by_id]},
        "corpus": corpus,
        "domains": sections,
        "unranked": unranked,
        "discovery": discovery_section(result),
        "methods": methods_section(result, store, sections, unranked, corpus),
        "reproducibility": {
            **result.stamp.as_dict(),
            "coders": list(result.stamp.coders),
            "command": command,
            "versions": _versions(),
        },
    }
    return clean(context)
