"""Static SVG versions of the report charts (matplotlib), for the Markdown report.

Plotly's static export needs kaleido and a browser; matplotlib needs neither. The SVG files
are byte-for-byte reproducible: a fixed hash salt, no date in the metadata, text kept as text.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from accord.report.charts import NETWORK_THRESHOLD, OKABE_ITO, circle_layout, short_label

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

RC = {
    "svg.hashsalt": "accord",
    "svg.fonttype": "none",  # text stays text: smaller, searchable, no font-dependent paths
    "text.parse_math": False,  # a '$' in a name is a dollar sign, not the start of a formula
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def _rc() -> dict:
    from cycler import cycler  # a matplotlib dependency, imported only when drawing

    return {**RC, "axes.prop_cycle": cycler(color=list(OKABE_ITO))}


def _figure(rows: int = 8, width: float = 8.0) -> tuple[Figure, Axes]:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, max(3.0, 1.2 + 0.28 * rows)), layout="constrained")
    return figure, figure.add_subplot()


def _ordered(values: pd.Series) -> list:
    return list(dict.fromkeys(values.tolist()))


def _heatmap(
    axes: Axes, grid: pd.DataFrame, cmap: str, label: str, vmax: float | None = None
) -> None:
    image = axes.imshow(grid.to_numpy(dtype=float), aspect="auto", cmap=cmap, vmin=0, vmax=vmax)
    axes.set_xticks(range(grid.shape[1]), [str(c) for c in grid.columns], rotation=45, ha="right")
    axes.set_yticks(range(grid.shape[0]), [str(i) for i in grid.index])
    axes.figure.colorbar(image, ax=axes, label=label, shrink=0.8)


def coverage(frame: pd.DataFrame) -> Figure:
    grid = frame.pivot_table(
        index="domain", columns="institution", values="coverage", aggfunc="first", sort=False
    ).reindex(index=_ordered(frame["domain"]), columns=_ordered(frame["institution"]))
    figure, axes = _figure(len(grid), width=max(8.0, 0.4 * grid.shape[1] + 3))
    _heatmap(axes, grid, "cividis", "Coverage")
    return figure


def stacked(frame: pd.DataFrame, category: str) -> Figure:
    domains = _ordered(frame["domain"])
    figure, axes = _figure(len(domains))
    left = np.zeros(len(domains))
    for position, (name, rows) in enumerate(frame.groupby(category, sort=False)):
        values = rows.set_index("domain").reindex(domains)["share"].fillna(0).to_numpy()
        axes.barh(domains, values, left=left, label=str(name), color=OKABE_ITO[position % 8])
        left += values
    axes.invert_yaxis()
    axes.set_xlim(0, 1)
    axes.set_xlabel("Share")
    axes.legend(title=category.capitalize(), loc="lower right", fontsize=8)
    return figure


def scatter(frame: pd.DataFrame) -> Figure:
    figure, axes = _figure(14)

    def spread(name: str) -> np.ndarray:
        low = (frame[name] - frame[f"{name}_low"]).clip(lower=0).fillna(0)
        high = (frame[f"{name}_high"] - frame[name]).clip(lower=0).fillna(0)
        return np.vstack([low.to_numpy(), high.to_numpy()])

    axes.errorbar(
        frame["security"],
        frame["opportunity"],
        xerr=spread("security"),
        yerr=spread("opportunity"),
        fmt="o",
        color=OKABE_ITO[0],
        ecolor="#7a7a7a",
        elinewidth=1,
    )
    for row in frame.itertuples(index=False):
        axes.annotate(
            row.domain, (row.security, row.opportunity), xytext=(4, 4), textcoords="offset points"
        )
    axes.set_xlabel("Security-sensitive share of passages")
    axes.set_ylabel("Cooperation opportunity")
    return figure


def stability(frame: pd.DataFrame) -> Figure:
    ranks = list(range(1, int(frame["rank"].max()) + 1))
    grid = frame.pivot_table(
        index="domain", columns="rank", values="probability", aggfunc="sum", sort=False
    ).reindex(index=_ordered(frame["domain"]), columns=ranks)
    figure, axes = _figure(len(grid))
    _heatmap(axes, grid.fillna(0), "viridis", "Probability", vmax=1)
    axes.set_xlabel("Rank")
    return figure


def lines(frame: pd.DataFrame, series: str) -> Figure:
    figure, axes = _figure(12)
    styles = ("-", "--", ":", "-.")
    for position, (name, rows) in enumerate(frame.groupby(series, sort=False)):
        axes.plot(
            rows["year"],
            rows["share"],
            marker="o",
            label=str(name),
            color=OKABE_ITO[position % 8],
            linestyle=styles[(position // 8) % len(styles)],
        )
    axes.set_xticks(sorted(frame["year"].unique()))
    axes.set_xlabel("Year")
    axes.set_ylabel("Share")
    axes.legend(title=series.capitalize(), fontsize=8)
    return figure


def alignment(frame: pd.DataFrame) -> Figure:
    names = sorted(set(frame["institution_a"]) | set(frame["institution_b"]))
    grid = pd.DataFrame(np.nan, index=names, columns=names)
    for row in frame.itertuples(index=False):
        grid.loc[row.institution_a, row.institution_b] = row.similarity
        grid.loc[row.institution_b, row.institution_a] = row.similarity
    for name in names:
        grid.loc[name, name] = 1.0
    figure, axes = _figure(len(names), width=max(5.0, 0.5 * len(names) + 3))
    _heatmap(axes, grid, "cividis", "Alignment", vmax=1)
    return figure


def network(frame: pd.DataFrame) -> Figure:
    names = sorted(set(frame["institution_a"]) | set(frame["institution_b"]))
    position = circle_layout(names)
    figure, axes = _figure(20, width=8)
    for row in frame[frame["similarity"] >= NETWORK_THRESHOLD].itertuples(index=False):
        (xa, ya), (xb, yb) = position[row.institution_a], position[row.institution_b]
        width = 1.0 if row.similarity < 0.7 else 2.5 if row.similarity < 0.85 else 4.5
        axes.plot([xa, xb], [ya, yb], color=OKABE_ITO[4], linewidth=width, zorder=1)
    for name in names:
        x, y = position[name]
        axes.scatter([x], [y], s=60, color=OKABE_ITO[0], zorder=2)
        axes.annotate(
            short_label(name),
            (x, y),
            xytext=(6 if x >= 0 else -6, 0),
            textcoords="offset points",
            ha="left" if x >= 0 else "right",
            va="center",
        )
    axes.set_xlim(-2.4, 2.4)
    axes.set_ylim(-1.3, 1.3)
    axes.set_aspect("equal")
    axes.axis("off")
    return figure


def save_svg(draw: Callable[[pd.DataFrame], Figure], frame: pd.DataFrame, path: Path) -> Path:
    """Draw a frame with one of the builders above to an SVG file (reproducible bytes)."""
    import matplotlib

    with matplotlib.rc_context(_rc()):
        figure = draw(frame)
        figure.savefig(path, format="svg", metadata={"Date": None})
    return path
