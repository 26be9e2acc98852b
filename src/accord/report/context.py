"""An analysis result as the plain, JSON-safe dict every report format renders.

The context holds numbers, not formatted text, except for the plain-language paragraphs
(``prose``), so that HTML, Markdown and JSON say the same thing. The pieces are built by job:
``sections`` (findings), ``provenance`` (corpus, codebook, validation, settings), ``chartspecs``
(every chart, declared once); this module only assembles them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from accord.analysis.results import AnalysisResult
from accord.report.chartspecs import Chart, chart_specs
from accord.report.names import Names
from accord.report.provenance import (
    corpus_section,
    header_section,
    methods_section,
    reproducibility_section,
)
from accord.report.sections import (
    discovery_section,
    domain_sections,
    summary_section,
    unranked_domains,
)
from accord.report.tables import clean, numeric_columns
from accord.store.corpus_store import CorpusStore

__all__ = ["build_context", "numeric_columns"]

TITLE = "Accord report: where international organisations already agree on AI"


def build_context(
    result: AnalysisResult,
    store: CorpusStore | None = None,
    command: str | None = None,
    charts: list[Chart] | None = None,
    *,
    explorer_url: str | None = None,
    made_at: datetime | None = None,
) -> dict[str, Any]:
    """The whole report as plain data (JSON-safe; see ``render.write_report`` for formats).

    Args:
        result: the analysis to report; the codebook, corpus summary and validation it
            carries fill the corpus and methods sections.
        store: the store it came from, read only for what the result does not carry (a
            result built by hand). Without either, those parts are left out.
        command: the command line that produced the report, for the reproducibility stamp.
        charts: chart specs already built (``chart_specs``), to avoid building them twice.
        explorer_url: where ``accord serve`` runs; evidence passages then link to its passage
            pages instead of their source documents.
        made_at: when the report is made (default: ``SOURCE_DATE_EPOCH``, else now).
    """
    names = Names(result)
    charts = charts if charts is not None else chart_specs(result, names)
    sections = domain_sections(result, names, charts, explorer_url)
    unranked = unranked_domains(result, names)
    corpus = corpus_section(result, store)
    context = {
        "title": TITLE,
        "header": header_section(result, corpus, made_at),
        "summary": summary_section(result, sections, charts),
        "overview": {"charts": [c.as_dict() for c in charts if c.place == "overview"]},
        "corpus": corpus,
        "domains": sections,
        "unranked": unranked,
        "discovery": discovery_section(result),
        "methods": methods_section(result, store, sections, unranked, corpus),
        "reproducibility": reproducibility_section(result, command),
    }
    return clean(context)
