"""Plotly figures for the report, one pure function per chart: a tidy frame in, a figure out.

Every builder takes the frame ``chartdata`` prepares for that chart (human-readable labels
already applied, rows in display order), so the figure, its data table and the Markdown chart
all show the same numbers. ``chartspecs.CHARTS`` says which builder draws which chart.
"""

from __future__ import annotations

import html
import math
from typing import TYPE_CHECKING

import pandas as pd

from accord.report.labels import (
    CHAR_PX,
    COLUMN_WRAP,
    LINE_PX,
    WRAP,
    depth,
    extent,
    lines,
    place_labels,
)

if TYPE_CHECKING:
    import plotly.graph_objects as go

# Okabe & Ito (2008), distinguishable with the common forms of colour-blindness. Yellow goes
# last because it has too little contrast on white for thin lines.
OKABE_ITO = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#000000",
    "#F0E442",
)
DASHES = ("solid", "dash", "dot", "dashdot")
SEQUENTIAL = "Cividis"  # perceptually uniform and colour-blind safe
PROBABILITY = "Viridis"
NETWORK_THRESHOLD = 0.5
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"


def _figure(**layout: object) -> go.Figure:
    """An empty figure with the report's small template (plotly's default template would be
    serialised into every figure, about 8 kB each)."""
    import plotly.graph_objects as go

    template = go.layout.Template(
        layout={
            "colorway": list(OKABE_ITO),
            "font": {"family": FONT, "size": 13, "color": "#1a1a1a"},
            "paper_bgcolor": "#ffffff",
            "plot_bgcolor": "#ffffff",
            "hoverlabel": {"font": {"family": FONT}},
            "xaxis": {"gridcolor": "#e3e3e3", "zerolinecolor": "#bdbdbd", "automargin": True},
            "yaxis": {"gridcolor": "#e3e3e3", "zerolinecolor": "#bdbdbd", "automargin": True},
        }
    )
    figure = go.Figure(layout={"template": template})
    figure.update_layout(**{"margin": {"l": 10, "r": 10, "t": 30, "b": 10}, **layout})
    return figure


def plain(value: object) -> str:
    """A label as plotly shows it as typed.

    Plotly reads every label (tick labels, hover text, legend names, annotations, titles) as
    a small subset of HTML: links, styled spans, line breaks and entities. Names from
    manifests and codebooks are text, so '&', '<' and '>' become entities, which plotly turns
    back into the characters.

    Example:
        >>> plain('<a href="x">X</a> & Co')
        '&lt;a href="x"&gt;X&lt;/a&gt; &amp; Co'
    """
    return html.escape(str(value), quote=False)


