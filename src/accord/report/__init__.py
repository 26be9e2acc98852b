"""The report layer: an analysis result as a self-contained HTML page, Markdown or JSON, and
the pieces the web app builds its pages from.

By job: ``tables`` (result tables as the report reads them), ``names`` (display names),
``measures`` (what each measure means), ``prose`` (sentences from the numbers), ``evidence``
(cited passages), ``chartdata`` / ``chartspecs`` (every chart declared once, with ``charts``
drawing it in plotly and ``svg`` in matplotlib), ``sections`` and ``provenance`` (the parts of
the page), ``context`` (assembles them) and ``render`` (writes the files).

Plotly, matplotlib and jinja2 are imported only when a figure or a page is drawn.
"""

from accord.report.chartspecs import CHARTS, Chart, ChartKind, build_figure, chart_specs
from accord.report.context import build_context
from accord.report.evidence import citation, pages, passage_anchor, safe_url
from accord.report.names import Names

__all__ = [
    "CHARTS",
    "Chart",
    "ChartKind",
    "Names",
    "build_context",
    "build_figure",
    "chart_specs",
    "citation",
    "pages",
    "passage_anchor",
    "safe_url",
]
