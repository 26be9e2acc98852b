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

from accord.report import labels
from accord.report.charts import (
    NETWORK_THRESHOLD,
    OKABE_ITO,
    axis_range,
    circle_layout,
    network_labels,
    scatter_labels,
)

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
CHAR_IN = 0.075  # average glyph width of the 9 pt font, inches (generous, as in labels.py)
LINE_IN = 0.16  # one line of it


def _rc() -> dict:
    from cycler import cycler  # a matplotlib dependency, imported only when drawing

    return {**RC, "axes.prop_cycle": cycler(color=list(OKABE_ITO))}


def _figure(rows: int = 8, width: float = 8.0) -> tuple[Figure, Axes]:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, max(3.0, 1.2 + 0.28 * rows)), layout="constrained")
    return figure, figure.add_subplot()


def _ordered(values: pd.Series) -> list:
    return list(dict.fromkeys(values.tolist()))


def _wrapped(name: object, width: int = labels.WRAP) -> str:
    return "\n".join(labels.lines(str(name), width))


def _heatmap(
    grid: pd.DataFrame, cmap: str, label: str, vmax: float | None = None
) -> tuple[Figure, Axes]:
    """A heatmap whose figure is sized for its labels: every row and column labelled, names
    wrapped, columns upright, so that no name is cut off and no row is squeezed."""
    from matplotlib.figure import Figure

    columns, rows = [str(c) for c in grid.columns], [str(i) for i in grid.index]
    row_height = max(0.28, LINE_IN * labels.depth(rows) + 0.08)
    column_width = max(0.3, LINE_IN * labels.depth(columns, labels.COLUMN_WRAP) + 0.1)
    width = labels.extent(rows, char_px=CHAR_IN) + column_width * len(columns) + 1.8
    height = labels.extent(columns, labels.COLUMN_WRAP, CHAR_IN) + row_height * len(rows) + 0.9
    figure = Figure(figsize=(max(width, 5.0), max(height, 3.0)), layout="constrained")
    axes = figure.add_subplot()
    image = axes.imshow(grid.to_numpy(dtype=float), aspect="auto", cmap=cmap, vmin=0, vmax=vmax)
    column_labels = [_wrapped(c, labels.COLUMN_WRAP) for c in columns]
    axes.set_xticks(range(len(columns)), column_labels, rotation=90)
    axes.set_yticks(range(len(rows)), [_wrapped(r) for r in rows])
    figure.colorbar(image, ax=axes, label=label, shrink=0.8)
    return figure, axes


def coverage(frame: pd.DataFrame) -> Figure:
    grid = frame.pivot_table(
        index="domain", columns="institution", values="coverage", aggfunc="first", sort=False
    ).reindex(index=_ordered(frame["domain"]), columns=_ordered(frame["institution"]))
    figure, _ = _heatmap(grid, "cividis", "Coverage")
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
    # Above the bars, left to right in the order the segments stack.
    count = frame[category].nunique()
    axes.legend(
        title=category.capitalize(),
        loc="lower left",
        bbox_to_anchor=(0, 1.0),
        ncol=max(count, 1),
        fontsize=8,
        frameon=False,
    )
    return figure


def scatter(frame: pd.DataFrame) -> Figure:
    """Each point labelled with its rank, placed where it covers no other label or point."""
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
    axes.set_xlim(*axis_range(frame, "security", 0.0))
    axes.set_ylim(*axis_range(frame, "opportunity"))
    # The axes' size in points (8 x 5.1 inch figure less its labels), 9 pt digits.
    offsets = scatter_labels(frame, (500.0, 290.0), 5.4, 11.0)
    for row, (dx, dy) in zip(frame.itertuples(index=False), offsets, strict=True):
        if pd.isna(row.security) or pd.isna(row.opportunity):
            continue
        axes.annotate(
            str(int(row.rank)),
            (row.security, row.opportunity),
            xytext=(dx, dy),
            textcoords="offset points",
            ha="center",
            va="center",
        )
    axes.xaxis.set_major_formatter("{x:.0%}")
    axes.set_xlabel("Security-sensitive share of passages")
    axes.set_ylabel("Cooperation opportunity")
    return figure


def stability(frame: pd.DataFrame) -> Figure:
    ranks = list(range(1, int(frame["rank"].max()) + 1))
    grid = frame.pivot_table(
        index="domain", columns="rank", values="probability", aggfunc="sum", sort=False
    ).reindex(index=_ordered(frame["domain"]), columns=ranks)
    figure, axes = _heatmap(grid.fillna(0), "viridis", "Probability", vmax=1)
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
    figure, _ = _heatmap(grid, "cividis", "Alignment", vmax=1)
    return figure


def network(frame: pd.DataFrame) -> Figure:
    names = sorted(set(frame["institution_a"]) | set(frame["institution_b"]))
    position = circle_layout(names)
    figure, axes = _figure(20, width=8)
    for row in frame[frame["similarity"] >= NETWORK_THRESHOLD].itertuples(index=False):
        (xa, ya), (xb, yb) = position[row.institution_a], position[row.institution_b]
        width = 1.0 if row.similarity < 0.7 else 2.5 if row.similarity < 0.85 else 4.5
        axes.plot([xa, xb], [ya, yb], color=OKABE_ITO[4], linewidth=width, zorder=1)
    offsets = network_labels(names, position, 120.0, 5.4, 11.0)  # points per unit, 9 pt
    for name, (dx, dy) in zip(names, offsets, strict=True):
        x, y = position[name]
        axes.scatter([x], [y], s=60, color=OKABE_ITO[0], zorder=2)
        axes.annotate(
            _wrapped(name),
            (x, y),
            xytext=(dx, dy),
            textcoords="offset points",
            ha="center",
            va="center",
            multialignment="left" if dx >= 0 else "right",
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
