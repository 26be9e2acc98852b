"""The seam between analysis and pages: the result carries the codebook, corpus summary and
validation, so a report (or a web page) is a function of the result alone; every chart is
declared once and drawn by both renderers."""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

import pytest

import accord
from accord.analysis.pipeline import stored_result
from accord.report import (
    CHARTS,
    Chart,
    Names,
    build_context,
    build_figure,
    chart_specs,
    citation,
    pages,
    safe_url,
)
from accord.report.chartspecs import KINDS, PLACES, write_svg
from fixtures.report_corpus import CODEBOOK, MADE_AT, analyse_tiny, tiny_settings


@pytest.fixture(scope="module")
def analysed(tmp_path_factory):
    store, result = analyse_tiny(tmp_path_factory.mktemp("seam"))
    yield store, result
    store.close()


@pytest.fixture
def validated(analysed, tmp_path):
    """A copy of the analysed store with a validation of its codebook stored."""
    source, _ = analysed
    path = tmp_path / "copy.db"
    with sqlite3.connect(path) as target:
        source.db.backup(target)
    store = accord.open_store(path, create=False)
    gold = tmp_path / "gold.csv"
    with gold.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["passage_id", "dimension", "labels", "coder"])
        for passage in list(store.iter_passages())[:4]:
            writer.writerow([passage.id, "domain", "health", "ann"])
    accord.validate(gold, store=store, codebook=CODEBOOK, coder="rules")
    yield store
    store.close()


def test_a_computed_result_carries_codebook_and_corpus(analysed):
    store, result = analysed
    assert result.codebook is not None
    assert result.codebook.digest() == result.stamp.codebook_digest
    documents = store.db.execute("SELECT count(*) FROM documents WHERE is_current=1").fetchone()
    assert result.corpus["documents"] == documents[0] == 6
    assert result.corpus["corpus_digest"] == result.stamp.corpus_digest
    assert result.validation is None  # nothing validated in this store
    assert build_context(result, made_at=MADE_AT) == build_context(result, store, made_at=MADE_AT)


def test_a_stored_result_carries_the_validation_and_needs_no_store(validated, tmp_path):
    result = stored_result(validated)
    assert result.codebook.digest() == result.stamp.codebook_digest
    assert result.validation["coder"].startswith("rules") and result.validation["n_items"] == 4
    assert result.corpus["passages"] > 0
    with_store = build_context(result, validated, made_at=MADE_AT)
    validated.close()  # from here on any store query would fail
    alone = build_context(result, made_at=MADE_AT)
    assert alone == with_store
    assert alone["corpus"]["available"] is True
    assert alone["methods"]["validation"]["n_items"] == 4
    assert alone["methods"]["codebook"]["name"] == result.codebook.name


def test_reusing_a_stored_analysis_keeps_what_it_carries(validated):
    again = accord.analyse(validated, settings=tiny_settings(), formats=())
    assert again.validation is not None and again.codebook is not None
    stored = stored_result(validated)
    assert build_context(again, made_at=MADE_AT) == build_context(stored, made_at=MADE_AT)


def test_every_chart_kind_is_declared_once_and_drawn_both_ways(analysed, tmp_path):
    _, result = analysed
    assert len(KINDS) == len(CHARTS) and {c.place for c in CHARTS} <= set(PLACES)
    charts = chart_specs(result, Names(result))
    assert all(isinstance(c, Chart) for c in charts)
    assert {c.kind for c in charts} == set(KINDS)  # the tiny corpus draws every kind
    assert len({c.id for c in charts}) == len(charts)
    for chart in charts:
        assert chart.title and "{" not in chart.title and "{" not in chart.caption
        assert build_figure(chart.kind, chart.frame).data
        svg = write_svg(chart.kind, chart.frame, tmp_path / f"{chart.id}.svg")
        assert svg.read_text("utf-8").lstrip().startswith("<?xml")
        assert set(chart.as_dict()) == {"id", "kind", "title", "caption", "table"}
    domain_charts = [c for c in charts if c.place == "domain"]
    assert domain_charts and all(c.id == f"alignment-{c.domain}" for c in domain_charts)


def test_citation_helpers_from_the_package():
    item = {"institution_name": "WHO", "title": "Imaging", "year": 2021, "pages": pages(3, 3)}
    assert citation(item) == "WHO, Imaging (2021), p. 3"
    assert safe_url("javascript:alert(1)") is None
    assert safe_url(Path("x")) is None
    assert safe_url("https://example.org/a") == "https://example.org/a"
