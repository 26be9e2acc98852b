"""The data of each chart: result tables in, tidy frames out (display names applied, rows in
display order), so that the figure, its data table and the SVG show the same numbers.

One function per chart kind; ``chartspecs.CHARTS`` ties each to its text and renderers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from accord.analysis.results import AnalysisResult
from accord.report.charts import NETWORK_THRESHOLD
from accord.report.names import Names
from accord.report.tables import ranked_domains, table

TREND_LINES = 8  # more lines than this make a trend chart unreadable


@dataclass(frozen=True)
class ChartData:
    """One chart's frame, with its id and the values its title and caption templates name."""

    id: str
    frame: pd.DataFrame
    fields: dict[str, Any] = field(default_factory=dict)
    domain: str | None = None  # the domain a per-domain chart belongs to


def _by_domain_order(result: AnalysisResult, names: Names, frame: pd.DataFrame) -> pd.DataFrame:
    """Rows in the order of the domain table (ranked first, best first)."""
    order = [names.domain(d) for d in table(result, "domains")["domain"]]
    position = {label: k for k, label in enumerate(order)}
    return frame.sort_values("domain", key=lambda s: s.map(position), kind="stable")


def coverage(result: AnalysisResult, names: Names) -> list[ChartData]:
    frame = table(result, "coverage").dropna(subset=["coverage"])
    if frame.empty:
        return []
    frame = frame.assign(
        domain=frame["domain"].map(names.domain),
        institution=frame["institution"].map(names.institution),
    ).sort_values("institution", kind="stable")
    frame = frame[["domain", "institution", "coverage", "n_passages"]]
    return [ChartData("coverage", _by_domain_order(result, names, frame))]


def approach_mix(result: AnalysisResult, names: Names) -> list[ChartData]:
    """The ranked domains only (best first): the mix of an unranked domain rests on too few
    institutions to compare. Approaches in codebook order, the order the bars stack in."""
    profiles = table(result, "profiles")
    ranked = list(ranked_domains(result)["domain"])
    approach = profiles[(profiles["dimension"] == "approach") & profiles["domain"].isin(ranked)]
    if approach.empty:
        return []
    mix = approach.groupby(["domain", "category"], sort=False)["share"].mean().reset_index()
    order = {c: k for k, c in enumerate(names.labels.get("approach", {}))}
    mix = mix.assign(
        position=mix["domain"].map({d: k for k, d in enumerate(ranked)}),
        stack=mix["category"].map(lambda c: order.get(c, len(order))),
    ).sort_values(["position", "stack", "category"])
    mix = mix.assign(
        domain=mix["domain"].map(names.domain),
        approach=mix["category"].map(lambda c: names.category("approach", c)),
    )
    return [ChartData("approach_mix", mix[["domain", "approach", "share"]])]


def force_mix(result: AnalysisResult, names: Names) -> list[ChartData]:
    force = table(result, "force_mix").dropna(subset=["share"])
    force = force[force.groupby("domain")["share"].transform("sum") > 0]
    if force.empty:
        return []
    force = force.assign(
        domain=force["domain"].map(names.domain),
        force=force["force"].map(lambda c: names.category("force", c)),
    )
    frame = _by_domain_order(result, names, force[["domain", "force", "share"]])
    return [ChartData("force_mix", frame)]


def opportunity_security(result: AnalysisResult, names: Names) -> list[ChartData]:
    ranked = ranked_domains(result)
    if ranked.empty:
        return []
    columns = [f"{c}{s}" for c in ("opportunity", "security") for s in ("", "_low", "_high")]
    frame = ranked[["rank", "domain", *columns]].assign(
        rank=ranked["rank"].astype(int), domain=ranked["domain"].map(names.domain)
    )
    return [ChartData("opportunity_security", frame.reset_index(drop=True))]


def rank_stability(result: AnalysisResult, names: Names) -> list[ChartData]:
    ranked = ranked_domains(result)
    stability = table(result, "rank_stability")
    sources = ("joint", "bootstrap", "weights")
    source = next((s for s in sources if (stability["source"] == s).any()), None)
    if source is None or ranked.empty:
        return []
    rows = stability[stability["source"] == source]
    rank_of = dict(zip(ranked["domain"], ranked["rank"], strict=True))
    rows = rows[rows["domain"].isin(rank_of)]
    rows = rows.assign(order=rows["domain"].map(rank_of)).sort_values(["order", "rank"])
    frame = rows.assign(domain=rows["domain"].map(names.domain), rank=rows["rank"].astype(int))
    fields = {"draws": _draws(result, source)}
    return [ChartData("rank_stability", frame[["domain", "rank", "probability"]], fields)]


