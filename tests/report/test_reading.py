"""What a reader of the report gets (issue 12): one rounding rule in every output, a correct
rank-stability caption, evidence that says why it was chosen with a citation to copy and a
link to read it, a header saying what the corpus is and when the report was made, and one
offline file that loads only the plotly bundle the charts need."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pandas as pd
import pytest

from accord.cli.analyse import render_ranking
from accord.errors import ReportError
from accord.model.rounding import percent_text, rank_interval_text, score_text
from accord.report import build_context
from accord.report.render import plotly_js_version, write_report
from accord.store.exports import write_table
from fixtures.report_corpus import MADE_AT, analyse_tiny


@pytest.fixture(scope="module")
def analysed(tmp_path_factory):
    store, result = analyse_tiny(tmp_path_factory.mktemp("reading"))
    yield store, result
    store.close()


@pytest.fixture(scope="module")
def context(analysed):
    store, result = analysed
    return build_context(result, store, made_at=MADE_AT)


# ---------------------------------------------------------------- one rounding rule


def test_rank_intervals_and_probabilities_agree_in_every_output(analysed, context, tmp_path):
    _, result = analysed
    domains = result["domains"][result["domains"]["ranked"]].sort_values("rank")
    # The table itself holds whole rank bounds and two-decimal probabilities ...
    bounds = domains[["rank_low", "rank_high"]].to_numpy()
    assert (bounds == bounds.round()).all()
    probabilities = result["rank_stability"]["probability"]
    assert (probabilities == probabilities.round(2)).all()
    # ... so the CSV, the report and the terminal show the same figures.
    write_table(result["domains"], "domains", tmp_path, "csv", {})
    csv = pd.read_csv(tmp_path / "domains.csv", comment="#")
    csv = csv[csv["ranked"]].sort_values("rank")
    k = result.settings.top_k
    terminal = _terminal(result)
    for row, shown, (_, filed) in zip(
        domains.itertuples(), context["summary"]["ranked"], csv.iterrows(), strict=True
    ):
        interval = rank_interval_text(row.rank_low, row.rank_high)
        assert f"{shown['rank_interval'][0]}–{shown['rank_interval'][1]}" == interval
        assert rank_interval_text(filed["rank_low"], filed["rank_high"]) == interval
        assert f"{int(row.rank)} [{interval}]" in terminal
        p_top = getattr(row, f"p_top{k}_joint")
        assert shown["p_top"] == p_top == filed[f"p_top{k}_joint"]
        assert percent_text(p_top) in terminal
        assert score_text(row.opportunity) in terminal


def _terminal(result) -> str:
    """What `accord analyse` prints for this result."""
    from accord.cli._console import console

    width = console.width
    console.width = 200  # wide enough that no cell wraps
    try:
        with console.capture() as captured:
            render_ranking(result)
    finally:
        console.width = width
    return captured.get()


def test_rank_stability_caption_counts_the_joint_draws(context):
    caption = next(c for c in context["summary"]["charts"] if c["id"] == "rank_stability")
    # 50 resamples and 50 weight draws: 50 paired draws, not 2,500.
    assert (
        "over 50 bootstrap resamples of the documents, each scored with its own random "
        in (caption["caption"])
    )
    assert "2500" not in caption["caption"] and "2,500" not in caption["caption"]


# ---------------------------------------------------------------- evidence and links


def test_each_evidence_passage_says_why_and_can_be_cited(context):
    items = [e for d in context["domains"] for e in d["evidence"]]
    assert items
    for item in items:
        assert item["why"], item["passage_id"]
        assert all(0 <= w["score"] <= 1 and w["label"] for w in item["why"])
        assert "".join(s["text"] for s in item["segments"]) == item["text"]
        assert item["citation"].startswith(f"{item['institution_name']}, {item['title']}")
        assert item["passage_id"] in item["citation"]
    domain = context["domains"][0]
    first = domain["evidence"][0]
    assert any(
        w["dimension"] == "domain" and w["category"] == domain["domain"] for w in first["why"]
    )
    marked = [s for e in items for s in e["segments"] if s["cue"]]
    assert marked, "no cue span is highlighted"


def test_the_passage_tag_links_to_the_source_or_the_explorer(analysed, context, tmp_path):
    store, result = analysed
    items = [e for d in context["domains"] for e in d["evidence"]]
    assert all(e["link"] == e["url"] for e in items)  # by default: the source document
    assert any(e["link"] and e["link"].startswith("https://example.org/") for e in items)
    out = write_report(
        result, store, tmp_path / "r.html", explorer_url="http://127.0.0.1:8000/", made_at=MADE_AT
    )
    html = out.read_text("utf-8")
    tags = re.findall(r'<a href="([^"]+)" class="tag"', html)
    assert tags and all(t.startswith("http://127.0.0.1:8000/passages/d-") for t in tags)
    assert 'href="#passage-' in html  # the summary still points at the passages in the page
    assert "<mark" in html and "Copy citation" in html
    with pytest.raises(ReportError, match="explorer address"):
        write_report(result, store, tmp_path / "x.html", explorer_url="javascript:alert(1)")


# ---------------------------------------------------------------- header


def test_header_says_what_the_corpus_is_and_when_the_report_was_made(context, monkeypatch):
    header = context["header"]
    assert header["corpus"] == "6 documents from 5 institutions, published 2021–2024."
    assert header["made_at"] == "2026-01-15T09:30:00Z" and header["digests"] is None
    assert header["made_on"] == "15 January 2026, 09:30 UTC"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    from accord.report.provenance import made_at

    assert made_at() == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)


# ---------------------------------------------------------------- one offline file, smaller


def test_the_page_inlines_the_cartesian_bundle_of_plotlys_version(analysed, tmp_path):
    from plotly.offline import get_plotlyjs, get_plotlyjs_version

    store, result = analysed
    assert plotly_js_version() == get_plotlyjs_version()  # figures are written for it
    html = write_report(result, store, tmp_path / "r.html", made_at=MADE_AT).read_text("utf-8")
    assert "plotly.js (cartesian - minified) v" in html
    assert len(html) < len(get_plotlyjs())  # the full bundle alone is larger than the page
    kinds = {t["type"] for c in json.loads(_figures(html)) for t in c["data"]}
    assert kinds <= {"scatter", "bar", "heatmap"}  # every trace the cartesian bundle draws


def _figures(html: str) -> str:
    scripts = re.findall(r'<script type="application/json" id="figure-[^"]+">(.*?)</script>', html)
    return "[" + ",".join(scripts) + "]"
