"""Write the report: one self-contained HTML page, Markdown with SVG charts, JSON, or PDF.

The HTML page loads nothing from the network: plotly.js, the stylesheet and every figure are
inlined, and a Content-Security-Policy forbids any fetch, so the file can be emailed and read
offline. Text from documents is autoescaped; figure JSON is escaped for a script element.
"""

from __future__ import annotations

import html
import json
import logging
import re
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote

from accord.analysis.results import AnalysisResult
from accord.errors import ReportError
from accord.model.rounding import PERCENT_DECIMALS, SCORE_DECIMALS, percent_text, score_text
from accord.report.chartspecs import Chart, build_figure, chart_specs, write_svg
from accord.report.context import build_context
from accord.report.evidence import URL_SAFE, safe_url
from accord.report.formats import REPORT_FORMATS
from accord.store.corpus_store import CorpusStore

logger = logging.getLogger(__name__)

FORMATS = REPORT_FORMATS  # declared in report/formats.py, which the CLI imports cheaply
HEADERS = {
    "institution_name": "Institution",
    "institution_a": "Institution A",
    "institution_b": "Institution B",
    "n_documents": "Documents",
    "n_passages": "Passages",
    "n_words": "Words",
    "supported_domains": "Domains addressed",
    "document_type": "Document type",
    "low_security": "Low security",
}


def write_report(
    result: AnalysisResult,
    store: CorpusStore | None,
    out: Path,
    fmt: str = "html",
    command: str | None = None,
    *,
    explorer_url: str | None = None,
    made_at: datetime | None = None,
) -> Path:
    """Write the report of an analysis in one format and return its path.

    Args:
        result: the analysis (``accord.analyse`` or the stored one).
        store: the store it came from, for the corpus and methods sections; may be None.
        out: the file to write; Markdown also writes its charts to ``<stem>-charts/``.
        fmt: "html" (one self-contained page), "md", "json" (the report context) or "pdf"
            (the page printed by headless Chromium, report/pdf.py).
        command: the command line, printed in the reproducibility stamp.
        explorer_url: the address of the explorer (``accord serve``); each evidence
            passage then links to its page there. Default: to its source document.
        made_at: when the report is made, shown in its header (default:
            ``SOURCE_DATE_EPOCH`` when set, for reproducible files, else now).

    Raises:
        ReportError: unknown format, or the file cannot be written.

    Example:
        >>> write_report(result, store, Path("report.html"))  # doctest: +SKIP
    """
    if fmt not in FORMATS:
        raise ReportError(
            f"Unknown report format '{fmt}'.", hint=f"Use one of {', '.join(FORMATS)}."
        )
    if explorer_url is not None and safe_url(explorer_url) != explorer_url:
        raise ReportError(
            f"The explorer address '{explorer_url}' is not a plain web address.",
            hint="Give an http(s) address such as http://127.0.0.1:8000.",
        )
    out = Path(out)
    charts = chart_specs(result)
    context = build_context(
        result, store, command, charts, explorer_url=explorer_url, made_at=made_at
    )
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        if fmt == "json":
            # '<', '>' and '&' as \u escapes: the same data, but no markup in the file for a
            # viewer or a page that pastes it into HTML.
            text = script_json(json.dumps(context, sort_keys=True, indent=1, ensure_ascii=False))
            text += "\n"
        elif fmt == "md":
            text = render_markdown(context, write_chart_files(charts, out))
        else:
            text = render_html(context, charts)
        if fmt == "pdf":
            from accord.report.pdf import print_pdf

            print_pdf(text, out)
        else:
            out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ReportError(
            f"Cannot write the report to {out}: {exc.strerror or exc}.",
            hint="Choose a folder you can write to with --out.",
        ) from exc
    logger.info("Report - wrote %s (%s, %d charts)", out, fmt, len(charts))
    return out


# ---------------------------------------------------------------- filters


def pct(value: Any, digits: int = PERCENT_DECIMALS) -> str:
    """0.125 -> '12%'; missing values -> '–' (model/rounding.py)."""
    return percent_text(value, digits)


def fixed(value: Any, digits: int = SCORE_DECIMALS) -> str:
    return score_text(value, digits)


