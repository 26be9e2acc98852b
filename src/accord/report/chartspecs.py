"""Every chart of the report, declared once: its data, title, caption and both renderers.

``CHARTS`` is the one list. Each record names the function that builds the chart's tidy frame
from the result (``chartdata``), the plotly figure drawn from that frame for the HTML page and
the web app (``charts``), the matplotlib figure for the Markdown report's SVG files (``svg``),
and the wide table a reader can check the figure against.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from accord.analysis.results import AnalysisResult
from accord.report import chartdata, charts, svg
from accord.report.chartdata import ChartData, pivot
from accord.report.charts import NETWORK_THRESHOLD
from accord.report.names import Names
from accord.report.tables import table_dict

if TYPE_CHECKING:
    import plotly.graph_objects as go
    from matplotlib.figure import Figure

PLACES = ("summary", "overview", "domain")  # where in the report a chart is shown


def _as_is(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.reset_index(drop=True)


@dataclass(frozen=True)
class ChartKind:
    """One kind of chart. ``title`` and ``caption`` are ``str.format`` templates filled with the
    run's settings (``confidence``, ``weighting``, ``threshold``) and the fields the data
    builder returns with each frame."""

    kind: str
    place: str  # one of PLACES
    title: str
    caption: str
    data: Callable[[AnalysisResult, Names], list[ChartData]]
    plotly: Callable[[pd.DataFrame], go.Figure]
    svg: Callable[[pd.DataFrame], Figure]
    table: Callable[[pd.DataFrame], pd.DataFrame] = _as_is


# In the order the report shows them within each place.
CHARTS: tuple[ChartKind, ...] = (
    ChartKind(
        "coverage",
        "overview",
        "Coverage of domains by institution",
        "Share of each institution's text that addresses each domain ({weighting} weighting). "
        "Lighter cells mean more text; the colour scale (cividis) is readable with colour-vision "
        "deficiencies.",
        chartdata.coverage,
        charts.coverage_heatmap,
        svg.coverage,
        partial(pivot, index="domain", columns="institution", values="coverage"),
    ),
    ChartKind(
        "approach_mix",
        "overview",
        "Approach mix by domain",
        "Average share of regulatory, innovation and implementation measures among the "
        "institutions that address each domain.",
        chartdata.approach_mix,
        partial(charts.stacked_shares, category="approach"),
        partial(svg.stacked, category="approach"),
        partial(pivot, index="domain", columns="approach", values="share"),
    ),
    ChartKind(
        "force_mix",
        "overview",
        "Binding force by domain",
        "Share of each domain's passages by the force of their language.",
        chartdata.force_mix,
        partial(charts.stacked_shares, category="force"),
        partial(svg.stacked, category="force"),
        partial(pivot, index="domain", columns="force", values="share"),
    ),
    ChartKind(
        "opportunity_security",
        "summary",
        "Opportunity and security sensitivity of the ranked domains",
        "Each point is a ranked domain, numbered by its rank in the table above (hover over a "
        "point for its name): its cooperation-opportunity score (vertical) against the share "
        "of its passages that are security-sensitive (horizontal). Bars show the {confidence} "
        "bootstrap intervals. Domains towards the top left are the easier places to start.",
        chartdata.opportunity_security,
        charts.opportunity_security,
        svg.scatter,
    ),
    ChartKind(
        "rank_stability",
        "summary",
        "How stable the ranking is",
        "Probability of each rank for each ranked domain, over {draws}. A single bright cell "
        "means a stable rank; a spread row means the rank depends on the sample or on the "
        "weights.",
        chartdata.rank_stability,
        charts.rank_stability,
        svg.stability,
        lambda frame: pivot(frame, "domain", "rank", "probability").fillna(0.0),
    ),
    ChartKind(
        "trends",
        "overview",
        "Domains over time",
        "Share of the text of each year's documents that addresses each domain; {which}. Years "
        "with few documents swing widely.",
        chartdata.trends,
        partial(charts.trend_lines, series="domain"),
        partial(svg.lines, series="domain"),
        partial(pivot, index="year", columns="domain", values="share"),
    ),
    ChartKind(
        "trends_approach",
        "overview",
        "Approaches over time",
        "Average approach mix of each year's documents (documents with at least one coded "
        "measure).",
        chartdata.trends_approach,
        partial(charts.trend_lines, series="approach"),
        partial(svg.lines, series="approach"),
        partial(pivot, index="year", columns="approach", values="share"),
    ),
    ChartKind(
        "network",
        "overview",
        "Which institutions cover the same domains",
        "Institutions on a circle (alphabetical, clockwise from the top), joined when the "
        "similarity of their domain coverage profiles is at least {threshold:.2f} (1 minus the "
        "Jensen–Shannon distance); thicker lines are more similar. The table lists every pair. "
        "{drawn} of {pairs} pairs reach the threshold.",
        chartdata.network,
        charts.similarity_network,
        svg.network,
    ),
    ChartKind(
        "alignment",
        "domain",
        "Who agrees with whom on {domain}",
        "Alignment of each pair of institutions' approach and principle profiles in "
        "this domain (1 = identical mix). Lighter cells are closer pairs.",
        chartdata.alignment,
        charts.alignment_matrix,
        svg.alignment,
    ),
)
KINDS = {chart.kind: chart for chart in CHARTS}


@dataclass(frozen=True)
class Chart:
    """One chart: the tidy frame its figure is drawn from, and a table a reader can check."""

    id: str
    kind: str
    title: str
    caption: str
    frame: pd.DataFrame
    table: pd.DataFrame
    place: str = "overview"
    domain: str | None = None  # set for the charts of one domain's section

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "title": self.title,
            "caption": self.caption,
            "table": table_dict(self.table),
        }


def _settings_fields(result: AnalysisResult) -> dict[str, Any]:
    settings = result.settings
    return {
        "confidence": f"{settings.confidence:.0%}",
        "weighting": settings.weighting,
        "threshold": NETWORK_THRESHOLD,
    }


def chart_specs(result: AnalysisResult, names: Names | None = None) -> list[Chart]:
    """Every chart the report shows, in the order of ``CHARTS``: one chart of each overview
    and summary kind, and one alignment matrix per ranked domain (id ``alignment-<domain>``).
    Charts without data are left out."""
    names = names or Names(result)
    common = _settings_fields(result)
    specs = []
    for kind in CHARTS:
        for data in kind.data(result, names):
            fields = {**common, **data.fields}
            specs.append(
                Chart(
                    data.id,
                    kind.kind,
                    kind.title.format(**fields),
                    kind.caption.format(**fields),
                    data.frame.reset_index(drop=True),
                    kind.table(data.frame),
                    kind.place,
                    data.domain,
                )
            )
    return specs


def build_figure(kind: str, frame: pd.DataFrame) -> go.Figure:
    """The plotly figure of one chart kind (a key of ``KINDS``) from its frame."""
    return KINDS[kind].plotly(frame)


def write_svg(kind: str, frame: pd.DataFrame, path: Path) -> Path:
    """Draw one chart kind to an SVG file (reproducible bytes)."""
    return svg.save_svg(KINDS[kind].svg, frame, path)
