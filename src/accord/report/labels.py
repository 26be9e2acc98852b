"""Room for labels: long names wrapped instead of cut off, chart sizes that fit them, and
point labels placed where they overlap nothing. Shared by the plotly and the SVG charts.

Sizes are estimates from character counts (no font is measured): generous on purpose, since
a little extra space costs less than a clipped name.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

WRAP = 26  # characters per line of a wrapped name
# Upright column labels sit side by side: two lines at most fill a heatmap column, so they
# wrap at a longer width.
COLUMN_WRAP = 36
CHAR_PX = 7.2  # average glyph width of the report's 13 px sans-serif font, in pixels
LINE_PX = 17  # height of one line of that font

Box = tuple[float, float, float, float]  # left, bottom, right, top
# Where a label may go around its point, in order of preference: right, above, left, below,
# then the diagonals.
DIRECTIONS = ((1, 0), (0, 1), (-1, 0), (0, -1), (1, 1), (-1, 1), (-1, -1), (1, -1))


def lines(name: str, width: int = WRAP) -> list[str]:
    """A name as lines of at most ``width`` characters (a longer word keeps its own line).

    Example:
        >>> lines("United Nations Educational, Scientific and Cultural Organization")
        ['United Nations', 'Educational, Scientific', 'and Cultural Organization']
    """
    return textwrap.wrap(name, width, break_long_words=False) or [name]


def extent(names: Sequence[str], width: int = WRAP, char_px: float = CHAR_PX) -> float:
    """The length of the longest line of the wrapped names."""
    return max((len(line) for n in names for line in lines(n, width)), default=0) * char_px


def depth(names: Sequence[str], width: int = WRAP) -> int:
    """The most lines any of the wrapped names takes."""
    return max((len(lines(n, width)) for n in names), default=1)


def _overlap(a: Box, b: Box) -> float:
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    return width * height if width > 0 and height > 0 else 0.0


def _outside(box: Box, area: tuple[float, float]) -> float:
    """How much of the box lies outside the plotting area (0, 0)–area."""
    inside = _overlap(box, (0.0, 0.0, area[0], area[1]))
    return (box[2] - box[0]) * (box[3] - box[1]) - inside


def place_labels(
    points: Sequence[tuple[float, float]],
    sizes: Sequence[tuple[float, float]],
    area: tuple[float, float],
    marker: float = 7.0,
    radii: Sequence[float] = (4, 10, 18, 28, 40),
    prefer: Sequence[tuple[int, int]] | None = None,
) -> list[tuple[float, float]]:
    """Offsets (in the units of ``points``, y upwards) from each point to the centre of its
    label, so that no label covers another label or any point.

    Points are placed in the order given (the most important first), each at the first free
    spot around it, nearest first; a label with no free spot goes where it overlaps least.

    Args:
        points: the points, in pixels from the bottom left of the plotting area.
        sizes: the width and height of each label.
        area: the width and height of the plotting area.
        marker: the radius of a point's marker.
        prefer: for each point, the direction to try first (such as outwards from a circle).

    Example:
        >>> place_labels([(50, 50), (60, 50)], [(10, 10), (10, 10)], (200, 100))
        [(0.0, 16.0), (16.0, 0.0)]
    """
    obstacles: list[Box] = [(x - marker, y - marker, x + marker, y + marker) for x, y in points]
    offsets = []
    preferred = prefer if prefer is not None else [DIRECTIONS[0]] * len(points)
    for (x, y), (w, h), first in zip(points, sizes, preferred, strict=True):
        directions = [first, *(d for d in DIRECTIONS if d != first)]
        best: tuple[float, tuple[float, float], Box] | None = None
        for radius in radii:
            for ux, uy in directions:
                dx = ux * (marker + radius + w / 2)
                dy = uy * (marker + radius + h / 2)
                box = (x + dx - w / 2, y + dy - h / 2, x + dx + w / 2, y + dy + h / 2)
                cost = sum(_overlap(box, o) for o in obstacles) + _outside(box, area)
                if best is None or cost < best[0]:
                    best = (cost, (dx, dy), box)
                if cost == 0:
                    break
            if best is not None and best[0] == 0:
                break
        assert best is not None
        offsets.append(best[1])
        obstacles.append(best[2])
    return offsets