def _plain_columns(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """A copy whose label columns are ``plain`` (an injective change: rows stay distinct)."""
    return frame.assign(**{c: frame[c].map(plain) for c in columns})


def wrapped(name: object, width: int = WRAP) -> str:
    """A long name on several lines (plotly's '<br>'), each line plain text."""
    return "<br>".join(plain(line) for line in lines(str(name), width))


def _height(rows: int, per_row: int = 26, minimum: int = 260, labels: float = 0) -> int:
    """Rows of ``per_row`` pixels, plus ``labels`` pixels of column labels above them."""
    return max(minimum, round(90 + labels + per_row * rows))


def _column_labels(names: list[str]) -> float:
    """The height vertical column labels take (names wrapped, then turned upright)."""
    return extent(names, COLUMN_WRAP) + 10


def _ordered(values: pd.Series) -> list:
    """Unique values in order of first appearance: the context has already sorted the frame."""
    return list(dict.fromkeys(values.tolist()))


def coverage_heatmap(frame: pd.DataFrame) -> go.Figure:
    """Domains (rows) by institutions (columns): the share of each institution's text per domain.

    Args:
        frame: columns ``domain``, ``institution``, ``coverage``, ``n_passages``.
    """
    import plotly.graph_objects as go

    frame = _plain_columns(frame, "domain")
    domains, institutions = _ordered(frame["domain"]), _ordered(frame["institution"])
    grid = frame.pivot_table(
        index="domain", columns="institution", values="coverage", aggfunc="first", sort=False
    ).reindex(index=domains, columns=institutions)
    counts = frame.pivot_table(
        index="domain", columns="institution", values="n_passages", aggfunc="first", sort=False
    ).reindex(index=domains, columns=institutions)
    # Every row and column labelled (dtick 1), institution names wrapped and upright, and the
    # figure tall enough for both: the rows keep their height whatever the names' length.
    figure = _figure(
        height=_height(len(domains), labels=_column_labels(institutions)),
        xaxis={"side": "top", "tickangle": -90, "dtick": 1},
        yaxis={"dtick": 1},
    )
    figure.add_trace(
        go.Heatmap(
            z=grid.to_numpy().tolist(),
            x=[wrapped(i, COLUMN_WRAP) for i in institutions],
            y=domains,
            customdata=counts.fillna(0).astype(int).to_numpy().tolist(),
            colorscale=SEQUENTIAL,
            zmin=0,
            colorbar={"title": {"text": "Coverage"}, "tickformat": ".0%"},
            hovertemplate="%{y}<br>%{x}<br>coverage %{z:.1%}<br>%{customdata} passages"
            "<extra></extra>",
        )
    )
    figure.update_yaxes(autorange="reversed")
    return figure


def stacked_shares(frame: pd.DataFrame, category: str = "approach") -> go.Figure:
    """Horizontal bars per domain, split into the shares of each category (approach, force).

    Args:
        frame: columns ``domain``, ``category`` (named by ``category``) and ``share``.
    """
    import plotly.graph_objects as go

    frame = _plain_columns(frame, "domain", category)
    domains = _ordered(frame["domain"])
    # The legend above the bars, left to right in the order the segments stack (plotly
    # reverses the legend of stacked bars unless told otherwise).
    figure = _figure(
        barmode="stack",
        height=_height(len(domains)),
        margin={"l": 10, "r": 30, "t": 30, "b": 10},  # room for the last tick label, "100%"
        xaxis={"tickformat": ".0%", "range": [0, 1]},
        legend={
            "orientation": "h",
            "traceorder": "normal",
            "x": 0,
            "y": 1.0,
            "yanchor": "bottom",
            "title": {"text": category.capitalize()},
        },
        yaxis={"dtick": 1},
    )
    for position, (name, rows) in enumerate(frame.groupby(category, sort=False)):
        rows = rows.set_index("domain").reindex(domains)
        figure.add_trace(
            go.Bar(
                x=rows["share"].tolist(),
                y=domains,
                name=str(name),
                orientation="h",
                marker={"color": OKABE_ITO[position % len(OKABE_ITO)]},
                meta=str(name),  # the name through a variable: a '%{' in it stays text
                hovertemplate="%{y}<br>%{meta}: %{x:.1%}<extra></extra>",
            )
        )
    figure.update_yaxes(autorange="reversed")
    return figure


SCATTER_AREA = (880.0, 360.0)  # the plotting area of the scatter on a desktop page, pixels


def axis_range(frame: pd.DataFrame, name: str, floor: float | None = None) -> tuple[float, float]:
    """A padded range that holds every value and interval of a measure (and ``floor``)."""
    values = frame[[name, f"{name}_low", f"{name}_high"]].to_numpy(dtype=float).ravel()
    values = values[~pd.isna(values)]
    low = min([*values, *([floor] if floor is not None else [])], default=0.0)
    high = max(values, default=1.0)
    pad = max(high - low, 0.1) * 0.06
    return low - pad, high + pad


def scatter_labels(
    frame: pd.DataFrame, area: tuple[float, float], char: float, line: float
) -> list[tuple[float, float]]:
    """Where each point's rank number goes (offsets in pixels of ``area``), so that no number
    covers another number or point; the best ranks are placed first."""
    (x0, x1), (y0, y1) = axis_range(frame, "security", 0.0), axis_range(frame, "opportunity")
    points = [
        ((x - x0) / (x1 - x0) * area[0], (y - y0) / (y1 - y0) * area[1])
        for x, y in zip(frame["security"].fillna(0), frame["opportunity"].fillna(0), strict=True)
    ]
    sizes = [(len(str(int(r))) * char + 4, line) for r in frame["rank"]]
    return place_labels(points, sizes, area)


def opportunity_security(frame: pd.DataFrame) -> go.Figure:
    """Opportunity against security sensitivity per ranked domain, with both intervals.

    Each point is labelled with its rank, placed where it overlaps no other label or point;
    the name is in the hover text and in the ranking table beside the chart.

    Args:
        frame: columns ``rank``, ``domain``, ``opportunity``, ``opportunity_low``,
            ``opportunity_high``, ``security``, ``security_low``, ``security_high``; rows in
            rank order.
    """
    import plotly.graph_objects as go

    def errors(name: str) -> dict:
        return {
            "type": "data",
            "symmetric": False,
            "array": (frame[f"{name}_high"] - frame[name]).clip(lower=0).fillna(0).tolist(),
            "arrayminus": (frame[name] - frame[f"{name}_low"]).clip(lower=0).fillna(0).tolist(),
            "color": "#7a7a7a",
            "thickness": 1,
        }

    offsets = scatter_labels(frame, SCATTER_AREA, CHAR_PX, LINE_PX)
    figure = _figure(
        height=460,
        xaxis={
            "title": {"text": "Security-sensitive share of passages"},
            "tickformat": ".0%",
            "range": list(axis_range(frame, "security", 0.0)),
        },
        yaxis={
            "title": {"text": "Cooperation opportunity"},
            "range": list(axis_range(frame, "opportunity")),
        },
        showlegend=False,
        annotations=[
            {
                "x": x,
                "y": y,
                "text": str(int(rank)),
                "xshift": dx,
                "yshift": dy,
                "showarrow": False,
                "font": {"size": 12},
            }
            for x, y, rank, (dx, dy) in zip(
                frame["security"], frame["opportunity"], frame["rank"], offsets, strict=True
            )
            if not (pd.isna(x) or pd.isna(y))
        ],
    )
    figure.add_trace(
        go.Scatter(
            x=frame["security"].tolist(),
            y=frame["opportunity"].tolist(),
            error_x=errors("security"),
            error_y=errors("opportunity"),
            mode="markers",
            customdata=[
                [int(r), plain(d)] for r, d in zip(frame["rank"], frame["domain"], strict=True)
            ],
            marker={"size": 10, "color": OKABE_ITO[0], "line": {"color": "#ffffff", "width": 1}},
            hovertemplate="%{customdata[0]}. %{customdata[1]}<br>opportunity %{y:.2f}"
            "<br>security %{x:.0%}<extra></extra>",
        )
    )
    return figure


def rank_stability(frame: pd.DataFrame) -> go.Figure:
    """How often each ranked domain takes each rank (joint bootstrap and weight draws).

    Args:
        frame: columns ``domain``, ``rank``, ``probability``; domains in rank order.
    """
    import plotly.graph_objects as go

    frame = _plain_columns(frame, "domain")
    domains = _ordered(frame["domain"])
    ranks = list(range(1, int(frame["rank"].max()) + 1)) if len(frame) else []
    grid = frame.pivot_table(
        index="domain", columns="rank", values="probability", aggfunc="sum", sort=False
    ).reindex(index=domains, columns=ranks)
    figure = _figure(
        height=_height(len(domains)),
        xaxis={"title": {"text": "Rank"}, "dtick": 1, "side": "top"},
        yaxis={"dtick": 1},
    )
    figure.add_trace(
        go.Heatmap(
            z=grid.fillna(0).to_numpy().tolist(),
            x=ranks,
            y=domains,
            colorscale=PROBABILITY,
            zmin=0,
            zmax=1,
            colorbar={"title": {"text": "Probability"}, "tickformat": ".0%"},
            hovertemplate="%{y}<br>rank %{x}: %{z:.0%}<extra></extra>",
        )
    )
    figure.update_yaxes(autorange="reversed")
    return figure


def trend_lines(frame: pd.DataFrame, series: str = "domain") -> go.Figure:
    """Share of text per year, one line per domain (or approach).

    Args:
        frame: columns ``year``, ``share`` and the series column named by ``series``.
    """
    import plotly.graph_objects as go

    frame = _plain_columns(frame, series)
    figure = _figure(
        height=420,
        xaxis={"title": {"text": "Year"}, "dtick": 1},
        yaxis={"title": {"text": "Share"}, "tickformat": ".0%", "rangemode": "tozero"},
        legend={"title": {"text": series.capitalize()}},
    )
    for position, (name, rows) in enumerate(frame.groupby(series, sort=False)):
        # Colour and dash together keep more than eight lines apart without colour alone.
        figure.add_trace(
            go.Scatter(
                x=rows["year"].tolist(),
                y=rows["share"].tolist(),
                name=str(name),
                mode="lines+markers",
                line={
                    "color": OKABE_ITO[position % len(OKABE_ITO)],
                    "dash": DASHES[(position // len(OKABE_ITO)) % len(DASHES)],
                },
                meta=str(name),
                hovertemplate="%{meta}<br>%{x}: %{y:.1%}<extra></extra>",
            )
        )
    return figure


def alignment_matrix(frame: pd.DataFrame) -> go.Figure:
    """Pairwise alignment of institutions' profiles within one domain (symmetric heatmap).

    Args:
        frame: columns ``institution_a``, ``institution_b``, ``similarity``.
    """
    import plotly.graph_objects as go

    names = sorted(set(frame["institution_a"]) | set(frame["institution_b"]))
    grid = pd.DataFrame(float("nan"), index=names, columns=names)
    for row in frame.itertuples(index=False):
        grid.loc[row.institution_a, row.institution_b] = row.similarity
        grid.loc[row.institution_b, row.institution_a] = row.similarity
    for name in names:
        grid.loc[name, name] = 1.0
    labels = [wrapped(n) for n in names]
    per_row = max(30, 15 * depth(names) + 8)  # a row holds its wrapped name
    figure = _figure(
        height=_height(len(names), per_row=per_row, minimum=300, labels=_column_labels(names)),
        xaxis={"tickangle": -90, "side": "top", "dtick": 1},
        yaxis={"dtick": 1},
    )
    figure.add_trace(
        go.Heatmap(
            z=grid.to_numpy().tolist(),
            x=[wrapped(n, COLUMN_WRAP) for n in names],
            y=labels,
            colorscale=SEQUENTIAL,
            zmin=0,
            zmax=1,
            colorbar={"title": {"text": "Alignment"}},
            hovertemplate="%{y}<br>%{x}<br>alignment %{z:.2f}<extra></extra>",
        )
    )
    figure.update_yaxes(autorange="reversed")
    return figure


def circle_layout(names: list[str]) -> dict[str, tuple[float, float]]:
    """Positions on the unit circle, first name at the top, then clockwise (deterministic).

    Example:
        >>> circle_layout(["a", "b"])["b"]
        (0.0, -1.0)
    """
    count = max(len(names), 1)
    return {
        name: (
            round(math.cos(math.pi / 2 - 2 * math.pi * k / count), 9) + 0.0,
            round(math.sin(math.pi / 2 - 2 * math.pi * k / count), 9) + 0.0,
        )
        for k, name in enumerate(names)
    }


def similarity_network(frame: pd.DataFrame, threshold: float = NETWORK_THRESHOLD) -> go.Figure:
    """Institutions on a circle, joined where their domain coverage profiles are similar.

    Args:
        frame: columns ``institution_a``, ``institution_b``, ``similarity`` (every pair).
        threshold: the smallest similarity drawn as an edge.
    """
    import plotly.graph_objects as go

    names = sorted(set(frame["institution_a"]) | set(frame["institution_b"]))
    position = circle_layout(names)
    edges = frame[frame["similarity"] >= threshold]
    figure = _figure(
        height=560,
        showlegend=False,
        xaxis={"visible": False, "range": [-2.2, 2.2]},
        yaxis={"visible": False, "range": [-1.3, 1.3], "scaleanchor": "x"},
    )
    # Three widths rather than one trace per edge: a few traces keep the page light.
    bands = ((threshold, 0.7, 1.0), (0.7, 0.85, 2.5), (0.85, 1.01, 4.5))
    for low, high, width in bands:
        band = edges[(edges["similarity"] >= low) & (edges["similarity"] < high)]
        xs: list[float | None] = []
        ys: list[float | None] = []
        for row in band.itertuples(index=False):
            (xa, ya), (xb, yb) = position[row.institution_a], position[row.institution_b]
            xs += [xa, xb, None]
            ys += [ya, yb, None]
        figure.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                line={"width": width, "color": "#56B4E9"},
                hoverinfo="skip",
            )
        )
    offsets = network_labels(names, position, 200.0, CHAR_PX, LINE_PX)
    figure.add_trace(
        go.Scatter(
            x=[position[n][0] for n in names],
            y=[position[n][1] for n in names],
            mode="markers",
            customdata=[plain(n) for n in names],
            marker={"size": 14, "color": OKABE_ITO[0], "line": {"color": "#ffffff", "width": 1}},
            hovertemplate="%{customdata}<extra></extra>",
        )
    )
    figure.update_layout(
        annotations=[
            {
                "x": position[n][0],
                "y": position[n][1],
                "text": wrapped(n),
                "xshift": dx,
                "yshift": dy,
                "showarrow": False,
                "align": "left" if dx >= 0 else "right",
            }
            for n, (dx, dy) in zip(names, offsets, strict=True)
        ]
    )
    return figure


def network_labels(
    names: list[str],
    position: dict[str, tuple[float, float]],
    scale: float,
    char: float,
    line: float,
) -> list[tuple[float, float]]:
    """Where each institution's (wrapped) name goes around its node, outwards first, so that
    names neither cover each other nor a node; ``scale`` is the length of one unit of the
    layout in the units of ``char`` and ``line``."""
    points = [((position[n][0] + 2.4) * scale, (position[n][1] + 1.3) * scale) for n in names]
    sizes = [(max(len(text) for text in lines(n)) * char + 6, len(lines(n)) * line) for n in names]
    prefer = [(1, 0) if position[n][0] >= 0 else (-1, 0) for n in names]
    return place_labels(points, sizes, (4.8 * scale, 2.6 * scale), marker=8.0, prefer=prefer)
