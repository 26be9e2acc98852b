"""Markup in metadata and text stays text in every format (issue 11, items 2 and 3): plotly
labels, the Markdown report rendered with HTML enabled, and the JSON report."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from accord.report import build_figure, chart_specs
from accord.report.render import write_report
from fixtures.browser import CHROMIUM, CHROMIUM_ARGS
from fixtures.report_corpus import MARKUP_ORGANISATION, MARKUP_URL, analyse_tiny

TEMPLATE_TAGS = ("<br>", "<extra>", "</extra>")  # our own, in hover templates


@pytest.fixture(scope="module")
def analysed(tmp_path_factory):
    store, result = analyse_tiny(tmp_path_factory.mktemp("markup"), markup=True)
    yield store, result
    store.close()


@pytest.fixture(scope="module")
def reports(analysed, tmp_path_factory) -> dict[str, Path]:
    store, result = analysed
    folder = tmp_path_factory.mktemp("markup-reports")
    return {
        f: write_report(result, store, folder / f"report.{f}", f) for f in ("html", "md", "json")
    }


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings(v)]
    return []


class Elements(HTMLParser):
    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)

    def all(self, tag: str) -> list[dict]:
        return [a for t, a in self.tags if t == tag]


def test_every_plotly_label_is_plain_text(analysed):
    _, result = analysed
    charts = chart_specs(result)
    assert any((c.frame == MARKUP_ORGANISATION).any(axis=None) for c in charts)
    for chart in charts:
        figure = build_figure(chart.kind, chart.frame).to_plotly_json()
        for text in _strings(figure):
            for tag in TEMPLATE_TAGS:
                text = text.replace(tag, "")
            assert "<" not in text and ">" not in text, (chart.id, text)
    coverage = next(c for c in charts if c.kind == "coverage")
    ticks = build_figure("coverage", coverage.frame).data[0].x
    assert '&lt;a href="https://evil.example"&gt;X&lt;/a&gt;' in "".join(ticks)


def test_markup_in_a_name_is_not_rendered_in_the_browser(reports):
    """The organisation's link and styled span must show as typed inside the plotly SVG."""
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} not found: install with `apt-get install chromium`")
    playwright = pytest.importorskip("playwright.sync_api", reason="playwright not installed")
    errors: list[str] = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("dialog", lambda d: (errors.append(f"dialog: {d.message}"), d.dismiss()))
            page.goto(reports["html"].resolve().as_uri(), wait_until="load")
            found = page.evaluate(
                """() => {
                    const plots = Array.from(document.querySelectorAll('div.plot'));
                    return {
                        drawn: plots.filter(d => d.querySelector('svg.main-svg')).length,
                        links: plots.map(d => d.querySelectorAll('svg a').length)
                            .reduce((a, b) => a + b, 0),
                        styled: plots.map(d => d.querySelectorAll('svg [style*="80px"]').length)
                            .reduce((a, b) => a + b, 0),
                        coverage: document.querySelector('#plot-coverage').textContent,
                    };
                }"""
            )
        finally:
            browser.close()
    assert errors == []
    assert found["drawn"] >= 8
    assert found["links"] == 0 and found["styled"] == 0
    # Shown as typed (wrapped over lines, which the text content joins without spaces).
    assert MARKUP_ORGANISATION.replace(" ", "") in found["coverage"].replace(" ", "")


def test_markdown_rendered_with_html_enabled_has_no_injected_element(reports):
    from markdown_it import MarkdownIt

    source = reports["md"].read_text("utf-8")
    rendered = MarkdownIt("commonmark", {"html": True}).render(source)
    page = Elements(rendered)
    assert not page.all("script") and not page.all("span")
    images = [a["src"] for a in page.all("img")]
    assert images and all(src.startswith("report-charts/") for src in images)  # our charts
    hrefs = [a["href"] for a in page.all("a") if "href" in a]
    external = [h for h in hrefs if not h.startswith("#")]
    assert external, "the Markdown report links no source"
    assert all(h.startswith("https://example.org/") for h in external), external
    assert not any("<" in h or " " in h for h in hrefs)
    # The manifest URL is linked, percent-encoded; the document's own link syntax is text.
    assert "https://example.org/a?x=%3Cimg%20src=x%20onerror=alert(3)%3E" in external
    shown = "".join(page.text)
    assert "[a joint registry](https://evil.example)" in shown
    assert MARKUP_ORGANISATION in shown


def test_json_report_holds_no_markup_characters(reports):
    raw = reports["json"].read_text("utf-8")
    assert "<" not in raw and ">" not in raw and "&" not in raw
    context = json.loads(raw)
    urls = {e["url"] for d in context["domains"] for e in d["evidence"]}
    assert "https://example.org/a?x=%3Cimg%20src=x%20onerror=alert(3)%3E" in urls
    assert MARKUP_URL not in urls
    names = {e["institution_name"] for d in context["domains"] for e in d["evidence"]}
    assert MARKUP_ORGANISATION in names  # the data itself is unchanged
