"""Every output format, each list declared once: the CLI builds its choices from these, and
the writers refuse anything else. Kept apart (and light) so that ``accord --help`` does not
import pandas or plotly."""

from __future__ import annotations

from accord.store.exports import FORMATS as TABLE_FORMATS

# accord report: one self-contained page, Markdown with SVG charts, the report's data, or the
# page printed to PDF by headless Chromium.
REPORT_FORMATS = ("html", "md", "json", "pdf")

# accord export: the tables (passages, labels, analysis) in one of TABLE_FORMATS, or the
# corpus for another tool: a REFI-QDA project, a Datasette metadata file beside the store, the
# documents as BibTeX or CSL-JSON references, or people's reviews (`accord serve --review`)
# as a gold file for `accord train`, `calibrate` and `validate`.
PROJECT_FORMATS = ("qdpx", "datasette", "bibtex", "csl-json", "gold")
EXPORT_FORMATS = (*TABLE_FORMATS, *PROJECT_FORMATS)

__all__ = ["EXPORT_FORMATS", "PROJECT_FORMATS", "REPORT_FORMATS", "TABLE_FORMATS"]