def cell(value: Any) -> str:
    """A data-table cell: floats as scores (model/rounding.py), missing as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return score_text(value)
    return str(value)


def header(name: Any) -> str:
    """A column id as a heading: 'n_passages' -> 'Passages', 'year' -> 'Year'."""
    text = str(name)
    return HEADERS.get(text, text.replace("_", " ").capitalize() if text.islower() else text)


MARKDOWN_SYNTAX = re.compile(r"([\\`*_\[\]|~])")  # inline syntax: code, emphasis, links
# What would start a heading, a list item or a rule at the start of a line.
MARKDOWN_LINE_START = re.compile(r"^(#{1,6}|[+=-]+|\d{1,9}[.)])(?=\s|$)")


def markdown_text(value: Any) -> str:
    r"""Text for Markdown that renders as typed: HTML-escaped (a renderer that passes HTML
    through would run it), Markdown's inline syntax backslash-escaped (a document's
    ``[text](url)`` must not become a link), line starts that would begin a heading or a list
    escaped, line breaks flattened.

    Example:
        >>> print(markdown_text("# [x](y) <b>"))
        \# \[x\](y) &lt;b&gt;
        >>> print(markdown_text("1. 0.25"))
        1\. 0.25
    """
    text = MARKDOWN_SYNTAX.sub(r"\\\1", " ".join(str(value).split()))
    text = MARKDOWN_LINE_START.sub(_escape_marker, text)
    return html.escape(text, quote=False)


def _escape_marker(match: re.Match) -> str:
    marker = match.group(1)
    return marker[:-1] + "\\" + marker[-1] if marker[0].isdigit() else "\\" + marker


def markdown_url(url: Any) -> str:
    """A link destination: percent-encoded (no space, '<' or '>' can remain) and in angle
    brackets, so that parentheses in the URL cannot end the link."""
    return "<" + quote(str(url), safe=URL_SAFE) + ">"


def markdown_code(value: Any) -> str:
    """An inline code span whose fence is longer than any run of backticks inside it."""
    text = " ".join(str(value).split())
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    return f"{fence} {text} {fence}"


def _environment(is_html: bool) -> Any:
    from jinja2 import Environment, PackageLoader, StrictUndefined

    environment = Environment(
        loader=PackageLoader("accord.report", "templates"),
        autoescape=is_html,
        undefined=StrictUndefined,  # a misspelt field fails loudly instead of printing nothing
        # HTML ignores the whitespace block tags leave; Markdown tables and lists do not, so
        # the Markdown template places its line breaks itself.
        trim_blocks=is_html,
        lstrip_blocks=is_html,
        keep_trailing_newline=True,
    )
    environment.filters.update(
        pct=pct,
        fixed=fixed,
        cell=cell,
        header=header,
        md=markdown_text,
        md_url=markdown_url,
        md_code=markdown_code,
    )
    return environment


# ---------------------------------------------------------------- formats


def _static(name: str) -> str:
    return resources.files("accord.report").joinpath(f"static/{name}").read_text("utf-8")


# plotly.js's "cartesian" bundle (npm package plotly.js-cartesian-dist-min, MIT licence, the
# same plotly.js version plotly.py writes figures for): the scatter, bar and heatmap traces the
# charts use, in a third of the full bundle's size. tests/report checks the versions agree.
PLOTLY_BUNDLE = "plotly-cartesian.min.js"


def plotly_js() -> str:
    """The plotly.js the page inlines (the web app serves the same file)."""
    return _static(PLOTLY_BUNDLE)


def plotly_js_version() -> str:
    """The version in the bundle's banner, such as '4.1.1'."""
    banner = re.search(r"plotly\.js \(cartesian - minified\) v(\S+)", plotly_js()[:300])
    return banner.group(1) if banner else "unknown"


def script_json(text: str) -> str:
    """JSON that is safe inside <script>: '<', '>' and '&' as unicode escapes, so a label
    holding '</script>' cannot close the element.

    Example:
        >>> script_json('{"a": "</script>"}')
        '{"a": "\\\\u003c/script\\\\u003e"}'
    """
    return (
        text.replace("&", "\\u0026")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def figure_json(chart: Chart) -> str:
    import plotly.io as pio

    return script_json(pio.to_json(build_figure(chart.kind, chart.frame), validate=False))


def render_html(context: dict[str, Any], charts: list[Chart]) -> str:
    """The self-contained page: plotly.js once, every figure as inline JSON."""
    from markupsafe import Markup

    figures = {chart.id: Markup(figure_json(chart)) for chart in charts}
    return (
        _environment(is_html=True)
        .get_template("report.html.j2")
        .render(
            **context,
            figures=figures,
            css=Markup(_static("report.css")),
            script=Markup(_static("report.js")),
            plotly_js=Markup(plotly_js()),
        )
    )


def write_chart_files(charts: list[Chart], out: Path) -> dict[str, str]:
    """Draw each chart as an SVG beside the Markdown file; return id -> relative path."""
    folder = out.parent / f"{out.stem}-charts"
    folder.mkdir(parents=True, exist_ok=True)
    images = {}
    for chart in charts:
        path = write_svg(chart.kind, chart.frame, folder / f"{chart.id}.svg")
        images[chart.id] = f"{folder.name}/{path.name}"
    return images


def render_markdown(context: dict[str, Any], images: dict[str, str]) -> str:
    text = _environment(is_html=False).get_template("report.md.j2").render(**context, images=images)
    text = "\n".join(line.rstrip() for line in text.splitlines())
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
