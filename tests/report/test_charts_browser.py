"""The charts as a reader sees them in Chromium (issue 12): every row and column of the
heatmaps labelled and readable, no name cut off, scatter and network labels that overlap
nothing, the approach-mix legend in bar order with only ranked domains; and the copy button
of an evidence citation."""

from __future__ import annotations

from itertools import combinations

import pytest

from accord.report import build_context
from accord.report.render import write_report
from fixtures.browser import CHROMIUM
from fixtures.report_corpus import MADE_AT, analyse_tiny

ARGS = ["--headless", "--no-sandbox", "--disable-gpu"]
BOXES = """(selector) => Array.from(document.querySelectorAll(selector)).map(e => {
    const r = e.getBoundingClientRect();
    return {text: e.textContent, left: r.left, right: r.right, top: r.top, bottom: r.bottom};
})"""


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} not found: install with `apt-get install chromium`")
    playwright = pytest.importorskip("playwright.sync_api", reason="playwright not installed")
    store, result = analyse_tiny(tmp_path_factory.mktemp("charts"))
    out = tmp_path_factory.mktemp("charts-html") / "report.html"
    write_report(result, store, out, made_at=MADE_AT)
    context = build_context(result, store, made_at=MADE_AT)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            tab = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            tab.goto(out.resolve().as_uri(), wait_until="load")
            yield tab, context
        finally:
            browser.close()
    store.close()


def _overlap(a: dict, b: dict, slack: float = 1.0) -> bool:
    return (
        min(a["right"], b["right"]) - max(a["left"], b["left"]) > slack
        and min(a["bottom"], b["bottom"]) - max(a["top"], b["top"]) > slack
    )


def _chart(context: dict, chart_id: str) -> dict:
    charts = context["summary"]["charts"] + context["overview"]["charts"]
    charts += [d["chart"] for d in context["domains"] if d["chart"]]
    return next(c for c in charts if c["id"] == chart_id)


def _inside(boxes: list[dict], frame: dict) -> bool:
    return all(
        b["left"] >= frame["left"] - 1
        and b["right"] <= frame["right"] + 1
        and b["top"] >= frame["top"] - 1
        and b["bottom"] <= frame["bottom"] + 1
        for b in boxes
    )


def test_heatmaps_label_every_row_and_column_without_clipping_or_overlap(page):
    tab, context = page
    for plot in ["coverage", *(d["chart"]["id"] for d in context["domains"] if d["chart"])]:
        table = _chart(context, plot)["table"]
        frame = tab.evaluate(BOXES, f"#plot-{plot} svg.main-svg")[0]
        rows = tab.evaluate(BOXES, f"#plot-{plot} .ytick text")
        columns = tab.evaluate(BOXES, f"#plot-{plot} .xtick text")
        if plot == "coverage":  # domains by institutions
            expected = (len(table["rows"]), len(table["columns"]) - 1)
        else:  # every pair of institutions: each institution is a row and a column
            count = len({name for row in table["rows"] for name in row[:2]})
            expected = (count, count)
        assert (len(rows), len(columns)) == expected, plot
        assert _inside(rows + columns, frame), f"{plot}: a label is cut off"
        for a, b in combinations(rows, 2):
            assert not _overlap(a, b), f"{plot}: rows {a['text']} and {b['text']} overlap"
        for a, b in combinations(columns, 2):
            assert not _overlap(a, b), f"{plot}: columns {a['text']} and {b['text']} overlap"
    # Every name is shown whole (wrapped over lines), not cut short.
    shown = {c["text"].replace(" ", "") for c in tab.evaluate(BOXES, "#plot-coverage .xtick text")}
    names = _chart(context, "coverage")["table"]["columns"][1:]
    assert max(len(n) for n in names) > 40  # the hostile name is long enough to need wrapping
    assert {n.replace(" ", "") for n in names} == shown


def test_point_labels_overlap_no_label_and_no_point(page):
    tab, _ = page
    for plot in ("opportunity_security", "network"):
        frame = tab.evaluate(BOXES, f"#plot-{plot} svg.main-svg")[0]
        labels = tab.evaluate(BOXES, f"#plot-{plot} .annotation-text-g text")
        points = tab.evaluate(BOXES, f"#plot-{plot} .scatterlayer .point")
        assert labels and points and _inside(labels, frame), plot
        for a, b in combinations(labels, 2):
            assert not _overlap(a, b), f"{plot}: labels {a['text']} and {b['text']} overlap"
        for label in labels:
            covered = [p for p in points if _overlap(label, p, slack=2.0)]
            assert not covered, f"{plot}: label {label['text']} covers a point"


def test_approach_legend_follows_the_bars_and_only_ranked_domains_are_shown(page):
    tab, context = page
    names = tab.evaluate("() => document.getElementById('plot-approach_mix').data.map(t => t.name)")
    legend = sorted(
        tab.evaluate(BOXES, "#plot-approach_mix .legend .traces"), key=lambda b: b["left"]
    )
    assert [b["text"] for b in legend] == names  # left to right, as the segments stack
    ticks = tab.evaluate(BOXES, "#plot-approach_mix .ytick text")
    domains = [b["text"] for b in sorted(ticks, key=lambda b: b["top"])]  # top to bottom
    assert domains == [d["label"] for d in context["domains"]]


def test_a_citation_is_copied_with_one_click(page):
    tab, context = page
    first = context["domains"][0]["evidence"][0]
    tab.context.grant_permissions(["clipboard-read", "clipboard-write"])
    button = tab.locator("button.copy").first
    button.click()
    assert tab.evaluate("() => navigator.clipboard.readText()") == first["citation"]
    assert button.text_content() == "Copied"
