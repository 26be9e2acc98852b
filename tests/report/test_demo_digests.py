"""The demo corpus is paraphrased digests (issue 12): their notes are metadata, not content
(not coded, not searched, not in discovery themes), and the report says plainly what the
texts are; with the packaged codebook and no validation of its own, the report shows the
codebook's measured quality on held-out documents (its validation card)."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

import pytest

import accord
from accord.coding.cards import validation_card
from accord.config import load_settings
from accord.report.render import write_report
from fixtures.report_corpus import MADE_AT

DEMO = Path(str(files("accord") / "data" / "demo"))
NOTE_WORDS = ("digest", "demo corpus", "official text", "demo manifest")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo")
    settings = load_settings(
        ingest={"workers": 1}, analysis={"bootstrap_resamples": 40, "weight_draws": 40}
    )
    store = accord.open_store(root / "accord.db")
    accord.ingest(store, DEMO, manifest=DEMO / "manifest.csv", settings=settings)
    accord.code(store, coder="rules")
    result = accord.analyse(store, settings=settings, formats=())
    yield store, result, root
    store.close()


def test_digest_notes_are_not_passages_nor_coded(demo):
    store, _, _ = demo
    for words in NOTE_WORDS:
        found = store.db.execute(
            "SELECT count(*) FROM passages WHERE instr(lower(text), lower(?)) > 0", (words,)
        ).fetchone()[0]
        assert found == 0, words
    coded = store.db.execute(
        "SELECT count(*) FROM assignments a JOIN passages p ON p.id = a.passage_id"
        " WHERE instr(lower(p.text), 'paraphrased') > 0"
    ).fetchone()[0]
    assert coded == 0
    assert accord.search(store, "digest") == []
    assert accord.search(store, "demo manifest") == []


def test_digests_are_metadata_and_named_in_the_corpus_summary(demo):
    store, result, _ = demo
    metas = [json.loads(r[0]) for r in store.db.execute("SELECT meta FROM documents")]
    assert len(metas) == 45 and all(m.get("content") == "paraphrased digest" for m in metas)
    assert result.corpus["paraphrased_digests"] == 45 == result.corpus["documents"]


def test_no_discovery_theme_comes_from_the_notes(demo):
    _, result, _ = demo
    terms = " ".join(result["discovery"]["top_terms"].astype(str)).lower()
    assert terms  # the demo has passages outside the codebook
    for word in ("paraphrased", "digest", "manifest", "accord", "official"):
        assert word not in terms.split(", ") and f" {word}," not in f" {terms},"


def test_report_says_the_texts_are_digests_and_shows_the_card(demo):
    store, result, root = demo
    context = json.loads(
        write_report(result, store, root / "r.json", "json", made_at=MADE_AT).read_text()
    )
    header = context["header"]
    assert header["digests"].startswith("All 45 documents are paraphrased digests")
    assert header["corpus"].startswith("45 documents from ")
    assert any("paraphrased digests" in c for c in context["methods"]["caveats"])
    card = context["methods"]["card"]
    shipped = validation_card(result.stamp.codebook_digest)
    assert context["methods"]["validation"] is None and shipped is not None
    assert card["coder"] == "rules.v1" and card["passages"] == shipped["test"]["passages"]
    values = {d["dimension"]: d["value"] for d in card["dimensions"]}
    assert values["domain"] == shipped["coders"]["rules.v1"]["domain"]["value"]
    html = write_report(result, store, root / "r.html", "html", made_at=MADE_AT).read_text()
    assert 'class="digest"' in html and "Coding quality on held-out documents" in html
    markdown = write_report(result, store, root / "r.md", "md", made_at=MADE_AT).read_text()
    assert "**Paraphrased digests.** All 45 documents" in markdown


def test_the_shipped_card_describes_the_packaged_codebook_and_model():
    codebook = accord.load_codebook()
    card = validation_card(codebook.digest())
    assert card is not None, "re-run benchmarks/validation.py --shipped after editing it"
    assert card["model_sha256"] == codebook.model.sha256
    assert set(card["coders"]) == {"trained.v1", "rules.v1"}
    assert validation_card("0" * 64) is None  # any other codebook has no card
