"""The report as readers get it: sections in order, document text escaped, the JSON content
pinned by a golden file, Markdown charts, stamped exports, and the page in a real browser."""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from dataclasses import replace
from html.parser import HTMLParser
from itertools import pairwise
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from accord.analysis.pipeline import stored_result
from accord.cli import app
from accord.report.render import write_report
from fixtures.browser import CHROMIUM, CHROMIUM_ARGS
from fixtures.report_corpus import MADE_AT

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
GOLDEN = HERE.parent / "golden" / "report_tiny.json"
SECTIONS = ["summary", "corpus", "overview", "domains", "unranked", "methods", "reproducibility"]


# ---------------------------------------------------------------- the corpus and its analysis


@pytest.fixture(scope="module")
def html_report(analysed, tmp_path_factory) -> Path:
    store, result = analysed
    out = tmp_path_factory.mktemp("html") / "report.html"
    return write_report(result, store, out, "html", command="accord report --out report.html")


class Page(HTMLParser):
    """Start tags, ids, links and headings of an HTML page, in document order."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.headings: list[tuple[int, str]] = []
        self.scripts: list[tuple[str | None, str]] = []  # (type, content)
        self._heading: list[str] | None = None
        self._script: list[str] | None = None
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self._heading = [tag]
        elif tag == "script":
            self._script = []

    def handle_endtag(self, tag: str) -> None:
        if self._heading and tag == self._heading[0]:
            self.headings.append((int(tag[1]), "".join(self._heading[1:]).strip()))
            self._heading = None
        elif tag == "script" and self._script is not None:
            kind = next(a for t, a in reversed(self.tags) if t == "script").get("type")
            self.scripts.append((kind, "".join(self._script)))
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._heading is not None:
            self._heading.append(data)
        if self._script is not None:
            self._script.append(data)

    def ids(self) -> Counter:
        return Counter(a["id"] for _, a in self.tags if a.get("id"))

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag]


# ---------------------------------------------------------------- HTML structure and safety


def test_html_has_every_section_in_order_with_ordered_headings(html_report, analysed):
    page = Page(html_report.read_text("utf-8"))
    assert page.all("html")[0]["lang"] == "en"
    ids = page.ids()
    assert not [i for i, n in ids.items() if n > 1], "duplicate ids"
    order = [a["id"] for t, a in page.tags if t == "section"]
    assert order == SECTIONS
    levels = [level for level, _ in page.headings]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b <= a + 1 for a, b in pairwise(levels)), page.headings
    skip = page.all("a")[0]
    assert skip["href"] == "#main" and ids["main"] == 1
    # Domains appear best first, as in the ranking.
    ranked = stored_result(analysed[0])["domains"].query("ranked").sort_values("rank")
    articles = [a["id"] for t, a in page.tags if t == "article"]
    assert articles == [f"domain-{d}" for d in ranked["domain"]]
    assert len(articles) >= 2


def test_every_chart_has_caption_and_data_table(html_report):
    text = html_report.read_text("utf-8")
    page = Page(text)
    plots = [a for a in page.all("div") if "plot" in (a.get("class") or "").split()]
    assert len(plots) >= 8
    for figure in text.split('<figure class="chart"')[1:]:
        body = figure.split("</figure>")[0]
        assert "<figcaption>" in body and "<details>" in body and "<table>" in body
    ids = page.ids()
    for plot in plots:
        assert ids[plot["data-figure"]] == 1  # its JSON is in the page


def test_links_resolve_and_nothing_is_loaded_from_outside(html_report):
    page = Page(html_report.read_text("utf-8"))
    ids = page.ids()
    local = [a["href"][1:] for a in page.all("a") if (a.get("href") or "").startswith("#")]
    assert [target for target in local if target not in ids] == []
    cited = [target for target in local if target.startswith("passage-")]
    assert cited, "the report cites no passage"
    assert not page.all("link") and not page.all("img") and not page.all("iframe")
    assert all(not a.get("src") for a in page.all("script"))
    csp = [a for a in page.all("meta") if a.get("http-equiv") == "Content-Security-Policy"]
    assert "default-src 'none'" in csp[0]["content"]
    external = [a["href"] for a in page.all("a") if (a.get("href") or "").startswith("http")]
    assert "https://example.org/who/imaging?a=1&b=2" in external


def test_document_text_is_shown_as_text(html_report):
    text = html_report.read_text("utf-8")
    page = Page(text)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "&lt;img src=x onerror=alert(2)&gt;" in text
    assert "Notes &lt;script&gt;alert(3)&lt;/script&gt;" in text
    assert not page.all("img")
    for kind, script in page.scripts:
        if kind == "application/json":  # figures: one JSON value, no markup that could escape
            assert "<" not in script and json.loads(script)["data"]
        else:  # plotly.js and our own init script, nothing from documents
            assert "alert(" not in script
    hrefs = [a.get("href") or "" for a in page.all("a")]
    assert not [h for h in hrefs if h.strip().lower().startswith("javascript:")]
    # The hostile organisation name reaches the figures' JSON as plotly's plain text (its
    # entities), script-escaped, still one string.
    assert "\\u0026lt;script\\u0026gt;alert(5)" in text


def test_empty_and_unranked_tables_still_render(analysed, tmp_path):
    """A codebook without approach/principle dimensions ranks nothing; the report says so."""
    _, result = analysed
    tables = dict(result.tables)
    domains = tables["domains"].assign(ranked=False, reason="no approach or principle profiles")
    for column in ("rank", "rank_low", "rank_high", "opportunity", "alignment", "p_top5_joint"):
        domains[column] = None
    tables["domains"] = domains
    for name in ("profiles", "alignment_pairs", "rank_stability", "force_mix", "trends_approach"):
        tables[name] = pd.DataFrame()  # as reloaded from the store: no columns at all
    bare = replace(result, tables=tables)
    for fmt in ("html", "md", "json"):
        out = write_report(bare, None, tmp_path / f"report.{fmt}", fmt)
        assert out.stat().st_size > 0
    context = json.loads((tmp_path / "report.json").read_text("utf-8"))
    assert context["domains"] == [] and len(context["unranked"]) == len(domains)
    assert "None of the" in context["summary"]["headline"]
    assert "Ranked domains" in (tmp_path / "report.html").read_text("utf-8")


# ---------------------------------------------------------------- JSON content (golden)


def _stable(context: dict) -> dict:
    """The context without what changes between machines and releases."""
    stamp = context["reproducibility"]
    for key in ("versions", "accord_version", "command"):
        stamp.pop(key, None)
    return context


def test_json_report_matches_golden(analysed, tmp_path):
    store, result = analysed
    out = write_report(
        result, store, tmp_path / "report.json", "json", command="accord report", made_at=MADE_AT
    )
    context = _stable(json.loads(out.read_text("utf-8")))
    if os.environ.get("ACCORD_UPDATE_GOLDEN") == "1":
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(json.dumps(context, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
    assert GOLDEN.is_file(), f"{GOLDEN} missing: run with ACCORD_UPDATE_GOLDEN=1 to create it"
    assert context == json.loads(GOLDEN.read_text("utf-8"))


def test_stored_analysis_gives_the_same_report(analysed, tmp_path):
    """The CLI reports the analysis reloaded from the store (JSON, None for NaN); the content
    must not depend on which way the tables were obtained."""
    store, result = analysed
    fresh = write_report(result, store, tmp_path / "a.json", "json", made_at=MADE_AT)
    stored = write_report(stored_result(store), store, tmp_path / "b.json", "json", made_at=MADE_AT)
    assert json.loads(fresh.read_text("utf-8")) == json.loads(stored.read_text("utf-8"))


def test_summary_paragraphs_come_from_the_numbers(analysed, tmp_path):
    store, result = analysed
    context = json.loads(write_report(result, store, tmp_path / "r.json", "json").read_text())
    first = context["summary"]["paragraphs"][0]
    section = context["domains"][0]
    assert first["domain"] == section["domain"]
    assert first["text"].startswith(f"{section['label']} ranks 1st of {len(context['domains'])}")
    assert "How sure: rank interval" in first["text"]
    assert first["cite"]["href"] == section["evidence"][0]["href"]
    assert 1 <= len(section["evidence"]) <= 8
    assert all(e["url"] is None or e["url"].startswith("https://") for e in section["evidence"])


# ---------------------------------------------------------------- Markdown and exports


def test_markdown_writes_reproducible_chart_files(analysed, tmp_path):
    store, result = analysed
    out = write_report(result, store, tmp_path / "report.md", "md")
    text = out.read_text("utf-8")
    charts = tmp_path / "report-charts"
    images = sorted(p.name for p in charts.glob("*.svg"))
    assert "coverage.svg" in images and any(i.startswith("alignment-") for i in images)
    for name in images:
        assert f"](report-charts/{name})" in text
    assert "<script>" not in text and "&lt;script&gt;alert(1)" in text
    first = {name: (charts / name).read_bytes() for name in images}
    shutil.rmtree(charts)
    write_report(result, store, out, "md")
    assert {name: (charts / name).read_bytes() for name in images} == first


def test_cli_report_and_export(analysed, tmp_path, store):
    db = str(analysed[0].path)
    runner = CliRunner()
    out = tmp_path / "r.html"
    result = runner.invoke(app, ["--store", db, "report", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Report written to" in result.output and out.is_file()
    args = ["--store", db, "export", "--format", "csv", "--out", str(tmp_path)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "passages.csv").is_file() and (tmp_path / "domains.csv").is_file()
    empty = runner.invoke(app, ["--store", str(store.path), "report"])
    assert empty.exit_code == 1
    assert "Error: The store holds no analysis to report." in empty.output
    assert "accord analyse" in empty.output


# ---------------------------------------------------------------- a real browser


def test_report_in_headless_chromium(html_report):
    """Open the page offline in Chromium: no errors, no requests, every chart drawn."""
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} not found: install with `apt-get install chromium`")
    playwright = pytest.importorskip("playwright.sync_api", reason="playwright not installed")
    url = html_report.resolve().as_uri()
    errors: list[str] = []
    requests: list[str] = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("dialog", lambda d: (errors.append(f"dialog: {d.message}"), d.dismiss()))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(url, wait_until="load")
            plots = page.evaluate(
                """() => Array.from(document.querySelectorAll('div.plot')).map(d => [
                    d.id, d.data ? d.data.length : 0, d.querySelector('svg.main-svg') !== null])"""
            )
            missing = page.evaluate(
                """() => Array.from(document.querySelectorAll('a[href^="#"]'))
                    .map(a => a.getAttribute('href').slice(1))
                    .filter(id => !document.getElementById(id))"""
            )
            cited = page.evaluate(
                """() => Array.from(document.querySelectorAll('a[href^="#passage-"]')).length"""
            )
            artifacts = ROOT / "test-artifacts"
            artifacts.mkdir(exist_ok=True)
            page.screenshot(path=str(artifacts / "report.png"), full_page=False)
        finally:
            browser.close()
    assert errors == []
    assert requests == [url], "the page fetched something besides itself"
    assert len(plots) >= 8
    assert [p for p in plots if p[1] == 0 or not p[2]] == [], "charts without data"
    assert missing == [] and cited > 0