def _draws(result: AnalysisResult, source: str) -> str:
    """What the rank probabilities are shares of. The joint draw pairs each bootstrap
    resample with one weight draw (analysis/opportunity.py), so it is as many draws as the
    smaller of the two, not their product."""
    settings = result.settings
    resamples, weights = settings.bootstrap_resamples, settings.weight_draws
    if source == "joint":
        return (
            f"{min(resamples, weights):,} bootstrap resamples of the documents, each scored "
            "with its own random draw of the opportunity weights"
        )
    if source == "bootstrap":
        return f"{resamples:,} bootstrap resamples of the documents (weights as set)"
    return f"{weights:,} random draws of the opportunity weights (documents as they are)"


def _trend_domains(result: AnalysisResult, trends: pd.DataFrame) -> list[str]:
    """The ranked domains best first, else the most discussed ones, at most TREND_LINES."""
    ranked = list(ranked_domains(result)["domain"])
    if ranked:
        return ranked[:TREND_LINES]
    volume = (
        trends.groupby("domain")["n_passages"].sum().sort_values(ascending=False, kind="stable")
    )
    return list(volume.index[:TREND_LINES])


def trends(result: AnalysisResult, names: Names) -> list[ChartData]:
    frame = table(result, "trends").dropna(subset=["year"])
    if frame.empty:
        return []
    chosen = _trend_domains(result, frame)
    frame = frame[frame["domain"].isin(chosen)]
    frame = frame.assign(
        order=frame["domain"].map({d: k for k, d in enumerate(chosen)}),
        domain=frame["domain"].map(names.domain),
        year=frame["year"].astype(int),
    ).sort_values(["order", "year"])
    which = (
        "the ranked domains, best first"
        if len(ranked_domains(result))
        else f"the {TREND_LINES} domains with most passages"
    )
    return [ChartData("trends", frame[["year", "domain", "share"]], {"which": which})]


def trends_approach(result: AnalysisResult, names: Names) -> list[ChartData]:
    frame = table(result, "trends_approach").dropna(subset=["year"])
    if frame.empty:
        return []
    frame = frame.assign(
        approach=frame["approach"].map(lambda c: names.category("approach", c)),
        year=frame["year"].astype(int),
    )
    return [ChartData("trends_approach", frame[["year", "approach", "share"]])]


def network(result: AnalysisResult, names: Names) -> list[ChartData]:
    similarity = table(result, "institution_similarity")
    overall = similarity[similarity["scope"] == "overall"].dropna(subset=["similarity"])
    if overall.empty:
        return []
    frame = overall.assign(
        institution_a=overall["institution_a"].map(names.institution),
        institution_b=overall["institution_b"].map(names.institution),
    )[["institution_a", "institution_b", "similarity"]].sort_values(
        ["similarity", "institution_a", "institution_b"], ascending=[False, True, True]
    )
    drawn = int((frame["similarity"] >= NETWORK_THRESHOLD).sum())
    return [ChartData("network", frame, {"drawn": drawn, "pairs": len(frame)})]


def alignment(result: AnalysisResult, names: Names) -> list[ChartData]:
    """One matrix per ranked domain, id ``alignment-<domain>``."""
    pairs = table(result, "alignment_pairs").dropna(subset=["similarity"])
    charts = []
    for domain in ranked_domains(result)["domain"]:
        rows = pairs[pairs["domain"] == domain]
        if rows.empty:
            continue
        frame = rows.assign(
            institution_a=rows["institution_a"].map(names.institution),
            institution_b=rows["institution_b"].map(names.institution),
        )[["institution_a", "institution_b", "similarity"]]
        fields = {"domain": names.domain(domain).lower()}
        charts.append(ChartData(f"alignment-{domain}", frame, fields, domain))
    return charts


def pivot(frame: pd.DataFrame, index: str, columns: str, values: str) -> pd.DataFrame:
    """A wide table for readers, rows and columns in the frame's order of appearance."""
    order_index = list(dict.fromkeys(frame[index]))
    order_columns = list(dict.fromkeys(frame[columns]))
    grid = frame.pivot_table(index=index, columns=columns, values=values, aggfunc="first")
    grid = grid.reindex(index=order_index, columns=order_columns)
    grid.columns = [str(c) for c in grid.columns]
    return grid.reset_index()
