"""Size of the report on the demo corpus: the HTML page and what it is made of, and the
Markdown report with its SVG charts (issue 12: one offline file, smaller).

Ingests and codes the bundled demo corpus into a temporary store with the default coder,
analyses it with the default settings and writes both reports. Writes
benchmarks/results/report_size.json; the figures are in docs/performance.md.
"""

from __future__ import annotations

import re
import tempfile
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path

from _common import save

import accord
from accord.report.render import plotly_js, write_report

DEMO = Path(str(files("accord") / "data" / "demo"))


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        store = accord.open_store(root / "accord.db")
        accord.ingest(store, DEMO, manifest=DEMO / "manifest.csv")
        accord.code(store)
        result = accord.analyse(store, formats=())
        made = datetime(2026, 1, 1, tzinfo=UTC)
        html = write_report(result, store, root / "report.html", made_at=made)
        markdown = write_report(result, store, root / "report.md", "md", made_at=made)
        page = html.read_text("utf-8")
        figures = re.findall(
            r'<script type="application/json" id="figure-[^"]+">(.*?)</script>', page
        )
        svgs = sorted((root / "report-charts").glob("*.svg"))
        result = {
            "html_bytes": html.stat().st_size,
            "plotly_js_bytes": len(plotly_js().encode()),
            "figure_json_bytes": sum(len(f.encode()) for f in figures),
            "figures": len(figures),
            "markdown_bytes": markdown.stat().st_size,
            "svg_bytes": sum(p.stat().st_size for p in svgs),
            "svgs": len(svgs),
        }
        result["rest_of_page_bytes"] = (
            result["html_bytes"] - result["plotly_js_bytes"] - result["figure_json_bytes"]
        )
        store.close()
    save("report_size", result)


if __name__ == "__main__":
    main()
